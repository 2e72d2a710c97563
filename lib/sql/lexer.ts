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
import { CLOSE_PAREN, CR, LF, OPEN_PAREN, SEMICOLON, isWord } from './chars';
import { Scanner } from './scanner';

/** One statement of a script. */
export interface Statement {
  /** 0-based position among the returned (non-empty) statements. */
  readonly index: number;
  /**
   * `sql.slice(start, end)`: from the first token up to, not including, the
   * terminating `;`. It keeps comments and whitespace inside the statement and
   * before the `;`; a last statement without `;` runs to the end of the script.
   */
  readonly text: string;
  /** UTF-16 offset of the statement's first token in the script. */
  readonly start: number;
  /** UTF-16 offset of the terminating `;`, or the script's length. */
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
  const statements: Statement[] = [];
  const scanner = new Scanner(sql);
  const cursor = new LineCursor(sql);
  const nesting = new Nesting(sql);
  let start = -1;
  const emit = (end: number): void => {
    if (start >= 0) {
      const { line, column } = cursor.moveTo(start);
      statements.push({ index: statements.length, text: sql.slice(start, end), start, end, line, column });
    }
    start = -1;
    nesting.reset();
  };
  while (scanner.next()) {
    if (scanner.kind === 'whitespace' || scanner.kind === 'comment') continue;
    if (nesting.endsStatement(scanner)) emit(scanner.start);
    else if (start < 0) start = scanner.start;
  }
  emit(sql.length);
  return statements;
}

/**
 * What decides whether a `;` ends the statement: the parenthesis depth, and
 * the depth of `BEGIN`/`CASE` … `END` inside a `BEGIN ATOMIC` body. Like psql,
 * it looks for the body only in `CREATE` statements and counts bare words:
 * a body is `BEGIN ATOMIC stmt; … END`, and a `CASE … END` expression
 * inside it must not close it.
 */
class Nesting {
  private parens = 0;
  private atomic = 0;
  private tokens = 0;
  private isCreate = false;
  private afterBegin = false;

  constructor(private readonly sql: string) {}

  reset(): void {
    this.parens = 0;
    this.atomic = 0;
    this.tokens = 0;
    this.isCreate = false;
    this.afterBegin = false;
  }

  /** Feeds the next significant token; true when it is a `;` that ends the statement. */
  endsStatement(token: Scanner): boolean {
    const afterBegin = this.afterBegin;
    this.afterBegin = false;
    if (token.kind === 'punctuation') {
      const c = this.sql.charCodeAt(token.start);
      if (c === SEMICOLON && this.parens === 0 && this.atomic === 0) return true;
      if (c === OPEN_PAREN) this.parens++;
      else if (c === CLOSE_PAREN && this.parens > 0) this.parens--;
    } else if (token.kind === 'identifier') {
      this.word(token.start, token.end, afterBegin);
    }
    this.tokens++;
    return false;
  }

  private word(start: number, end: number, afterBegin: boolean): void {
    const is = (word: string): boolean => isWord(this.sql, start, end, word);
    if (this.tokens === 0) {
      this.isCreate = is('create');
    } else if (!this.isCreate) {
      return;
    } else if (this.atomic > 0) {
      if (is('begin') || is('case')) this.atomic++;
      else if (is('end')) this.atomic--;
    } else if (afterBegin && is('atomic')) {
      this.atomic = 1;
    } else {
      this.afterBegin = is('begin');
    }
  }
}

/**
 * Line and column of increasing offsets, computed incrementally so that a
 * whole script costs one pass. Columns count code points: the second half of
 * a surrogate pair adds nothing.
 */
class LineCursor {
  private offset = 0;
  private line = 1;
  private column = 1;

  constructor(private readonly sql: string) {}

  /** Position of `target`, which must not be before the previous target. */
  moveTo(target: number): { readonly line: number; readonly column: number } {
    const { sql } = this;
    for (let i = this.offset; i < target; i++) {
      const c = sql.charCodeAt(i);
      if (c === LF || (c === CR && sql.charCodeAt(i + 1) !== LF)) {
        this.line++;
        this.column = 1;
      } else if (c !== CR && !isLowSurrogateAfterHigh(sql, i, c)) {
        this.column++;
      }
    }
    this.offset = target;
    return { line: this.line, column: this.column };
  }
}

function isLowSurrogateAfterHigh(sql: string, i: number, c: number): boolean {
  if (c < 0xdc00 || c > 0xdfff || i === 0) return false;
  const previous = sql.charCodeAt(i - 1);
  return previous >= 0xd800 && previous <= 0xdbff;
}

export { tokens, isSignificant, significantTokens, type Token, type TokenKind } from './tokens';
