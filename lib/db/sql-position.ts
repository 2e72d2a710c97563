/**
 * PostgreSQL error positions → line, column and a code frame.
 *
 * The server reports `position` as a 1-based index in characters (code
 * points) of the query string it received, which is the script's body (its
 * bytes, BOM removed). One linear pass over the bytes; no quadratic work on
 * big files, and none decoded whole.
 */

export interface LineColumn {
  /** 1-based. */
  readonly line: number;
  /** 1-based, in code points. */
  readonly column: number;
  /** Byte offset of the start of that line. */
  readonly lineStart: number;
}

/**
 * Maps a 1-based character position in a script's UTF-8 bytes (a big one
 * is never decoded for this) to a 1-based line and column, and the byte
 * offset of the line's start. A code point is a byte that is not a
 * continuation byte. Out-of-range positions clamp to the end.
 */
export function lineColumnAt(bytes: Uint8Array, position: number): LineColumn {
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

/** A line longer than this (in code points) is shown as a window of this many around the column. */
const FRAME_WIDTH = 160;
/** How much of a long line the window shows before the column. */
const FRAME_BEFORE = 60;

/** What the frame shows of the offending line: its text (or a window of it) and the column within that. */
interface ShownLine {
  readonly text: string;
  readonly column: number;
  readonly cutStart: boolean;
  readonly cutEnd: boolean;
}

/**
 * The line starting at `at.lineStart`, without its line ending; a line
 * longer than FRAME_WIDTH is cut to a window around the column (a data
 * migration may be one line of megabytes). Only the part shown is decoded.
 */
function shownLine(bytes: Uint8Array, at: LineColumn): ShownLine {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found = buffer.indexOf(0x0a, at.lineStart);
  let end = found === -1 ? buffer.length : found;
  if (end > at.lineStart && buffer[end - 1] === 0x0d) end--; // CRLF
  // A line of at most FRAME_WIDTH bytes has at most that many code points.
  const long = end - at.lineStart > FRAME_WIDTH;
  const skip = long ? Math.max(0, at.column - 1 - FRAME_BEFORE) : 0;
  const from = advance(buffer, at.lineStart, end, skip);
  const to = long ? advance(buffer, from, end, FRAME_WIDTH) : end;
  return {
    text: buffer.toString('utf8', from, to),
    column: at.column - skip,
    cutStart: from > at.lineStart,
    cutEnd: to < end,
  };
}

/** The byte offset `count` code points (UTF-8 sequences) after `from`, at most `end`. */
function advance(bytes: Uint8Array, from: number, end: number, count: number): number {
  let i = from;
  for (let n = 0; n < count && i < end; n++) {
    i++;
    while (i < end && (bytes[i] & 0xc0) === 0x80) i++;
  }
  return i;
}

/**
 * Terminal columns a code point takes: 2 for wide ones (CJK, Hangul,
 * full-width forms, emoji), 0 for combining marks and zero-width ones, else 1
 * — the common wcwidth ranges, so the caret sits under the right character.
 */
function displayWidth(codePoint: number): 0 | 1 | 2 {
  if (
    (codePoint >= 0x0300 && codePoint <= 0x036f) ||
    (codePoint >= 0x200b && codePoint <= 0x200f) ||
    (codePoint >= 0x20d0 && codePoint <= 0x20ff) ||
    (codePoint >= 0xfe00 && codePoint <= 0xfe0f) ||
    codePoint === 0xfeff
  ) {
    return 0;
  }
  if (codePoint < 0x1100) return 1;
  return codePoint <= 0x115f ||
    (codePoint >= 0x2e80 && codePoint <= 0x303e) ||
    (codePoint >= 0x3041 && codePoint <= 0x33ff) ||
    (codePoint >= 0x3400 && codePoint <= 0x4dbf) ||
    (codePoint >= 0x4e00 && codePoint <= 0x9fff) ||
    (codePoint >= 0xa000 && codePoint <= 0xa4cf) ||
    (codePoint >= 0xa960 && codePoint <= 0xa97f) ||
    (codePoint >= 0xac00 && codePoint <= 0xd7a3) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0xfe10 && codePoint <= 0xfe19) ||
    (codePoint >= 0xfe30 && codePoint <= 0xfe6f) ||
    (codePoint >= 0xff00 && codePoint <= 0xff60) ||
    (codePoint >= 0xffe0 && codePoint <= 0xffe6) ||
    (codePoint >= 0x1f300 && codePoint <= 0x1f64f) ||
    (codePoint >= 0x1f680 && codePoint <= 0x1f6ff) ||
    (codePoint >= 0x1f900 && codePoint <= 0x1f9ff) ||
    (codePoint >= 0x1fa70 && codePoint <= 0x1faff) ||
    (codePoint >= 0x20000 && codePoint <= 0x3fffd)
    ? 2
    : 1;
}

/**
 * A compiler-style frame: the offending line, numbered, with a caret under
 * the column. Tabs before the column are kept and wide characters count
 * twice, so the caret lines up in a terminal. A long line is shown as a
 * window around the column, its cut ends marked with …. `at` is from
 * {@link lineColumnAt} over the same bytes.
 */
export function codeFrame(bytes: Uint8Array, at: LineColumn): string {
  const line = shownLine(bytes, at);
  const gutter = String(at.line);
  const pad = ' '.repeat(gutter.length);
  let indent = line.cutStart ? ' ' : '';
  let before = line.column - 1;
  for (const ch of line.text) {
    if (before-- <= 0) break;
    indent += ch === '\t' ? '\t' : ' '.repeat(displayWidth(ch.codePointAt(0) ?? 0));
  }
  return `${pad} |\n${gutter} | ${line.cutStart ? '…' : ''}${line.text}${line.cutEnd ? '…' : ''}\n${pad} | ${indent}^`;
}
