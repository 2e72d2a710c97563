/**
 * Command-line parsing. yargs defines the CLI (help, usage errors, every
 * form of flag it accepts); `quickArgs` reads the plain form of a flag-only
 * command — `tidemark apply --dir d --url u --quiet` — without loading yargs,
 * and gives up on anything else, which yargs then parses. A deploy runs
 * `apply` with nothing to do, and building yargs cost more than reading
 * the ledger.
 */
import type { Argv, Options } from 'yargs';
import { ExitCode } from '../errors';
import { redactSecrets } from '../log';
import { COMMANDS } from './commands';
import { GLOBAL_OPTIONS, settingOptions } from './options';

export type Args = Record<string, unknown> & { _: (string | number)[] };

interface Io {
  readonly stdout: { write(chunk: string): unknown };
  readonly stderr: { write(chunk: string): unknown };
  readonly env: NodeJS.ProcessEnv;
}

/** The yargs parser of the whole CLI. */
export function yargsParser(yargs: typeof import('yargs').default, argv: readonly string[]): Argv {
  let y = yargs([...argv])
    .scriptName('tidemark')
    .usage('$0 <command> [options]\n\nPlain-SQL migrations for PostgreSQL.')
    .options(GLOBAL_OPTIONS)
    .strict()
    .demandCommand(1, 'Name a command.')
    .recommendCommands()
    .version(false) // `--version V` is an option of repair and baseline; `tidemark --version` is handled in main()
    .help()
    .alias('help', 'h')
    .wrap(null) // yargs would break long descriptions mid-word; the terminal wraps at spaces
    .epilog(
      'tidemark --version (or -V, also after a command) prints the version; after repair and baseline, --version V names a migration.\nExit codes: 0 ok, 1 a migration failed, 2 bad usage/config/files, 3 drift, 4 lock not acquired, 5 database unreachable, 6 unsafe migration found (lint; test --locks over the lock budget), 7 fleet: some targets failed, 8 fleet: stopped early, 129/130/131/143 interrupted (SIGHUP/SIGINT/SIGQUIT/SIGTERM).',
    );
  for (const [name, command] of Object.entries(COMMANDS)) {
    const { options = {}, builder = (c: Argv) => c.options(options) } = command;
    const settings = settingOptions(name);
    y = y.command(command.usage, command.describe, (c: Argv) => builder(c).options(settings));
  }
  return y;
}

/** Parses argv with yargs; resolves to the args, or to an exit code when yargs printed help or a usage error. */
export async function yargsArgs(argv: readonly string[], io: Io): Promise<Args | number> {
  const { default: yargs } = await import('yargs');
  return new Promise((resolve) => {
    yargsParser(yargs, argv).parse([...argv], {}, (err: Error | undefined, args: Args, output: string) => {
      if (err) {
        const message = unknownFlagsAsTyped(err.message, argv);
        // Usage errors honour --log-format json too (SPEC §6: every line is one JSON object).
        const line =
          args?.['log-format'] === 'json'
            ? JSON.stringify({
                level: 50,
                time: new Date().toISOString(),
                code: 'usage',
                exit_code: ExitCode.usage,
                msg: message,
              })
            : `error: ${message}\nRun "tidemark --help" for the commands and their flags.`;
        io.stderr.write(redactSecrets(`${line}\n`, io.env));
        resolve(ExitCode.usage);
      } else if (output) {
        io.stdout.write(`${output}\n`);
        resolve(ExitCode.ok);
      } else {
        resolve(args);
      }
    });
  });
}

const UNKNOWN = /^Unknown arguments?: (.*)$/;

/**
 * yargs names an unknown flag by its key: `--no-xyz` as "xyz" (it reads the
 * `no-` as negation) and `--foo-bar` as "foo-bar, fooBar" (with its camelCase
 * alias). The message names each flag as it was typed instead; a name that
 * matches no flag (a stray positional) stays as yargs said it.
 */
export function unknownFlagsAsTyped(message: string, argv: readonly string[]): string {
  const match = UNKNOWN.exec(message);
  if (!match) return message;
  const names = match[1].split(', ');
  const end = argv.indexOf('--');
  const flags = (end === -1 ? argv : argv.slice(0, end))
    .filter((t) => t.startsWith('-') && t !== '-')
    .map((t) => t.split('=')[0]);
  const keysOf = (flag: string) => {
    const key = flag.replace(/^-+/, '');
    const bare = key.startsWith('no-') ? key.slice(3) : null;
    return [key, camelCase(key), ...(bare === null ? [] : [bare, camelCase(bare)])];
  };
  const named = names.map((name) => flags.find((flag) => keysOf(flag).includes(name)) ?? name);
  const unique = [...new Set(named)];
  return `Unknown argument${unique.length === 1 ? '' : 's'}: ${unique.join(', ')}`;
}

/** What quickArgs understands of a flag; any other key (alias, demandOption, …) sends the command to yargs. */
const PLAIN_KEYS = new Set(['type', 'describe', 'default', 'choices']);

const camelCase = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * The args yargs would give for `argv`, when argv is a flag-only command
 * followed by distinct known flags, each `--name` (a boolean) or `--name
 * value` / `--name=value` (a string, or one of its choices) with a value that
 * is not empty and does not start with `-`. Otherwise undefined: help, short
 * flags, repeats, `--no-x`, `--`, positionals, unknown or misspelt names and
 * bad choices are left to yargs, with its messages.
 */
export function quickArgs(argv: readonly string[]): Args | undefined {
  const [name, ...rest] = argv;
  const command = Object.hasOwn(COMMANDS, name ?? '') ? COMMANDS[name] : undefined;
  if (!command?.options || command.builder) return undefined;
  const known: Record<string, Options> = { ...GLOBAL_OPTIONS, ...command.options, ...settingOptions(name) };
  const args: Args = { _: [name] };
  const given = new Set<string>();
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i];
    if (!token.startsWith('--') || token.length === 2) return undefined;
    const eq = token.indexOf('=');
    const flag = eq === -1 ? token.slice(2) : token.slice(2, eq);
    if (!Object.hasOwn(known, flag) || given.has(flag)) return undefined;
    const def = known[flag];
    given.add(flag);
    if (def.type === 'boolean') {
      if (eq !== -1 || rest[i + 1] === 'true' || rest[i + 1] === 'false') return undefined;
      args[flag] = true;
      continue;
    }
    if (def.type !== 'string' && def.choices === undefined) return undefined;
    const value = eq === -1 ? rest[++i] : token.slice(eq + 1);
    if (value === undefined || value === '' || value.startsWith('-')) return undefined;
    if (def.choices !== undefined && !(def.choices as unknown[]).includes(value)) return undefined;
    args[flag] = value;
  }
  for (const [flag, def] of Object.entries(known)) {
    if (Object.keys(def).some((key) => !PLAIN_KEYS.has(key))) return undefined;
    if (!given.has(flag) && def.default !== undefined) args[flag] = def.default;
  }
  for (const flag of Object.keys(args)) if (flag.includes('-')) args[camelCase(flag)] = args[flag];
  args.$0 = 'tidemark';
  return args;
}

/** Parses argv; resolves to the args, or to an exit code when help or a usage error was printed. */
export function parseArgs(argv: readonly string[], io: Io): Promise<Args | number> {
  const quick = quickArgs(argv);
  return quick ? Promise.resolve(quick) : yargsArgs(argv, io);
}
