/**
 * `tidemark lint` for humans: one block per finding — where, severity, rule
 * and message; the lock and what it blocks; the table's size; the code
 * frame with a caret; why; the safe rewrite — then a summary line. Pure.
 */
import path from 'node:path';
import type { LintReport, LintedFinding } from '../migrator';

/**
 * A script's path relative to the repository root, with `/`: the migrations
 * directory joined with the script's path, relative to $GITHUB_WORKSPACE or
 * $CI_PROJECT_DIR when set (CI checks out the repository there), else to the
 * current directory. What annotations and code-quality reports need.
 */
export function repoPath(dir: string, script: string, env: NodeJS.ProcessEnv = process.env): string {
  const base = env.GITHUB_WORKSPACE || env.CI_PROJECT_DIR || process.cwd();
  const relative = path.relative(base, path.resolve(dir, script)) || script;
  return relative.split(path.sep).join('/');
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What was linted, for the summary line. */
function scope(report: LintReport): string {
  const n = report.files.length;
  const what = {
    files: `${plural(n, 'script')} named`,
    since: `${plural(n, 'up script')} added since the revision`,
    pending: `${plural(n, 'pending up script')} (not in the ledger)`,
    all: `${plural(n, 'up script')} (no database: all of them)`,
  }[report.selection];
  const from = { setting: '--pg-version', server: "the server's", default: 'the default' }[report.pgVersionFrom];
  return `${what}; PostgreSQL ${report.pgVersion} (${from})`;
}

/** `lint: 2 errors, 1 warning, 0 info in 3 scripts pending …`; `lint: clean — …` when nothing was found. */
export function lintSummaryLine(report: LintReport): string {
  const { error, warning, info } = report.summary;
  if (error + warning + info === 0) return `lint: clean — ${scope(report)}.`;
  const verdict = error > 0 ? 'FAILED' : 'ok';
  return `lint: ${verdict} — ${plural(error, 'error')}, ${plural(warning, 'warning')}, ${info} info in ${scope(report)}.`;
}

const indent = (text: string, by: string) => text.replace(/^/gm, by);

function renderFinding(f: LintedFinding, dir: string): string {
  const lines = [`${repoPath(dir, f.path)}:${f.line}:${f.column}  ${f.severity}  ${f.rule}  ${f.message}`];
  if (f.lock) lines.push(`  lock: ${f.lock.mode} on ${f.lock.relation}: ${f.lock.blocks}`);
  if (f.frame) lines.push(indent(f.frame, '  '));
  lines.push(`  why: ${f.why}`);
  if (f.rewrite) lines.push('  rewrite:', indent(f.rewrite.trim(), '    '));
  return lines.join('\n');
}

/** The human report; `dir` is the migrations directory (paths are shown from the repository root). */
export function renderLint(report: LintReport, dir: string): string {
  return [...report.findings.map((f) => `${renderFinding(f, dir)}\n`), lintSummaryLine(report)].join('\n');
}
