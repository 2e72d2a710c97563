/**
 * The other tools' checksums. The Flyway values were computed by the JDK
 * (java.util.zip.CRC32 over BufferedReader.readLine() lines, BOM filtered, as
 * Flyway's ChecksumCalculator does) from these exact bytes; sqlx's and
 * postgrator's by sha384sum and md5sum.
 */
import {
  crc32,
  flywayChecksum,
  foreignChecksum,
  postgratorChecksum,
  sqlxChecksum,
} from '../../../lib/import/checksums';

const LF = Buffer.from('CREATE TABLE users (\n  id serial PRIMARY KEY\n);\n');
const CRLF = Buffer.from('CREATE TABLE users (\r\n  id serial PRIMARY KEY\r\n);\r\n');
const BOM_CR = Buffer.concat([
  Buffer.from([0xef, 0xbb, 0xbf]),
  Buffer.from('CREATE TABLE users (\r  id serial PRIMARY KEY\r);'),
]);
const UTF8 = Buffer.from("INSERT INTO t VALUES ('héllo');\n\n\n-- done\n");

describe('crc32', () => {
  it('gives the standard check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });
});

describe('flywayChecksum', () => {
  it('matches the JDK computation of Flyway’s algorithm', () => {
    expect(flywayChecksum(LF)).toBe(-739321623);
    expect(flywayChecksum(UTF8)).toBe(1460757845);
  });
  it('ignores line endings (LF, CRLF, CR) and a BOM', () => {
    expect(flywayChecksum(CRLF)).toBe(-739321623);
    expect(flywayChecksum(BOM_CR)).toBe(-739321623);
  });
  it('is 0 for an empty file, and signed', () => {
    expect(flywayChecksum(Buffer.alloc(0))).toBe(0);
    expect(flywayChecksum(Buffer.from('123456789'))).toBe(0xcbf43926 | 0);
  });
  it('changes when a line changes', () => {
    expect(flywayChecksum(Buffer.from('CREATE TABLE users (\n  id bigserial PRIMARY KEY\n);\n'))).not.toBe(-739321623);
  });
});

describe('sqlxChecksum', () => {
  it('is SHA-384 of the bytes, line endings included', () => {
    expect(sqlxChecksum(LF)).toMatch(/^b9bed4d34b4532ea[0-9a-f]{80}$/);
    expect(sqlxChecksum(CRLF)).not.toBe(sqlxChecksum(LF));
  });
});

describe('postgratorChecksum', () => {
  it('is MD5 hex of the text as read', () => {
    expect(postgratorChecksum(LF)).toBe('1c73095145238fccd97d9831b7efe852');
    expect(postgratorChecksum(CRLF)).toBe('1a97745e3010bf9cd680c2ef0bcbaff4');
    expect(postgratorChecksum(BOM_CR)).toBe('df0e27950d1d8ddecccee118a0156ea2');
    expect(postgratorChecksum(UTF8)).toBe('113d3346bbfafa19bfa8884096bfcc3b');
  });
  it('converts line endings first with postgrator’s newline option', () => {
    expect(postgratorChecksum(CRLF, 'LF')).toBe('1c73095145238fccd97d9831b7efe852');
    expect(postgratorChecksum(LF, 'CRLF')).toBe('1a97745e3010bf9cd680c2ef0bcbaff4');
  });
});

describe('foreignChecksum', () => {
  it('gives only the kind asked for', () => {
    expect(foreignChecksum('flyway', LF)).toEqual({ flyway: -739321623 });
    expect(Object.keys(foreignChecksum('sqlx', LF))).toEqual(['sqlx']);
    expect(foreignChecksum('postgrator', LF)).toEqual({ postgrator: '1c73095145238fccd97d9831b7efe852' });
  });
});
