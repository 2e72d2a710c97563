/**
 * Header directives and emptiness. Directives live in the leading comment
 * lines of a script (`-- tidemark:...`), before the first SQL.
 */
import { isDuration } from '../sql/duration';
import type { Directives } from '../types';

const DIRECTIVE = /^--\s*tidemark:(\S*)\s*(.*)$/;
const FLAGS = ['no-transaction', 'irreversible'];
const VALUED = ['lock-timeout', 'statement-timeout'];
/**
 * Comments that are not directives of the runner: `-- tidemark:lint-ignore
 * RULE reason` belongs to `tidemark lint`, which checks it (a rule id and a
 * reason), wherever it sits in the script.
 */
const NOT_DIRECTIVES = ['lint-ignore'];

/**
 * Reads the `-- tidemark:*` directives from the leading comment lines.
 * Returns the reason instead when a directive is unknown or its value is
 * bad: a typo must not silently turn a directive off.
 */
export function readDirectives(sql: string): Directives | { readonly problem: string } {
  const found: { noTransaction: boolean; irreversible: boolean; lockTimeout?: string; statementTimeout?: string } = {
    noTransaction: false,
    irreversible: false,
  };
  for (const line of leadingCommentLines(sql)) {
    const match = DIRECTIVE.exec(line);
    if (!match) continue;
    const [, name, rawValue] = match;
    if (NOT_DIRECTIVES.includes(name)) continue;
    const value = rawValue.trim();
    if (FLAGS.includes(name) && value === '') {
      if (name === 'no-transaction') found.noTransaction = true;
      else found.irreversible = true;
    } else if (VALUED.includes(name) && isDuration(value)) {
      if (name === 'lock-timeout') found.lockTimeout = value;
      else found.statementTimeout = value;
    } else {
      return { problem: directiveProblem(name, value) };
    }
  }
  return found;
}

function directiveProblem(name: string, value: string): string {
  if (VALUED.includes(name))
    return `"-- tidemark:${name}" needs a PostgreSQL duration such as 30s or 2min (got "${value}")`;
  if (FLAGS.includes(name)) return `"-- tidemark:${name}" takes no value (got "${value}")`;
  return `unknown directive "-- tidemark:${name}"; known: ${[...FLAGS, ...VALUED.map((v) => `${v} <duration>`)].join(', ')}`;
}

function* leadingCommentLines(sql: string): Generator<string> {
  let start = 0;
  while (start < sql.length) {
    let end = sql.indexOf('\n', start);
    if (end === -1) end = sql.length;
    const line = sql.slice(start, end).trim();
    if (line !== '' && !line.startsWith('--')) return;
    if (line !== '') yield line;
    start = end + 1;
  }
}

/** True when the script holds only whitespace, `--` comments and (nested) block comments. */
export function isBlankSql(sql: string): boolean {
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      i = skipBlockComment(sql, i);
    } else {
      return false;
    }
  }
  return true;
}

/** Index just after a block comment starting at `i`; block comments nest in PostgreSQL. */
function skipBlockComment(sql: string, i: number): number {
  let depth = 0;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return i;
}
