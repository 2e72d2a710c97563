import { ConfigError } from '../../lib/errors';
import { formatVersion, MAX_VERSION, nextVersionText, parseVersion, versionOfDigits } from '../../lib/source/version';

describe('parseVersion', () => {
  it.each([
    ['3', 3n],
    ['001', 1n],
    [' 7 ', 7n],
    [0, 0n],
    [42, 42n],
    [12n, 12n],
    [MAX_VERSION, MAX_VERSION],
    [MAX_VERSION.toString(), MAX_VERSION],
  ])('reads %p as %p', (raw, expected) => {
    expect(parseVersion('target', raw)).toBe(expected);
  });

  it.each([
    ['abc', 'target must be a version number such as 3 or 20261124093000 (got "abc")'],
    ['', 'target must be a version number such as 3 or 20261124093000 (got "")'],
    ['1_000', 'got "1_000"'],
    ['0x10', 'got "0x10"'],
    [-1, 'got -1'],
    [-1n, 'got -1'],
    [1.5, 'got 1.5'],
    [NaN, 'got NaN'],
    [null, 'got null'],
    [undefined, 'got undefined'],
    [{}, 'got [object Object]'],
    [2 ** 60, 'is above 2^53, where a JavaScript number may have lost digits'],
    [(MAX_VERSION + 1n).toString(), 'target 9223372036854775808 does not fit in a signed 64-bit integer.'],
  ])('refuses %p with a ConfigError (exit code 2), never a SyntaxError', (raw, message) => {
    let thrown: unknown;
    try {
      parseVersion('target', raw);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect(thrown).toMatchObject({ code: 'config', exitCode: 2 });
    expect((thrown as Error).message).toContain(message);
  });

  it('names the flag or option it parses', () => {
    expect(() => parseVersion('--version', 'x')).toThrow('--version must be a version number');
  });
});

describe('versionOfDigits', () => {
  it('reads digits up to the largest bigint, and says when they are above it', () => {
    expect(versionOfDigits('0042')).toBe(42n);
    expect(versionOfDigits(MAX_VERSION.toString())).toBe(MAX_VERSION);
    expect(versionOfDigits((MAX_VERSION + 1n).toString())).toBe('too-big');
  });
});

describe('formatVersion', () => {
  it('pads to the width and never cuts', () => {
    expect(formatVersion(7n, 3)).toBe('007');
    expect(formatVersion(1234n, 3)).toBe('1234');
    expect(formatVersion(0n, 1)).toBe('0');
  });
});

describe('nextVersionText', () => {
  it('is 001 in an empty directory, else the highest + 1 at its width', () => {
    expect(nextVersionText(null)).toBe('001');
    expect(nextVersionText({ version: 9n, versionText: '009' })).toBe('010');
    expect(nextVersionText({ version: 999n, versionText: '999' })).toBe('1000');
    expect(nextVersionText({ version: 20260101000000n, versionText: '20260101000000' })).toBe('20260101000001');
  });

  it('refuses to number past the largest version', () => {
    expect(() => nextVersionText({ version: MAX_VERSION, versionText: MAX_VERSION.toString() }, 'sql')).toThrow(
      ConfigError,
    );
  });
});
