/**
 * `tidemark lint` for CI: GitHub Actions annotations (`--format github`)
 * and GitLab Code Quality JSON (`--format gitlab`). Paths relative to the
 * repository root; lines and columns 1-based. Pure.
 */
import { createHash } from 'node:crypto';
import type { LintReport, LintedFinding } from '../migrator';
import { lintSummaryLine, repoPath } from './render-lint';

/** GitHub's escaping of a workflow command's message and of its properties. */
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

const GITHUB_LEVEL = { error: 'error', warning: 'warning', info: 'notice' } as const;

/** The message of an annotation: what, the lock, why, and the rewrite (GitHub shows it on the line of the diff). */
function annotationText(f: LintedFinding): string {
  const lines = [f.message];
  if (f.lock) lines.push(`${f.lock.mode} on ${f.lock.relation}: ${f.lock.blocks}`);
  lines.push(f.why);
  if (f.rewrite) lines.push('Rewrite:', f.rewrite.trim());
  return lines.join('\n');
}

/** One `::error file=…,line=…,col=…,title=RULE::message` per finding, then the summary line. */
export function renderLintGithub(report: LintReport, dir: string): string {
  const lines = report.findings.map((f) => {
    const file = escapeProperty(repoPath(dir, f.path));
    const title = escapeProperty(`tidemark lint: ${f.rule}`);
    return `::${GITHUB_LEVEL[f.severity]} file=${file},line=${f.line},col=${f.column},title=${title}::${escapeData(annotationText(f))}`;
  });
  return [...lines, lintSummaryLine(report)].join('\n');
}

const GITLAB_SEVERITY = { error: 'critical', warning: 'major', info: 'info' } as const;

/**
 * GitLab Code Quality: `[{description, check_name, fingerprint, severity,
 * location: {path, lines: {begin}}}]`. The fingerprint is a SHA-256 of the
 * rule, the path and the statement's text (and its rank among identical
 * ones), so it survives edits elsewhere in the file and GitLab can tell a new
 * finding from an old one.
 */
export function lintGitlabDocument(report: LintReport, dir: string): object[] {
  const seen = new Map<string, number>();
  return report.findings.map((f) => {
    const path = repoPath(dir, f.path);
    const identity = [f.rule, path, f.statement ?? `${f.line}:${f.column}`].join('\0');
    const rank = seen.get(identity) ?? 0;
    seen.set(identity, rank + 1);
    return {
      description: f.lock ? `${f.message} — ${f.lock.mode} on ${f.lock.relation}: ${f.lock.blocks}` : f.message,
      check_name: f.rule,
      fingerprint: createHash('sha256').update(`${identity}\0${rank}`).digest('hex'),
      severity: GITLAB_SEVERITY[f.severity],
      location: { path, lines: { begin: f.line } },
    };
  });
}
