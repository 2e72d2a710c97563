/**
 * Splits a script into the statements PostgreSQL would see, for scripts that
 * run outside a transaction (`-- tidemark:no-transaction`) one statement at a
 * time. Pure: no database, no I/O.
 *
 * A `;` ends a statement unless it is inside a string, quoted identifier,
 * dollar quote or comment, inside parentheses (`CREATE RULE … DO ALSO (a; b)`),
 * or inside a SQL-standard function body (`BEGIN ATOMIC … END`).
 *
 * Not supported: `COPY … FROM STDIN` with inline data (the data rows are not
 * SQL, and psql, not the server, reads them); psql meta-commands (`\i`,
 * `\set`, `:var`); `standard_conforming_strings = off`.
 */
import { CR, DOLLAR, LF, isTagCont } from './chars';
import { Nesting } from './nesting';
import { Scanner } from './scanner';

/** One statement of a script. */
export interface Statement {
  /** 0-based position among the returned (non-empty) statements. */
  readonly index: number;
  /**
   * The script from `start` up to, not including, the terminating `;`. It
   * keeps comments and whitespace inside the statement and before the `;`; a
   * last statement without `;` runs to the end of the script.
   */
  readonly text: string;
  /** Offset of the statement's first token: UTF-16 units from {@link splitStatements}, bytes from a script's body. */
  readonly start: number;
  /** Offset of the terminating `;`, or the script's length, in the same units. */
  readonly end: number;
  /** 1-based line of `start`; `\n`, `\r\n` and a lone `\r` each end a line. */
  readonly line: number;
  /** 1-based column of `start`, in Unicode code points. */
  readonly column: number;
}

/**
 * Splits `sql` into statements, in order. Statements holding only comments
 * and whitespace, and stray `;`, are dropped. Never throws: an unterminated
 * string, quoted identifier or comment makes the rest of the script part of
 * the last statement, so that the server reports the error. Linear in the
 * length of `sql`.
 */
export function splitStatements(sql: string): Statement[] {
  const cursor = LineCursor.ofText(sql);
  const statements: Statement[] = [];
  for (const { index, start, end } of bounds((from, to) => sql.slice(from, to), sql.length, sql.length)) {
    statements.push({ index, text: sql.slice(start, end), start, end, ...cursor.moveTo(start) });
  }
  return statements;
}

/** A statement found by {@link statementsInBytes}: where it is, not its text. */
export interface ByteStatement {
  /** 0-based position among the (non-empty) statements. */
  readonly index: number;
  /** Byte offset of the statement's first token. */
  readonly start: number;
  /** Byte offset of the terminating `;`, or the length of the input. */
  readonly end: number;
  /**
   * The first token in lower case when it is a bare ASCII word, as
   * `words()` gives it; null for anything else (a quoted identifier, `(`, a
   * word with other characters, which matches no keyword).
   */
  readonly firstWord: string | null;
}

/** Window of a big script decoded at a time: below 1 MB, where Node makes strings external (freed only by a full GC). */
const WINDOW = 512 * 1024;

/**
 * The statements of a UTF-8 script given as bytes, one at a time, as
 * {@link splitStatements} finds them in the decoded text (the same
 * statements; offsets in bytes instead of UTF-16 units). Neither the text
 * nor the list of statements is ever held whole.
 *
 * The bytes are scanned as latin1, a window at a time. Every character that
 * the scanner tells apart is ASCII, and every byte of a multi-byte UTF-8
 * character is >= 0x80, a letter to the scanner as the character itself is,
 * so the tokens have the same bounds.
 *
 * `windowBytes` is for tests, which make it tiny to put edges everywhere.
 */
export function statementsInBytes(bytes: Uint8Array, windowBytes = WINDOW): Generator<ByteStatement, void, undefined> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return bounds((from, to) => buffer.toString('latin1', from, to), buffer.length, windowBytes);
}

/**
 * The statement bounds of a source of `length` units, read through `windowOf`
 * a window of at most `windowSize` units at a time (one window: the whole
 * text). A token that ends, or whose scanning looked ahead, at the window's
 * edge is scanned again at the start of the next window (a window twice as
 * big when the token fills the window), so that nothing depends on where a
 * window ends. Linear in the input.
 */
