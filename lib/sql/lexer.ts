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
import { CLOSE_PAREN, CR, DOLLAR, LF, OPEN_PAREN, SEMICOLON, isTagCont, isWord } from './chars';
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

/**
 * What decides whether a `;` ends the statement: the parenthesis depth, and
 * the SQL-standard function bodies (`BEGIN ATOMIC stmt; … END`) it is in.
 *
 * PostgreSQL's grammar, not psql's heuristic (psql counts every bare `begin`
 * and `case` in a `CREATE FUNCTION`, so `SELECT begin FROM t` inside a body
 * keeps psql's statement open): a body is `BEGIN ATOMIC` in a `CREATE [OR
 * REPLACE] FUNCTION | PROCEDURE` statement, outside parentheses; inside it,
 * a statement may not start with `BEGIN` or `END` (gram.y: `stmt` leaves
 * them to `toplevel_stmt`), so `END` closes the body exactly when it starts
 * a statement — right after `ATOMIC` or a `;` of the body. Elsewhere `end`
 * closes a `CASE` or is a label (`SELECT 1 AS end`), and `begin` is any
 * unreserved word: a column, a function argument. A body's statement may be
 * a `CREATE FUNCTION` with a body of its own: bodies nest.
 */
class Nesting {
  private parens = 0;
  /** The parenthesis depth at each open body's `BEGIN ATOMIC`, innermost last. */
  private readonly bodies: number[] = [];
  /** The current statement (the innermost: the top-level one, or one inside a body). */
  private head: Head = 'start';
  private afterBegin = false;

  reset(): void {
    this.parens = 0;
    this.bodies.length = 0;
    this.head = 'start';
    this.afterBegin = false;
  }

  /** Feeds the next significant token; true when it is a `;` that ends the statement. */
  endsStatement(token: Scanner): boolean {
    if (token.kind === 'punctuation') return this.punctuation(token.sql.charCodeAt(token.start));
    if (this.head === 'other') return false; // most tokens: nothing to look for before the next `;`
    if (token.kind === 'identifier') {
      this.word(token);
    } else {
      this.afterBegin = false;
      if (this.head !== 'routine') this.head = 'other';
    }
    return false;
  }

  /** The parenthesis depth at the innermost open body's `BEGIN ATOMIC` (0 outside bodies). */
  private base(): number {
    return this.bodies.length === 0 ? 0 : (this.bodies[this.bodies.length - 1] as number);
  }

  private punctuation(c: number): boolean {
    this.afterBegin = false;
    if (c === SEMICOLON && this.parens === this.base()) {
      if (this.bodies.length === 0) return true;
      this.head = 'start'; // the next statement of the body
      return false;
    }
    if (c === OPEN_PAREN) this.parens++;
    else if (c === CLOSE_PAREN && this.parens > 0) this.parens--;
    if (this.head !== 'routine') this.head = 'other';
    return false;
  }

  private word(token: Scanner): void {
    const afterBegin = this.afterBegin;
    this.afterBegin = false;
    if (this.head === 'routine') {
      if (this.parens !== this.base()) return;
      if (afterBegin && is(token, 'atomic')) {
        this.bodies.push(this.parens);
        this.head = 'start';
      } else {
        this.afterBegin = is(token, 'begin');
      }
    } else if (this.head === 'start' && this.bodies.length > 0 && is(token, 'end')) {
      this.bodies.pop();
      this.head = 'routine'; // the rest of the CREATE FUNCTION that held the body
    } else {
      this.head = nextHead(this.head, token);
    }
  }
}

/**
 * How far the leading words of a statement match `CREATE [OR REPLACE]
 * FUNCTION | PROCEDURE`: `routine` when they do (it may have a body), `other`
 * when they cannot.
 */
type Head = 'start' | 'create' | 'create-or' | 'create-or-replace' | 'routine' | 'other';

/** The head after the bare word `token`, from `start`, `create`, `create-or` or `create-or-replace`. */
function nextHead(head: Head, token: Scanner): Head {
  switch (head) {
    case 'start':
      return is(token, 'create') ? 'create' : 'other';
    case 'create':
      return is(token, 'or') ? 'create-or' : is(token, 'function') || is(token, 'procedure') ? 'routine' : 'other';
    case 'create-or':
      return is(token, 'replace') ? 'create-or-replace' : 'other';
    default:
      return is(token, 'function') || is(token, 'procedure') ? 'routine' : 'other';
  }
}

/** The current token is the bare word `lowerWord`, in any case. */
function is(token: Scanner, lowerWord: string): boolean {
  return isWord(token.sql, token.start, token.end, lowerWord);
}

export { tokens, isSignificant, significantTokens, type Token, type TokenKind } from './tokens';
