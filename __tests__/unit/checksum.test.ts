import { createHash } from 'node:crypto';
import { checksum, normalise, stripBom } from '../../lib/source/checksum';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const LF = 'CREATE TABLE t (\n  id int\n);\n-- é 日本 😀\n';
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

const variants = {
  LF: Buffer.from(LF, 'utf8'),
  CRLF: Buffer.from(LF.replace(/\n/g, '\r\n'), 'utf8'),
  'BOM + LF': Buffer.concat([BOM, Buffer.from(LF, 'utf8')]),
  'BOM + CRLF': Buffer.concat([BOM, Buffer.from(LF.replace(/\n/g, '\r\n'), 'utf8')]),
};

describe('checksum', () => {
  it('is the lowercase hex SHA-256 of the bytes when there is nothing to normalise', () => {
    const value = checksum(variants.LF);
    expect(value).toBe(sha256(variants.LF));
    expect(value).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each(Object.entries(variants))('gives %s the checksum of the LF file', (_label, bytes) => {
    expect(checksum(bytes)).toBe(sha256(Buffer.from(LF, 'utf8')));
  });

  it('changes when one byte changes', () => {
    const edited = Buffer.from(variants.LF);
    edited[edited.indexOf('id')] = 'I'.charCodeAt(0);
    expect(checksum(edited)).not.toBe(checksum(variants.LF));
  });

  it('keeps a lone CR and blank lines: they are content, not line endings', () => {
    expect(checksum(Buffer.from('a\rb\n'))).not.toBe(checksum(Buffer.from('a\nb\n')));
    expect(checksum(Buffer.from('a\n\nb\n'))).not.toBe(checksum(Buffer.from('a\nb\n')));
  });

  it.each(['\r\n', '\r\r\n', 'a\r', '\r\na\r\n\r\n', 'x\r\ny', '\r'])(
    'hashes %j exactly as its normalised form',
    (text) => {
      const bytes = Buffer.from(text);
      expect(checksum(bytes)).toBe(sha256(normalise(bytes)));
    },
  );

  it('removes only a leading BOM', () => {
    const inner = Buffer.concat([Buffer.from('a'), BOM, Buffer.from('b')]);
    expect(checksum(inner)).toBe(sha256(inner));
  });
});

describe('normalise', () => {
  it('turns CRLF into LF without touching multi-byte characters', () => {
    expect(normalise(variants['BOM + CRLF']).toString('utf8')).toBe(LF);
  });

  it('leaves bytes that are not valid UTF-8 as they are', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x0d, 0x0a, 0x80]);
    expect([...normalise(bytes)]).toEqual([0xff, 0xfe, 0x0a, 0x80]);
  });
});

describe('stripBom', () => {
  it('removes a UTF-8 BOM and nothing else', () => {
    expect(stripBom(variants['BOM + LF']).toString('utf8')).toBe(LF);
    expect(stripBom(Buffer.from([0xef, 0xbb]))).toHaveLength(2);
  });
});
