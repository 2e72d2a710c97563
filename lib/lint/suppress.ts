/**
 * `-- tidemark:lint-ignore RULE reason…`, on a statement's first line or the
 * line above it, silences that rule for that statement. The reason is
 * required (it is what a reviewer reads), and a suppression that silences
 * nothing is reported too, so stale ones do not pile up.
 */
import type { Finding, Found, LintSource, LintStatement } from './types';

const IGNORE = /--\s*tidemark:lint-ignore\b[ \t]*([A-Za-z0-9_-]*)[ \t]*(.*)$/;

interface Suppression {
  readonly line: number;
  readonly column: number;
  readonly rule: string;
  readonly reason: string;
}

/** Every `lint-ignore` comment of a script, with its 1-based line and column. */
export function suppressionsIn(sql: string): Suppression[] {
  return sql.split('\n').flatMap((text, i) => {
    const match = IGNORE.exec(text);
    if (!match) return [];
    return [{ line: i + 1, column: match.index + 1, rule: match[1] ?? '', reason: (match[2] ?? '').trim() }];
  });
}

/** The statement a suppression on `line` is about: one starting on that line, else on the next. */
function statementFor(line: number, statements: readonly LintStatement[]): LintStatement | undefined {
  return statements.find((s) => s.start.line === line) ?? statements.find((s) => s.start.line === line + 1);
}

/**
 * Drops the findings a valid suppression silences, and adds a `lint-ignore`
 * finding for each suppression without a rule or reason, or that silences nothing.
 */
export function applySuppressions(
  source: LintSource,
  statements: readonly LintStatement[],
  found: readonly Found[],
): Finding[] {
  const kept = new Set(found);
  const problems: Finding[] = [];
  for (const s of suppressionsIn(source.sql)) {
    const problem = (message: string, severity: Finding['severity']): Finding => ({
      rule: 'lint-ignore',
      severity,
      path: source.script.path,
      line: s.line,
      column: s.column,
      message,
      why: 'A suppression is a decision a reviewer must be able to read: which rule, and why it does not apply here.',
    });
    if (!s.rule || !s.reason) {
      problems.push(
        problem(
          '"-- tidemark:lint-ignore" needs a rule id and a reason: -- tidemark:lint-ignore RULE why it is safe here',
          'error',
        ),
      );
      continue;
    }
    const statement = statementFor(s.line, statements);
    const silenced = found.filter((f) => f.statement === statement && f.finding.rule === s.rule);
    if (silenced.length === 0)
      problems.push(
        problem(
          `"-- tidemark:lint-ignore ${s.rule}" silences nothing here: remove it, or put it on the line of the statement it is for`,
          'warning',
        ),
      );
    for (const f of silenced) kept.delete(f);
  }
  return [...[...kept].map((f) => f.finding), ...problems].sort((a, b) => a.line - b.line || a.column - b.column);
}
