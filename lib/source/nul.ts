/**
 * NUL bytes in scripts. PostgreSQL reads a query as a C string: a NUL ends
 * it, so the server refuses the message as a protocol violation (or, sent
 * as a parameter, as "invalid byte sequence"), mid-deploy and without a
 * position. The scanner finds the first one instead, as `file:line:col`.
 */

/** Where the first NUL is: 1-based line and column (columns in code points, as PostgreSQL counts). */
export interface NulPosition {
  readonly line: number;
  readonly column: number;
}

/** What the scanner says about a script that holds one. */
export const NUL_REASON =
  'holds a NUL byte (0x00), which PostgreSQL cannot receive in a query; remove it ' +
  "(to store a zero byte, write it as an escape such as '\\x00'::bytea; a file saved as UTF-16 is full of them: save it as UTF-8)";

/**
 * The first NUL in a script's UTF-8 bytes (without its BOM), or null. The
 * bytes are searched and counted where they are, never decoded: a big data
 * migration is not copied for this.
 */
export function findNul(bytes: Buffer): NulPosition | null {
  const at = bytes.indexOf(0);
  if (at === -1) return null;
  let line = 1;
  let lineStart = 0;
  for (let nl = bytes.indexOf(0x0a); nl !== -1 && nl < at; nl = bytes.indexOf(0x0a, nl + 1)) {
    line++;
    lineStart = nl + 1;
  }
  let column = 1;
  for (let i = lineStart; i < at; i++) if ((bytes[i] & 0xc0) !== 0x80) column++; // a continuation byte is part of the code point before it
  return { line, column };
}
