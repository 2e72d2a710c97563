/**
 * Flag definitions shared by the commands (those of the settings generated
 * from the SETTINGS table), and the parsing of version and count flags.
 */
import type { Options } from 'yargs';
import { CONFIG_FILE, SETTINGS, type FlagHelp, type Setting } from '../config';
import { ConfigError } from '../errors';
import { parseVersion } from '../source/version';

/** `--help`'s text for a configuration flag: what it is, the variables that set it, the default. */
function help(flag: FlagHelp, fallback: unknown): string {
  const env = flag.envNote === undefined ? flag.env : [...flag.env, flag.envNote];
  return `${flag.describe} [env ${env.join(', ')}]${fallback === undefined ? '' : ` (default: ${String(fallback)})`}`;
}

/** The yargs options of the settings that `taken` picks from SETTINGS, keyed by flag name. */
function settingEntries(taken: (commands: Setting['commands']) => boolean): [string, Options][] {
  return Object.values(SETTINGS)
    .filter((setting) => taken(setting.commands))
    .map((setting) => [setting.flag.slice(2), { type: 'string', describe: help(setting, setting.fallback) }]);
}

/** The flags of the settings `command` takes besides every command's (those are in GLOBAL_OPTIONS). */
export function settingOptions(command: string): Record<string, Options> {
  return Object.fromEntries(settingEntries((commands) => commands !== 'every' && commands.includes(command)));
}

/** Every command's settings, with --config after --env (which picks the file's section). */
function sharedSettings(): [string, Options][] {
  const entries = settingEntries((commands) => commands === 'every');
  const { flag, fallback, fallbackNote } = CONFIG_FILE;
  const configFile: Options = { type: 'string', describe: help(CONFIG_FILE, `${fallback} ${fallbackNote}`) };
  const afterEnv = entries.findIndex(([name]) => `--${name}` === SETTINGS.environment.flag) + 1;
  entries.splice(afterEnv, 0, [flag.slice(2), configFile]);
  return entries;
}

/** Options every command takes. */
export const GLOBAL_OPTIONS: Record<string, Options> = {
  ...Object.fromEntries(sharedSettings()),
  'log-format': { choices: ['human', 'json'], describe: 'human lines, or one JSON object per line', default: 'human' },
  verbose: { type: 'boolean', describe: 'Also log debug lines' },
  quiet: { type: 'boolean', describe: 'Log warnings and errors only' },
};

/** Options of the commands that write (apply, rollback), besides their settings (settingOptions). */
export const WRITE_OPTIONS: Record<string, Options> = {
  'dry-run': { type: 'boolean', describe: 'Print the plan; change nothing' },
  sql: {
    type: 'boolean',
    describe: 'With --dry-run: print the SQL the run would send, in order, as a script for psql -v ON_ERROR_STOP=1',
  },
  'out-of-order': { type: 'boolean', describe: 'Allow pending migrations below the highest applied version' },
  resume: {
    type: 'boolean',
    describe: 'First finish the failed or interrupted non-transactional migration, from where it stopped',
  },
  'assume-done': {
    type: 'boolean',
    describe: 'With --resume: the statement in doubt took effect (you checked); resume after it',
  },
  'assume-not-done': {
    type: 'boolean',
    describe: 'With --resume: the statement in doubt did not take effect (you checked); run it again',
  },
};

/** --assume-done / --assume-not-done: at most one. */
export function parseAssume(args: Record<string, unknown>): 'done' | 'not-done' | undefined {
  const done = args['assume-done'] === true;
  const notDone = args['assume-not-done'] === true;
  if (done && notDone) throw new ConfigError('Give either --assume-done or --assume-not-done, not both.');
  return done ? 'done' : notDone ? 'not-done' : undefined;
}

/**
 * Parses a version flag value.
 * @throws ConfigError unless it is ASCII digits that fit a signed 64-bit integer.
 */
export function parseVersionFlag(flag: string, raw: unknown): bigint | undefined {
  return raw === undefined ? undefined : parseVersion(flag, String(raw));
}

/** Parses a positive whole-number flag. */
export function parseCountFlag(flag: string, raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new ConfigError(`${flag} must be a whole number of 1 or more (got "${raw}").`);
  return n;
}
