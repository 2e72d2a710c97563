/**
 * The CLI: yargs parses, one command runs, and exactly one catch maps errors
 * to the exit codes of SPEC §6. Usage errors print usage; runtime errors never do.
 */
import yargs, { type Argv } from 'yargs';
import { resolveConfig, type ConfigFlags } from '../config';
import { findConfigFile } from '../config-file';
import { ConfigError, ExitCode, isTidemarkError } from '../errors';
import { createLogger, redactSecrets, type LogFormat, type Logger } from '../log';
import { TOOL_VERSION } from '../version';
import { COMMANDS, type CommandContext } from './commands';
import { GLOBAL_OPTIONS } from './options';
import { createLiveLine } from './live-line';
import { createOutput } from './output';
import { trapSignals } from './signals';
import { errorFields, renderError } from './render-error';

export interface Io {
  readonly stdout: { write(chunk: string): unknown };
  readonly stderr: { write(chunk: string): unknown; readonly isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
}

type Args = Record<string, unknown> & { _: (string | number)[] };

function parser(argv: readonly string[]): Argv {
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
    .epilog('tidemark --version prints the version.\nExit codes: 0 ok, 1 a migration failed, 2 bad usage/config/files, 3 drift, 4 lock not acquired, 5 database unreachable, 130/143 interrupted (SIGINT/SIGTERM).');
  for (const command of Object.values(COMMANDS)) y = y.command(command.usage, command.describe, command.builder);
  return y;
}

/** Parses argv; resolves to the args, or to an exit code when yargs printed help, the version or a usage error. */
function parse(argv: readonly string[], io: Io): Promise<Args | number> {
  return new Promise((resolve) => {
    parser(argv).parse([...argv], {}, (err: Error | undefined, args: Args, output: string) => {
      if (err) {
        // Usage errors honour --log-format json too (SPEC §6: every line is one JSON object).
        const line =
          args?.['log-format'] === 'json'
            ? JSON.stringify({ level: 50, time: new Date().toISOString(), code: 'usage', exit_code: ExitCode.usage, msg: err.message })
            : `error: ${err.message}\nRun "tidemark --help" for the commands and their flags.`;
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

function configFlags(args: Args): ConfigFlags {
  const pick = (name: string) => {
    const value = args[name];
    if (Array.isArray(value)) throw new ConfigError(`--${name} was given ${value.length} times; give it once.`);
    return value as string | undefined;
  };
  return {
    dir: pick('dir'),
    url: pick('url'),
    schema: pick('schema'),
    table: pick('table'),
    environment: pick('env'),
    lockWait: pick('lock-wait'),
    wait: pick('wait'),
    lockTimeout: pick('lock-timeout'),
    statementTimeout: pick('statement-timeout'),
    retries: pick('retries'),
  };
}

function reportError(err: unknown, logger: Logger, format: LogFormat, io: Io): number {
  if (!isTidemarkError(err)) {
    const text = err instanceof Error ? err.stack ?? err.message : String(err);
    if (format === 'json') logger.fatal({ code: 'internal' }, text);
    else io.stderr.write(redactSecrets(`internal error (please report it): ${text}\n`));
    return ExitCode.migrationFailed;
  }
  if (format === 'json') logger.error(errorFields(err), err.message);
  else io.stderr.write(`${redactSecrets(renderError(err))}\n`);
  return err.exitCode;
}

/** Runs the CLI with `argv` (without node and script) and resolves to the exit code. */
export async function main(argv: readonly string[], io: Io = process): Promise<number> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    io.stdout.write(`${TOOL_VERSION}\n`);
    return ExitCode.ok;
  }
  const args = await parse(argv, io);
  if (typeof args === 'number') return args;
  const format = (args['log-format'] as LogFormat | undefined) ?? 'human';
  const level = args.verbose ? 'debug' : args.quiet ? 'warn' : 'info';
  const live = format === 'human' && level !== 'warn' && io.stderr.isTTY ? createLiveLine(io.stderr) : null;
  const logger = createLogger({ format, level, stream: io.stderr, clearLine: live !== null });
  const signals = trapSignals(logger);
  try {
    const name = String(args._[0]);
    const command = COMMANDS[name];
    if (!command) throw new ConfigError(`Unknown command "${name}".`);
    const file = findConfigFile({ flag: args.config as string | undefined, env: io.env, useDefault: true });
    const resolved = resolveConfig(configFlags(args), io.env, file);
    const ctx: CommandContext = {
      config: resolved.config,
      resolved,
      logger,
      out: createOutput(format, io.stdout),
      format,
      signal: signals.signal,
      onStepStart: live?.onStepStart,
    };
    return await command.run(args, ctx);
  } catch (err) {
    live?.stop();
    return reportError(err, logger, format, io);
  } finally {
    live?.stop();
    signals.release();
  }
}
