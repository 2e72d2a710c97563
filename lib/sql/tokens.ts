/**
 * The token stream of a script, for consumers that need more than statement
 * boundaries: comparing two scripts while ignoring comments and whitespace,
 * or looking at the leading keywords of a statement.
 */
import { isKeyword } from './keywords';
import { Scanner, type TokenKind } from './scanner';

export type { TokenKind } from './scanner';

/** One token: `text` is exactly `sql.slice(start, start + text.length)`. */
export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** UTF-16 offset of the token in the input. */
  readonly start: number;
}

/**
 * Yields every token of `sql` in order, including whitespace and comments, so
 * the concatenated `text`s give back `sql` exactly. Bare words that are
 * PostgreSQL keywords come as `keyword`, other words as `identifier`; quoted
 * identifiers are never keywords. Never throws: an unterminated string,
 * quoted identifier or comment runs to the end of the input.
 */
export function* tokens(sql: string): Generator<Token, void, undefined> {
  const scanner = new Scanner(sql);
  while (scanner.next()) {
    const text = sql.slice(scanner.start, scanner.end);
    const kind = scanner.kind === 'identifier' && isKeyword(text) ? 'keyword' : scanner.kind;
    yield { kind, text, start: scanner.start };
  }
}

/** True for tokens that carry meaning: everything except whitespace and comments. */
export function isSignificant(token: Token): boolean {
  return token.kind !== 'whitespace' && token.kind !== 'comment';
}

/** The first `limit` significant tokens of `sql` (all of them by default). */
export function significantTokens(sql: string, limit = Infinity): Token[] {
  const out: Token[] = [];
  for (const token of tokens(sql)) {
    if (out.length >= limit) break;
    if (isSignificant(token)) out.push(token);
  }
  return out;
}
