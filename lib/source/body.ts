/**
 * A script's content: one implementation for every size, over the file's
 * UTF-8 bytes. A script under BIG_SCRIPT_BYTES also keeps its text, decoded
 * once; a bigger one (a data migration) is held once, as bytes, and is read
 * a window or a statement at a time: checking and sending it never decodes it
 * whole, so the peak memory of applying it is its bytes, not its bytes plus
 * its text.
 */
import { isUtf8 } from 'node:buffer';
import { LineCursor, statementsInBytes, type ByteStatement, type Statement } from '../sql/lexer';
import { stripBom } from './checksum';
import { findNul, type NulPosition } from './nul';

/** From this size on, a script's text is not kept: it is decoded a window or a statement at a time. */
export const BIG_SCRIPT_BYTES = 8 * 1024 * 1024;
/** What {@link ScriptBody.head} decodes of a big script: enough for its directives. */
const HEAD_BYTES = 64 * 1024;
/** Window searched at a time: small enough for V8's young generation (a string over 128 KiB goes to the large-object space, which only a full GC frees). */
const WINDOW = 64 * 1024;
/** Longer than every word searched for, so that none is missed at a window's edge. */
const OVERLAP = 16;

/**
 * A statement of a script: offsets in bytes. Its text is decoded, and its
 * line and column counted, when read: a check that reads only the first
 * word of most statements of a data migration decodes and counts nothing
 * more.
 */
export class BodyStatement implements Statement {
  private at: { readonly line: number; readonly column: number } | undefined;

  constructor(
    private readonly bytes: Buffer,
    private readonly cursor: LineCursor,
    found: ByteStatement,
  ) {
    ({ index: this.index, start: this.start, end: this.end, firstWord: this.firstWord } = found);
  }

  readonly index: number;
  readonly start: number;
  readonly end: number;
  /** The first token in lower case when it is a bare ASCII word, else null (see ByteStatement). */
  readonly firstWord: string | null;

  /** From the first token up to, not including, the terminating `;`. */
  get text(): string {
    return this.bytes.toString('utf8', this.start, this.end);
  }

  get line(): number {
    return (this.at ??= this.cursor.moveTo(this.start)).line;
  }

  get column(): number {
    return (this.at ??= this.cursor.moveTo(this.start)).column;
  }
}

/** The content of one script, BOM removed: what is checked, hashed and sent. */
export class ScriptBody {
  private decoded: string | undefined;

  private constructor(
    /** The bytes the server receives: the file's, BOM removed. */
    readonly bytes: Buffer,
  ) {}

  /**
   * The body of a file's bytes: without a leading UTF-8 BOM, and without a
   * second one right after it (as TextDecoder reads a file). The bytes are
   * kept, not copied. Null when they are not valid UTF-8.
   */
  static fromFile(raw: Buffer): ScriptBody | null {
    return isUtf8(raw) ? new ScriptBody(stripBom(stripBom(raw))) : null;
  }

  /** The body of a script given as text (no BOM): for scripts built in memory. */
  static fromText(sql: string): ScriptBody {
    const body = new ScriptBody(Buffer.from(sql, 'utf8'));
    if (!body.big) body.decoded = sql;
    return body;
  }

  get byteLength(): number {
    return this.bytes.length;
  }

  /** BIG_SCRIPT_BYTES or more: its text is not kept, and it is sent from its bytes, a piece at a time. */
  get big(): boolean {
    return this.bytes.length >= BIG_SCRIPT_BYTES;
  }

  /**
   * The whole text. Kept after the first call for a script that is not big;
   * decoded anew on each call for a big one, so the apply path never calls it
   * for one (dry-run output and diffs may).
   */
  text(): string {
    if (this.decoded !== undefined) return this.decoded;
    const text = this.bytes.toString('utf8');
    if (!this.big) this.decoded = text;
    return text;
  }

  /** The text of bytes `[start, end)`. */
  slice(start: number, end: number): string {
    return this.bytes.toString('utf8', start, end);
  }

  /** The text, or, of a big script, its first HEAD_BYTES (a character cut at the end is left out): where directives are read. */
  head(): string {
    if (!this.big) return this.text();
    return new TextDecoder('utf-8', { ignoreBOM: true }).decode(this.bytes.subarray(0, HEAD_BYTES), { stream: true });
  }

  /** The statements, in order, found a window at a time (see statementsInBytes); none is kept. */
  *statements(): Generator<BodyStatement, void, undefined> {
    const cursor = LineCursor.ofBytes(this.bytes);
    for (const found of statementsInBytes(this.bytes)) yield new BodyStatement(this.bytes, cursor, found);
  }

  /** The first NUL byte, as `line:col`, or null. */
  findNul(): NulPosition | null {
    return findNul(this.bytes);
  }

  /**
   * Whether `pattern` matches, searched a window at a time in the bytes read
   * as latin1: for patterns of ASCII words, which bytes of multi-byte
   * characters (all >= 0x80) cannot form or join.
   */
  mentions(pattern: RegExp): boolean {
    const { bytes } = this;
    if (bytes.length <= WINDOW) return pattern.test(bytes.toString('latin1'));
    for (let at = 0; at < bytes.length; at += WINDOW) {
      if (pattern.test(bytes.toString('latin1', at, Math.min(bytes.length, at + WINDOW + OVERLAP)))) return true;
    }
    return false;
  }
}
