/**
 * `tidemark lint --json`: the document whose schema the README gives.
 * snake_case keys, as every `--json` of tidemark; paths relative to the
 * migrations directory, lines and columns 1-based. Pure.
 */
import type { LintReport, LintedFinding } from '../migrator';

function findingDocument(f: LintedFinding): Record<string, unknown> {
  return {
    rule: f.rule,
    severity: f.severity,
    path: f.path,
    line: f.line,
    column: f.column,
    message: f.message,
    lock: f.lock ? { mode: f.lock.mode, relation: f.lock.relation, blocks: f.lock.blocks } : null,
    table: f.table ?? null,
    size: f.size ? { rows: f.size.rows, bytes: f.size.bytes } : null,
    why: f.why,
    rewrite: f.rewrite ?? null,
    statement: f.statement ?? null,
  };
}

/** `{ok, findings, summary, files, pg_version, pg_version_from, online, selection}`. */
export function lintDocument(report: LintReport): Record<string, unknown> {
  return {
    ok: report.summary.error === 0,
    findings: report.findings.map(findingDocument),
    summary: { ...report.summary },
    files: [...report.files],
    pg_version: report.pgVersion,
    pg_version_from: report.pgVersionFrom,
    online: report.online,
    selection: report.selection,
  };
}
