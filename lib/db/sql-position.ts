/**
 * PostgreSQL error positions → line, column and a code frame.
 *
 * The server reports `position` as a 1-based index in characters (code
 * points) of the query string it received, which is the script with its BOM
 * removed. One linear pass; no quadratic work on big files.
 */

export interface LineColumn {
  /** 1-based. */
  readonly line: number;
  /** 1-based, in code points. */
  readonly column: number;
  /** UTF-16 offset of the start of that line. */
  readonly lineStart: number;
}

/** Maps a 1-based character position to a 1-based line and column. Out-of-range positions clamp to the end. */
export function lineColumnAt(sql: string, position: number): LineColumn {
  let line = 1;
  let lineStart = 0;
  let column = 1;
  let seen = 1;
  let i = 0;
  while (i < sql.length && seen < position) {
    const code = sql.charCodeAt(i);
    const isPair = code >= 0xd800 && code <= 0xdbff && i + 1 < sql.length && (sql.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    i += isPair ? 2 : 1;
    seen++;
    if (code === 0x0a) {
      line++;
      lineStart = i;
      column = 1;
    } else {
      column++;
    }
  }
  return { line, column, lineStart };
}

/**
 * {@link lineColumnAt} over the UTF-8 bytes of a big script (Script.bytes),
 * which is never decoded whole: the same line and column, and `lineStart`
 * as a byte offset. A code point is a byte that is not a continuation byte.
 */
export function lineColumnInBytes(bytes: Uint8Array, position: number): LineColumn {
  let line = 1;
  let lineStart = 0;
  let column = 1;
  let seen = 1;
  let i = 0;
  while (i < bytes.length && seen < position) {
    const code = bytes[i++];
    while (i < bytes.length && (bytes[i] & 0xc0) === 0x80) i++;
    seen++;
    if (code === 0x0a) {
      line++;
      lineStart = i;
      column = 1;
    } else {
      column++;
    }
  }
  return { line, column, lineStart };
}

/** The text of the line starting at `lineStart`, without its line ending; only that line is decoded from bytes. */
function lineText(sql: string | Uint8Array, lineStart: number): string {
  let text: string;
  if (typeof sql === 'string') {
    const end = sql.indexOf('\n', lineStart);
    text = sql.slice(lineStart, end === -1 ? sql.length : end);
  } else {
    const end = sql.indexOf(0x0a, lineStart);
    text = Buffer.from(sql.buffer, sql.byteOffset, sql.byteLength).toString('utf8', lineStart, end === -1 ? sql.length : end);
  }
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}

/**
 * A compiler-style frame: the offending line, numbered, with a caret under
 * the column. Tabs before the column are kept so the caret lines up. `sql`
 * is the text, or the bytes of a big script with an `at` from
 * {@link lineColumnInBytes}.
 */
export function codeFrame(sql: string | Uint8Array, at: LineColumn): string {
  const text = lineText(sql, at.lineStart);
  const gutter = String(at.line);
  const pad = ' '.repeat(gutter.length);
  const indent: string[] = [];
  for (const ch of text) { // only up to the column: the line may be the whole script
    if (indent.length >= at.column - 1) break;
    indent.push(ch === '\t' ? '\t' : ' ');
  }
  return `${pad} |\n${gutter} | ${text}\n${pad} | ${indent.join('')}^`;
}
