/**
 * A single-pass scanner over PostgreSQL SQL text: it cuts the input into
 * tokens without copying them, so callers can walk a 50 MB script without
 * allocating a string per token. It never throws: bad input (an unterminated
 * string, a stray character) still yields tokens that cover every character.
 *
 * Assumes `standard_conforming_strings = on` (the default since 9.1): in a
 * plain `'…'` string a backslash is an ordinary character.
 */
import {
  AMPERSAND, COLON, DOLLAR, DOT, DOUBLE_QUOTE, EQUALS, MINUS, QUOTE, SLASH, STAR,
  isDigit, isIdentStart, isOperatorChar, isSpace,
} from './chars';
import {
  dollarTagLength, endOfBlockComment, endOfDollarString, endOfEscapeString, endOfLineComment,
  endOfNumber, endOfOperator, endOfParameter, endOfQuoted, endOfWord,
} from './literals';

/** What a token is. Whitespace and comments are tokens too, so nothing is lost. */
export type TokenKind =
  | 'keyword'
  | 'identifier'
  | 'quoted-identifier'
  | 'string'
  | 'dollar-string'
  | 'number'
  | 'operator'
  | 'punctuation'
  | 'comment'
  | 'whitespace'
  | 'parameter';

/** The kinds the scanner reports: it calls every bare word an identifier. */
export type ScannedKind = Exclude<TokenKind, 'keyword'>;

/**
 * Walks `sql` token by token. After `next()` returns true, `kind`, `start`
 * and `end` describe the current token as `sql.slice(start, end)`.
 */
export class Scanner {
  kind: ScannedKind = 'whitespace';
  start = 0;
  end = 0;

  constructor(readonly sql: string) {}

  /** Moves to the next token; false (and no change) at the end of the input. */
  next(): boolean {
    if (this.end >= this.sql.length) return false;
    this.start = this.end;
    this.end = this.scan(this.start);
    return true;
  }

  private scan(pos: number): number {
    const { sql } = this;
    const c = sql.charCodeAt(pos);
    const next = sql.charCodeAt(pos + 1);
    if (isSpace(c)) return this.set('whitespace', endOfSpace(sql, pos));
    if (c === MINUS && next === MINUS) return this.set('comment', endOfLineComment(sql, pos));
    if (c === SLASH && next === STAR) return this.set('comment', endOfBlockComment(sql, pos));
    if (c === QUOTE) return this.set('string', endOfQuoted(sql, pos));
    if (c === DOUBLE_QUOTE) return this.set('quoted-identifier', endOfQuoted(sql, pos));
    if (isIdentStart(c)) return this.scanWord(pos, c, next);
    if (isDigit(c) || (c === DOT && isDigit(next))) return this.set('number', endOfNumber(sql, pos));
    if (c === DOLLAR) return this.scanDollar(pos, next);
    if (isOperatorChar(c)) return this.set('operator', endOfOperator(sql, pos));
    if ((c === COLON && next === COLON) || (c === DOT && next === DOT)) return this.set('punctuation', pos + 2);
    if (c === COLON && next === EQUALS) return this.set('operator', pos + 2);
    return this.set('punctuation', pos + 1);
  }

  /**
   * A word, or a string with a prefix: `E'…'`, `B'…'`, `X'…'`, `U&'…'`, `U&"…"`.
   * `N'…'` is the word `N` and a string, as PostgreSQL scans it.
   */
  private scanWord(pos: number, c: number, next: number): number {
    const { sql } = this;
    const letter = c | 0x20;
    if (next === QUOTE) {
      if (letter === 0x65) return this.set('string', endOfEscapeString(sql, pos + 1));
      if (letter === 0x62 || letter === 0x78) return this.set('string', endOfQuoted(sql, pos + 1));
    }
    if (letter === 0x75 && next === AMPERSAND) {
      const quote = sql.charCodeAt(pos + 2);
      if (quote === QUOTE) return this.set('string', endOfQuoted(sql, pos + 2));
      if (quote === DOUBLE_QUOTE) return this.set('quoted-identifier', endOfQuoted(sql, pos + 2));
    }
    return this.set('identifier', endOfWord(sql, pos));
  }

  /** `$1` is a parameter, `$$…$$` and `$tag$…$tag$` are dollar quotes, any other `$` stands alone. */
  private scanDollar(pos: number, next: number): number {
    if (isDigit(next)) return this.set('parameter', endOfParameter(this.sql, pos));
    const tagLength = dollarTagLength(this.sql, pos);
    if (tagLength === 0) return this.set('punctuation', pos + 1);
    return this.set('dollar-string', endOfDollarString(this.sql, pos, tagLength));
  }

  private set(kind: ScannedKind, end: number): number {
    this.kind = kind;
    return end;
  }
}

function endOfSpace(sql: string, start: number): number {
  let i = start + 1;
  while (isSpace(sql.charCodeAt(i))) i++;
  return i;
}
