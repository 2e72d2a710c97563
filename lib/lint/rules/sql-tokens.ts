/**
 * The text behind a parse tree, for the rules of the column, NOT NULL, drop
 * and lock_timeout families: PostgreSQL's parse tree gives no `location` to
 * an ALTER TABLE subcommand (`SET NOT NULL`, `DROP COLUMN`), to `CASCADE`
 * or to the names of `DROP TABLE`, so they are found by scanning the
 * statement with the server's own scanner (libpg-query's `scanSync`:
 * comments, string literals and quoted names handled as the server does).
 * Also: names as written (`"Orders"`), and a type or expression as written.
 */
import { scanSync } from 'libpg-query';
import type { LintStatement, RelationName } from '../types';
import { quoteIdent } from './sql-text';

/** A token of a statement, its offsets absolute (bytes into the script), so `start` is a Hit's `location`. */
export interface Token {
  readonly text: string;
  /** Lower-cased, for keyword comparison. */
  readonly word: string;
  readonly start: number;
  readonly end: number;
}

const COMMENTS = new Set(['C_COMMENT', 'SQL_COMMENT']);
const scanned = new WeakMap<LintStatement, readonly Token[]>();

/** The statement's tokens, comments left out. */
export function tokensOf(statement: LintStatement): readonly Token[] {
  const cached = scanned.get(statement);
  if (cached) return cached;
  let tokens: Token[] = [];
  try {
    tokens = scanSync(statement.text)
      .tokens.filter((t) => !COMMENTS.has(t.tokenName))
      .map((t) => ({
        text: t.text,
        word: t.text.toLowerCase(),
        start: t.start + statement.offset,
        end: t.end + statement.offset,
      }));
  } catch {
    // The statement parsed, so it scans; should it not, locations fall back to the statement's start.
  }
  scanned.set(statement, tokens);
  return tokens;
}

/** Splits `tokens` at the commas outside parentheses and brackets. */
export function splitTopLevel(tokens: readonly Token[]): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.text === '(' || t.text === '[') depth++;
    else if (t.text === ')' || t.text === ']') depth--;
    if (t.text === ',' && depth === 0) parts.push([]);
    else parts[parts.length - 1]?.push(t);
  }
  return parts;
}

/** The tokens after a (possibly qualified) name that starts at `location`. */
export function afterName(tokens: readonly Token[], location: number | undefined): Token[] {
  let i = tokens.findIndex((t) => t.start >= (location ?? 0));
  if (i < 0) return [];
  i++;
  while (tokens[i]?.text === '.' && tokens[i + 1]) i += 2;
  return tokens.slice(i);
}

/**
 * The tokens of each subcommand of an ALTER TABLE (`ALTER TABLE t ADD …, ALTER …`),
 * in the order of the parse tree's `cmds`; undefined when they do not line up.
 */
export function commandTokens(statement: LintStatement, relationLocation: number | undefined, count: number) {
  const parts = splitTopLevel(afterName(tokensOf(statement), relationLocation));
  return parts.length === count ? parts : undefined;
}

/** The first token of `tokens` that starts the word sequence `words` (lower case), or undefined. */
export function findWords(tokens: readonly Token[], ...words: string[]): Token | undefined {
  const i = tokens.findIndex((_, n) => words.every((w, k) => tokens[n + k]?.word === w));
  return i < 0 ? undefined : tokens[i];
}

/** The source text from byte `from` (a token's start) up to, not including, byte `to`, trimmed. */
export function sourceBetween(statement: LintStatement, from: number, to: number): string {
  const inside = tokensOf(statement).filter((t) => t.start >= from && t.end <= to);
  const first = inside[0];
  const last = inside[inside.length - 1];
  if (!first || !last) return '';
  const bytes = Buffer.from(statement.text, 'utf8');
  return bytes.toString('utf8', first.start - statement.offset, last.end - statement.offset).trim();
}

/** Identifiers quoted as PostgreSQL needs them (keywords too): one implementation, in sql-text.ts. */
export { quoteIdent };

/** A relation as it must be written: `public."Orders"`. */
export function sqlName(table: RelationName): string {
  return table.schema ? `${quoteIdent(table.schema)}.${quoteIdent(table.name)}` : quoteIdent(table.name);
}

/** A constraint name made of a table's and a column's, within PostgreSQL's 63 bytes. */
export function constraintName(table: RelationName, column: string, suffix: string): string {
  const room = 63 - suffix.length - 2;
  const base = `${table.name}_${column}`;
  return quoteIdent(
    `${Buffer.from(base)
      .subarray(0, room)
      .toString('utf8')
      .replace(/\uFFFD$/, '')}_${suffix}`,
  );
}
