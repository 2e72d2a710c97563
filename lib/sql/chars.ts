/**
 * Character classes of PostgreSQL's SQL scanner (`src/backend/parser/scan.l`),
 * over UTF-16 code units. The server works on bytes and counts every byte
 * >= 0x80 as a letter, so every non-ASCII code unit is a letter here too.
 */

export const TAB = 0x09;
export const LF = 0x0a;
export const VT = 0x0b;
export const FF = 0x0c;
export const CR = 0x0d;
export const SPACE = 0x20;
export const DOUBLE_QUOTE = 0x22;
export const DOLLAR = 0x24;
export const AMPERSAND = 0x26;
export const QUOTE = 0x27;
export const OPEN_PAREN = 0x28;
export const CLOSE_PAREN = 0x29;
export const STAR = 0x2a;
export const PLUS = 0x2b;
export const MINUS = 0x2d;
export const DOT = 0x2e;
export const SLASH = 0x2f;
export const COLON = 0x3a;
export const SEMICOLON = 0x3b;
export const EQUALS = 0x3d;
export const BACKSLASH = 0x5c;
export const UNDERSCORE = 0x5f;

/** `[ \t\n\r\f\v]`: PostgreSQL's whitespace. */
export function isSpace(c: number): boolean {
  return c === SPACE || (c >= TAB && c <= CR);
}

export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isAsciiLetter(c: number): boolean {
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x7a;
}

/** `[A-Za-z\200-\377_]`: first character of an identifier or dollar-quote tag. */
export function isIdentStart(c: number): boolean {
  return isAsciiLetter(c) || c === UNDERSCORE || c >= 0x80;
}

/** `[A-Za-z\200-\377_0-9]`: later characters of a dollar-quote tag (no `$`). */
export function isTagCont(c: number): boolean {
  return isIdentStart(c) || isDigit(c);
}

/** `[A-Za-z\200-\377_0-9\$]`: later characters of an identifier. */
export function isIdentCont(c: number): boolean {
  return isTagCont(c) || c === DOLLAR;
}

/** Letters, digits and `_`: the body of `0x…`, `0o…`, `0b…` integers. */
export function isAlnumOrUnderscore(c: number): boolean {
  return isAsciiLetter(c) || isDigit(c) || c === UNDERSCORE;
}

/** `~ ! @ # ^ & | \` ? + - * / % < > =`: characters that make up operators. */
export function isOperatorChar(c: number): boolean {
  switch (c) {
    case 0x7e: case 0x21: case 0x40: case 0x23: case 0x5e: case 0x26: case 0x7c:
    case 0x60: case 0x3f: case PLUS: case MINUS: case STAR: case SLASH: case 0x25:
    case 0x3c: case 0x3e: case EQUALS:
      return true;
    default:
      return false;
  }
}

/** ASCII case-insensitive test that `sql[start, end)` is `lowerWord` (given in lower case). */
export function isWord(sql: string, start: number, end: number, lowerWord: string): boolean {
  if (end - start !== lowerWord.length) return false;
  for (let i = 0; i < lowerWord.length; i++) {
    const c = sql.charCodeAt(start + i);
    const folded = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
    if (folded !== lowerWord.charCodeAt(i)) return false;
  }
  return true;
}
