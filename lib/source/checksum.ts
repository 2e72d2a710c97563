/**
 * Checksums that survive a checkout with other line endings: SHA-256 of the
 * bytes after removing a UTF-8 BOM and turning CRLF into LF.
 */
import { createHash } from 'node:crypto';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const CR = 0x0d;

/** Removes a leading UTF-8 BOM, without copying. */
export function stripBom(bytes: Buffer): Buffer {
  return bytes.length >= 3 && bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2]
    ? bytes.subarray(3)
    : bytes;
}

/** The normalised form that is hashed: no BOM, LF line endings. */
export function normalise(bytes: Buffer): Buffer {
  const body = stripBom(bytes);
  if (body.indexOf(CR) === -1) return body;
  return Buffer.from(body.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
}

/** SHA-256, lowercase hex, of the normalised bytes. */
export function checksum(bytes: Buffer): string {
  return createHash('sha256').update(normalise(bytes)).digest('hex');
}
