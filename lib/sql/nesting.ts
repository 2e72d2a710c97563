/**
 * Where a `;` ends a statement: outside parentheses and outside SQL-standard
 * function bodies (`BEGIN ATOMIC … END`). Fed one significant token at a
 * time by the lexer.
 */
import { CLOSE_PAREN, OPEN_PAREN, SEMICOLON, isWord } from './chars';
import type { Scanner } from './scanner';

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
export class Nesting {
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
