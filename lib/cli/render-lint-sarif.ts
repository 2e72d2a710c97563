/**
 * `tidemark lint --format sarif`: SARIF 2.1.0, for GitHub code scanning
 * (`github/codeql-action/upload-sarif`). Every rule in tool.driver.rules;
 * one result per finding, located by the path from the repository root and
 * a 1-based line and column. Pure.
 */
import type { LintReport, LintedFinding } from '../migrator';
import { TOOL_VERSION } from '../version';
import { repoPath } from './render-lint';

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

function resultOf(f: LintedFinding, ruleIndex: number, dir: string): Record<string, unknown> {
  const lock = f.lock ? ` ${f.lock.mode} on ${f.lock.relation}: ${f.lock.blocks}.` : '';
  return {
    ruleId: f.rule,
    ...(ruleIndex >= 0 ? { ruleIndex } : {}),
    level: LEVEL[f.severity],
    message: { text: `${f.message}.${lock}${f.rewrite ? ` Rewrite: ${f.rewrite.trim()}` : ''}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: repoPath(dir, f.path) },
          region: { startLine: f.line, startColumn: f.column },
        },
      },
    ],
  };
}

/** The SARIF log: one run of the tool `tidemark`. */
export function lintSarifDocument(report: LintReport, dir: string): Record<string, unknown> {
  const rules = report.rules.map((r) => ({
    id: r.id,
    name: r.id,
    shortDescription: { text: r.summary },
    fullDescription: { text: r.why },
    help: { text: `${r.why} (README: "tidemark lint", family ${r.family})` },
    defaultConfiguration: { level: r.enabled ? LEVEL[r.severity] : 'none', enabled: r.enabled },
    properties: { family: r.family },
  }));
  const index = new Map(report.rules.map((r, i) => [r.id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'tidemark', version: TOOL_VERSION, rules } },
        results: report.findings.map((f) => resultOf(f, index.get(f.rule) ?? -1, dir)),
      },
    ],
  };
}