function* bounds(
  windowOf: (from: number, to: number) => string,
  length: number,
  windowSize: number,
): Generator<ByteStatement, void, undefined> {
  const nesting = new Nesting();
  let index = 0;
  let start = -1;
  let firstWord: string | null = null;
  let base = 0;
  let size = Math.max(1, windowSize);
  for (;;) {
    const limit = Math.min(length, base + size);
    const final = limit === length;
    const text = windowOf(base, limit);
    const scanner = new Scanner(text);
    let again = -1;
    while (scanner.next()) {
      if (!final && lastLookedAt(scanner) >= text.length) {
        again = scanner.start;
        break;
      }
      if (scanner.kind === 'whitespace' || scanner.kind === 'comment') continue;
      if (nesting.endsStatement(scanner)) {
        if (start >= 0) yield { index: index++, start, end: base + scanner.start, firstWord };
        start = -1;
        nesting.reset();
      } else if (start < 0) {
        start = base + scanner.start;
        firstWord = scanner.kind === 'identifier' ? asciiWord(text, scanner.start, scanner.end) : null;
      }
    }
    if (final) break;
    base += again === 0 ? 0 : again;
    size = again === 0 ? size * 2 : Math.max(1, windowSize); // a token that fills the window: a bigger one
  }
  if (start >= 0) yield { index, start, end: length, firstWord };
}

/**
 * The furthest offset the scanner read to cut the current token: two past
 * its end at most (`1e+x` reads the `+` and the `x` to end the number at
 * `1`), except for a `$` that opens no dollar quote, which read the whole
 * would-be tag after it.
 */
function lastLookedAt(token: Scanner): number {
  const { sql, start, end } = token;
  if (token.kind === 'punctuation' && sql.charCodeAt(start) === DOLLAR) {
    let i = start + 1;
    while (isTagCont(sql.charCodeAt(i))) i++;
    return Math.max(i, end + 2);
  }
  return end + 2;
}

/** `text[start, end)` in lower case when it is all ASCII and short enough to be a keyword, else null. */
function asciiWord(text: string, start: number, end: number): string | null {
  if (end - start > 64) return null;
  for (let i = start; i < end; i++) if (text.charCodeAt(i) > 0x7f) return null;
  return text.slice(start, end).toLowerCase();
}

/**
 * Line and column of increasing offsets, computed incrementally so that a
 * whole script costs one pass; `\n`, `\r\n` and a lone `\r` each end a
 * line. Columns count code points: over text, the second half of a surrogate
 * pair adds nothing; over UTF-8 bytes, a continuation byte (0x80–0xBF).
 */
export class LineCursor {
  private offset = 0;
  private line = 1;
  private column = 1;

  private constructor(
    private readonly length: number,
    private readonly unitAt: (i: number) => number,
    private readonly continues: (i: number, unit: number) => boolean,
  ) {}

  /** A cursor over text, in UTF-16 offsets. */
  static ofText(sql: string): LineCursor {
    return new LineCursor(sql.length, (i) => sql.charCodeAt(i), (i, c) => isLowSurrogateAfterHigh(sql, i, c));
  }

  /** A cursor over UTF-8 bytes, in byte offsets. */
  static ofBytes(bytes: Uint8Array): LineCursor {
    return new LineCursor(bytes.length, (i) => bytes[i], (_i, c) => (c & 0xc0) === 0x80);
  }

  /** Position of `target`; a target before the previous one starts again from the beginning. */
  moveTo(target: number): { readonly line: number; readonly column: number } {
    if (target < this.offset) [this.offset, this.line, this.column] = [0, 1, 1];
    const end = Math.min(target, this.length);
    for (let i = this.offset; i < end; i++) {
      const c = this.unitAt(i);
      if (c === LF || (c === CR && this.unitAt(i + 1) !== LF)) {
        this.line++;
        this.column = 1;
      } else if (c !== CR && !this.continues(i, c)) {
        this.column++;
      }
    }
    this.offset = end;
    return { line: this.line, column: this.column };
  }
}

function isLowSurrogateAfterHigh(sql: string, i: number, c: number): boolean {
  if (c < 0xdc00 || c > 0xdfff || i === 0) return false;
  const previous = sql.charCodeAt(i - 1);
  return previous >= 0xd800 && previous <= 0xdbff;
}

export { tokens, isSignificant, significantTokens, type Token, type TokenKind } from './tokens';
