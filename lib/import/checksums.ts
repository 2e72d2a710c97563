/**
 * The checksums other tools store in their history tables, computed exactly
 * as each tool computes them, from a script's bytes as read from disk. Used
 * by `import` (written to tidemark-import.json) and by `adopt` (compared
 * with the history rows). Pure: bytes in, checksum out.
 *
 * - Flyway (`flyway_schema_history.checksum`, integer): CRC-32 (IEEE, as
 *   java.util.zip.CRC32) over the UTF-8 bytes of each line as
 *   `BufferedReader.readLine()` returns them, that is without its line
 *   terminator (`\n`, `\r` or `\r\n`), with a BOM removed from the start of
 *   the first line; the unsigned value cast to a signed 32-bit int. Line
 *   endings therefore never change it; blank lines do not either.
 * - sqlx (`_sqlx_migrations.checksum`, bytea): SHA-384 of the file's text as
 *   read (`read_to_string`): the bytes, BOM and CRLF included (sqlx's default,
 *   without the `ignored-chars` setting of its newer CLI).
 * - postgrator (`schemaversion.md5`, text): MD5 hex of the file read as
 *   UTF-8 (Node keeps a BOM) and re-encoded, so the bytes for UTF-8 text; with
 *   postgrator's `newline` option (`LF`, `CR`, `CRLF`) every line ending is
 *   first converted to that one.
 */
import { createHash } from 'node:crypto';

/** The checksum kinds a tool may store. */
export type ChecksumKind = 'flyway' | 'sqlx' | 'postgrator';

/** A migration's checksums as the mapping file holds them: only the tool's own kind. */
export interface ForeignChecksums {
  readonly flyway?: number;
  readonly sqlx?: string;
  readonly postgrator?: string;
}

let table: Uint32Array | undefined;

function crcTable(): Uint32Array {
  if (table) return table;
  table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** Feeds `bytes[start, end)` into a running CRC-32 (pre- and post-inverted by the caller). */
function crcUpdate(crc: number, bytes: Uint8Array, start: number, end: number): number {
  const t = crcTable();
  let c = crc;
  for (let i = start; i < end; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return c;
}

/** Plain CRC-32 (IEEE 802.3, as zlib and java.util.zip.CRC32), unsigned. */
export function crc32(bytes: Uint8Array): number {
  return (crcUpdate(0xffffffff, bytes, 0, bytes.length) ^ 0xffffffff) >>> 0;
}

/**
 * Flyway's checksum of a SQL migration's bytes (UTF-8, Flyway's default
 * encoding): CRC-32 over the lines without their terminators, BOM stripped,
 * as a signed 32-bit integer (what `flyway_schema_history.checksum` holds).
 */
export function flywayChecksum(bytes: Uint8Array): number {
  let start = 0;
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  let crc = 0xffffffff;
  let lineStart = start;
  for (let i = start; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x0a || b === 0x0d) {
      crc = crcUpdate(crc, bytes, lineStart, i);
      lineStart = i + 1;
    }
  }
  crc = crcUpdate(crc, bytes, lineStart, bytes.length);
  return (crc ^ 0xffffffff) | 0;
}

/** sqlx's checksum: SHA-384 of the file's bytes, as lower-case hex (the bytea's hex form without `\x`). */
export function sqlxChecksum(bytes: Uint8Array): string {
  return createHash('sha384').update(bytes).digest('hex');
}

/** postgrator's `newline` option: the line ending every line ending is turned into before hashing. */
export type PostgratorNewline = 'LF' | 'CR' | 'CRLF';

const NEWLINES: Record<PostgratorNewline, string> = { LF: '\n', CR: '\r', CRLF: '\r\n' };

/** postgrator's checksum: MD5 hex of the file as UTF-8 text, line endings converted first when `newline` is set. */
export function postgratorChecksum(bytes: Uint8Array, newline?: PostgratorNewline): string {
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (newline !== undefined) text = text.replace(/\r\n|\r|\n/g, NEWLINES[newline]);
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/** The checksum `kind` of `bytes`, in the mapping file's form. */
export function foreignChecksum(kind: ChecksumKind, bytes: Uint8Array): ForeignChecksums {
  if (kind === 'flyway') return { flyway: flywayChecksum(bytes) };
  if (kind === 'sqlx') return { sqlx: sqlxChecksum(bytes) };
  return { postgrator: postgratorChecksum(bytes) };
}
