import { COMMANDS } from '../../lib/cli/commands';
import { GLOBAL_OPTIONS, parseCountFlag, parseVersionFlag, settingOptions } from '../../lib/cli/options';
import { SETTINGS } from '../../lib/config';
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

describe('the setting flags, generated from SETTINGS', () => {
  const flagsOf = (command: string) => ({ ...GLOBAL_OPTIONS, ...settingOptions(command) });

  it('gives each command the settings the table names for it, with their variables and default in the help', () => {
    for (const setting of Object.values(SETTINGS)) {
      for (const command of Object.keys(COMMANDS)) {
        const option = flagsOf(command)[setting.flag.slice(2)];
        if (setting.commands === 'every' || setting.commands.includes(command)) {
          expect(option).toMatchObject({ type: 'string' });
          for (const name of setting.env) expect(option.describe).toContain(name);
          if (setting.fallback !== undefined) expect(option.describe).toContain(`(default: ${setting.fallback})`);
        } else {
          expect(option).toBeUndefined();
        }
      }
    }
  });

  it('shows --lock-wait the same way to every command that takes it', () => {
    expect(settingOptions('repair')['lock-wait']).toEqual(settingOptions('apply')['lock-wait']);
    expect(settingOptions('apply')['lock-wait'].describe).toBe(
      "Seconds to wait for another run's lock before exit 4 [env TIDEMARK_LOCK_WAIT] (default: 60)",
    );
  });

  it('puts --config, with its variable, after --env in every command', () => {
    const names = Object.keys(GLOBAL_OPTIONS);
    expect(names.indexOf('config')).toBe(names.indexOf('env') + 1);
    expect(GLOBAL_OPTIONS.config.describe).toBe(
      'Config file [env TIDEMARK_CONFIG] (default: tidemark.config.json if present)',
    );
  });
});
