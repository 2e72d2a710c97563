/**
 * Header directives and emptiness. Directives live in the leading comment
 * lines of a script (`-- tidemark:...`), before the first SQL.
 */
import type { Directives } from '../types';

const DIRECTIVE = /^--\s*tidemark:([a-z-]+)\b/;

/** Reads the `-- tidemark:*` directives from the leading comment lines. */
export function readDirectives(sql: string): Directives {
  let noTransaction = false;
  let irreversible = false;
  for (const line of leadingCommentLines(sql)) {
    const match = DIRECTIVE.exec(line);
    if (match?.[1] === 'no-transaction') noTransaction = true;
    if (match?.[1] === 'irreversible') irreversible = true;
  }
  return { noTransaction, irreversible };
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
