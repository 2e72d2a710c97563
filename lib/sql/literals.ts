/**
 * End offsets of the tokens whose body can hold `;`, quotes or comment
 * markers: strings, quoted identifiers, dollar quotes and comments. Each
 * function takes the offset of the token's opening character and returns the
 * offset just past the token; an unterminated token runs to the end of the
 * input, where the server will report it. All are linear in the token length.
 */
import {
  BACKSLASH, CR, DOLLAR, DOT, LF, MINUS, SLASH, STAR,
  isAlnumOrUnderscore, isDigit, isIdentCont, isOperatorChar, isTagCont, isIdentStart,
} from './chars';

/**
 * A quoted run where the quote is escaped by doubling it: `'…'` (standard
 * strings, and `B''`, `X''`, `N''`, `U&''`) and `"…"` (quoted identifiers).
 * Backslashes are plain characters (standard_conforming_strings = on).
 */
export function endOfQuoted(sql: string, open: number): number {
  const quote = sql[open] as string;
  const code = sql.charCodeAt(open);
  let from = open + 1;
  for (;;) {
    const close = sql.indexOf(quote, from);
    if (close === -1) return sql.length;
    if (sql.charCodeAt(close + 1) !== code) return close + 1;
    from = close + 2;
  }
}

/** An `E'…'` string body: a backslash escapes the next character, `''` is a quote. */
export function endOfEscapeString(sql: string, open: number): number {
  const quote = sql.charCodeAt(open);
  for (let i = open + 1; i < sql.length; i++) {
    const c = sql.charCodeAt(i);
    if (c === BACKSLASH) {
      i++;
    } else if (c === quote) {
      if (sql.charCodeAt(i + 1) !== quote) return i + 1;
      i++;
    }
  }
  return sql.length;
}

/**
 * The delimiter length of a dollar quote opening at `open` (`$$` or `$tag$`,
 * where a tag is an identifier without `$`), or 0 when `$` opens none.
 */
export function dollarTagLength(sql: string, open: number): number {
  let i = open + 1;
  if (sql.charCodeAt(i) !== DOLLAR) {
    if (!isIdentStart(sql.charCodeAt(i))) return 0;
    while (isTagCont(sql.charCodeAt(i))) i++;
    if (sql.charCodeAt(i) !== DOLLAR) return 0;
  }
  return i + 1 - open;
}

/** A dollar-quoted string whose delimiter is `tagLength` characters long. */
export function endOfDollarString(sql: string, open: number, tagLength: number): number {
  const tag = sql.slice(open, open + tagLength);
  const close = sql.indexOf(tag, open + tagLength);
  return close === -1 ? sql.length : close + tagLength;
}

/** A `--` comment, up to (not including) the next `\n` or `\r`. */
export function endOfLineComment(sql: string, open: number): number {
  let i = open + 2;
  while (i < sql.length) {
    const c = sql.charCodeAt(i);
    if (c === LF || c === CR) return i;
    i++;
  }
  return i;
}

/** A `/* … *\/` comment; PostgreSQL block comments nest. */
export function endOfBlockComment(sql: string, open: number): number {
  let depth = 1;
  let i = open + 2;
  while (i < sql.length) {
    const c = sql.charCodeAt(i);
    const next = sql.charCodeAt(i + 1);
    if (c === SLASH && next === STAR) {
      depth++;
      i += 2;
    } else if (c === STAR && next === SLASH) {
      i += 2;
      if (--depth === 0) return i;
    } else {
      i++;
    }
  }
  return sql.length;
}

/** Words: identifiers and keywords (which may contain `$` after the first character). */
export function endOfWord(sql: string, start: number): number {
  let i = start + 1;
  while (isIdentCont(sql.charCodeAt(i))) i++;
  return i;
}

/** `$1`, `$22`: positional parameters. */
export function endOfParameter(sql: string, start: number): number {
  let i = start + 1;
  while (isDigit(sql.charCodeAt(i))) i++;
  return i;
}

function endOfDigits(sql: string, from: number): number {
  let i = from;
  while (isDigit(sql.charCodeAt(i)) || sql.charCodeAt(i) === 0x5f) i++;
  return i;
}

/** Numbers: `42`, `1_000`, `3.14`, `.5`, `1e-3`, `0xFF`, `0o17`, `0b1010`. `1..2` stops before `..`. */
export function endOfNumber(sql: string, start: number): number {
  const radix = sql.charCodeAt(start + 1) | 0x20;
  if (sql.charCodeAt(start) === 0x30 && (radix === 0x78 || radix === 0x6f || radix === 0x62)) {
    let i = start + 2;
    while (isAlnumOrUnderscore(sql.charCodeAt(i))) i++;
    return i;
  }
  let i = endOfDigits(sql, start);
  if (sql.charCodeAt(i) === DOT && sql.charCodeAt(i + 1) !== DOT) i = endOfDigits(sql, i + 1);
  if ((sql.charCodeAt(i) | 0x20) === 0x65) {
    const sign = sql.charCodeAt(i + 1);
    const digits = sign === 0x2b || sign === MINUS ? i + 2 : i + 1;
    if (isDigit(sql.charCodeAt(digits))) i = endOfDigits(sql, digits);
  }
  return i;
}

/** A run of operator characters; `--` and `/*` inside it start a comment instead. */
export function endOfOperator(sql: string, start: number): number {
  let i = start + 1;
  while (isOperatorChar(sql.charCodeAt(i))) {
    const c = sql.charCodeAt(i);
    const next = sql.charCodeAt(i + 1);
    if ((c === MINUS && next === MINUS) || (c === SLASH && next === STAR)) break;
    i++;
  }
  return i;
}
