/**
 * Helpers for rules that point at a token and write a rewrite: names quoted
 * the way PostgreSQL's `quote_ident` would, the statement's tokens (from
 * PostgreSQL's own scanner, so comments and quoted names never fool them),
 * and the text of one clause as written.
 *
 * Positions: libpg-query gives UTF-8 byte offsets; the tokens here carry
 * offsets into the statement's text, and `at` turns one into a script
 * `location` for a Hit.
 */
import { scanSync } from 'libpg-query';
import type { LintStatement, RelationName } from '../types';

/** One token of a statement, `start`/`end` in bytes from the start of its text. */
export interface Token {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /** Lower case for a bare word (a keyword or an unquoted name); as written otherwise. */
  readonly word: string;
}

interface Scanned {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly keywordKind?: number;
  readonly tokenName?: string;
}

const scan = (sql: string): Scanned[] => (scanSync(sql) as { tokens?: Scanned[] }).tokens ?? [];

/** The statement's tokens (comments skipped). The parser must be loaded (the engine does it). */
export function tokensOf(statement: LintStatement): Token[] {
  const significant = scan(statement.text).filter((t) => t.tokenName !== 'SQL_COMMENT' && t.tokenName !== 'C_COMMENT');
  return significant.map((t) => ({
    start: t.start,
    end: t.end,
    text: t.text,
    word: /^[A-Za-z_][A-Za-z0-9_$]*$/.test(t.text) ? t.text.toLowerCase() : t.text,
  }));
}

/** The script `location` of a token of `statement`. */
export function at(statement: LintStatement, token: Token | undefined): number | undefined {
  return token ? statement.offset + token.start : undefined;
}

/** The first token that is the bare word `word` (lower case), from token index `from`. */
export function findWord(tokens: readonly Token[], word: string, from = 0): Token | undefined {
  for (let i = from; i < tokens.length; i++) if (tokens[i]?.word === word) return tokens[i];
  return undefined;
}

/** The name a token stands for: a quoted name without its quotes, a bare word folded to lower case. */
export function nameOf(token: Token): string {
  return token.text.startsWith('"') ? token.text.slice(1, -1).replace(/""/g, '"') : token.word;
}

/** The first token, from index `from`, that names `name` (quoted or not); its index, or -1. */
export function findName(tokens: readonly Token[], name: string, from = 0): number {
  for (let i = from; i < tokens.length; i++) if (nameOf(tokens[i] as Token) === name) return i;
  return -1;
}

/** `text` with `insert` put right after the token (byte offsets, so any character is safe). */
export function insertAfter(text: string, token: Token, insert: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.toString('utf8', 0, token.end) + insert + bytes.toString('utf8', token.end);
}

/**
 * The text of the clause that starts at script `location` (an ALTER TABLE
 * command, a constraint): up to the next comma outside parentheses, or the
 * end of the statement.
 */
export function clauseAt(statement: LintStatement, location: number | undefined): string {
  const from = (location ?? statement.offset) - statement.offset;
  let depth = 0;
  let end: number | undefined;
  for (const token of tokensOf(statement)) {
    if (token.start < from) continue;
    if (token.text === '(') depth++;
    else if (token.text === ')') depth--;
    else if (token.text === ',' && depth === 0) break;
    end = token.end;
  }
  return Buffer.from(statement.text, 'utf8').toString('utf8', from, end ?? from);
}

/** The statement's text between two script locations (bytes), trimmed; to its end when `to` is undefined. */
export function textBetween(statement: LintStatement, from: number, to?: number): string {
  const bytes = Buffer.from(statement.text, 'utf8');
  return bytes.toString('utf8', from - statement.offset, to === undefined ? undefined : to - statement.offset).trim();
}

/** The statement's text up to its last token: a trailing `-- comment` would swallow the `;` a rewrite adds. */
export function bodyOf(statement: LintStatement, tokens: readonly Token[] = tokensOf(statement)): string {
  const last = tokens[tokens.length - 1];
  return last ? Buffer.from(statement.text, 'utf8').toString('utf8', 0, last.end) : statement.text;
}

/** A name as `quote_ident` writes it: bare when lower case and not a reserved word, else in double quotes. */
export function quoteIdent(name: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(name)) {
    const [only, ...more] = scan(name);
    const reserved = (only?.keywordKind ?? 0) > 1; // 0: not a keyword, 1: unreserved
    if (more.length === 0 && !reserved) return name;
  }
  return `"${name.replace(/"/g, '""')}"`;
}

/** `schema.name` (each part quoted when needed), or `name` alone when no schema was written. */
export function qualified(relation: RelationName): string {
  return relation.schema ? `${quoteIdent(relation.schema)}.${quoteIdent(relation.name)}` : quoteIdent(relation.name);
}

/** A list of column names, quoted when needed: `a, "B"`. */
export function columnList(columns: readonly string[]): string {
  return columns.map(quoteIdent).join(', ');
}

/** The `-- tidemark:no-transaction` preamble of a rewrite that must run outside a transaction. */
export const OWN_MIGRATION =
  '-- a migration of its own, marked to run outside a transaction:\n-- tidemark:no-transaction\n';

/** Whether a `( option [value] )` DefElem turns its option on: no value, or anything but false/off/0. */
export function optionOn(option: unknown): boolean {
  const arg = (option as { DefElem?: { arg?: Record<string, Record<string, unknown>> } }).DefElem?.arg;
  if (!arg) return true;
  const value = arg.String?.sval ?? arg.Boolean?.boolval ?? arg.Integer?.ival ?? (arg.Integer ? 0 : undefined);
  return !(value === false || value === 0 || (typeof value === 'string' && /^(false|off|no|0)$/i.test(value)));
}

/** The DefElem named `name` among `options` (VACUUM, REINDEX), or undefined. */
export function optionNamed(options: unknown, name: string): unknown {
  if (!Array.isArray(options)) return undefined;
  return options.find((o) => (o as { DefElem?: { defname?: string } }).DefElem?.defname === name);
}
