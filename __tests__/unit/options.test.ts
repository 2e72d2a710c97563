import { parseCountFlag, parseVersionFlag } from '../../lib/cli/options';
import { ConfigError } from '../../lib/errors';

describe('parseVersionFlag', () => {
  it('is undefined when the flag is absent', () => {
    expect(parseVersionFlag('--target', undefined)).toBeUndefined();
  });

  it.each([
    ['3', 3n],
    ['003', 3n],
    ['0', 0n],
    ['20261124093000', 20261124093000n],
    ['9007199254740993', 9007199254740993n],
    ['9223372036854775807', 9223372036854775807n],
  ])('reads %s as %s', (raw, expected) => {
    expect(parseVersionFlag('--target', raw)).toBe(expected);
  });

  it.each(['-1', '+3', '3.0', '1e3', '0x10', 'abc', '', '3 4', '٣'])('refuses %j with ConfigError', (raw) => {
    expect(() => parseVersionFlag('--target', raw)).toThrow(ConfigError);
  });

  it('refuses a version above 9223372036854775807', () => {
    expect(() => parseVersionFlag('--version', '9223372036854775808')).toThrow(ConfigError);
    expect(() => parseVersionFlag('--version', '99999999999999999999999')).toThrow(ConfigError);
  });

  it('names the flag in the error', () => {
    expect(() => parseVersionFlag('--version', 'x')).toThrow(expect.objectContaining({ code: 'config', exitCode: 2 }));
    expect(() => parseVersionFlag('--version', 'x')).toThrow('--version');
  });
});

describe('parseCountFlag', () => {
  it('reads a positive whole number and is undefined when absent', () => {
    expect(parseCountFlag('--steps', '2')).toBe(2);
    expect(parseCountFlag('--steps', undefined)).toBeUndefined();
  });

  it.each(['0', '-1', '1.5', 'two', ''])('refuses %j with ConfigError', (raw) => {
    expect(() => parseCountFlag('--steps', raw)).toThrow(ConfigError);
  });
});
