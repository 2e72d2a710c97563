/**
 * The CLI: args.ts parses, one command runs, and exactly one catch maps errors
 * to the exit codes of SPEC §6. Usage errors print usage; runtime errors never do.
 */
import { findConfigFile, resolveConfig, SETTINGS, type ConfigFlags, type ConfigKey } from '../config';
import { ConfigError, ExitCode, isTidemarkError, LedgerRelationError, PrivilegeError } from '../errors';
import { createLogger, redactSecrets, routeWarnings, type LogFormat, type Logger } from '../log';
import { TOOL_VERSION } from '../version';
import { COMMANDS, type CommandContext } from './commands';
import { parseArgs, type Args } from './args';
import { createLiveLine } from './live-line';
import { createOutput } from './output';
import { withEmbedded } from './embedded-target';
import { trapSignals } from './signals';
import { errorFields, renderError } from './render-error';

export interface Io {
  readonly stdout: { write(chunk: string): unknown };
  readonly stderr: { write(chunk: string): unknown; readonly isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
}

/** Every setting's flag value, as given (yargs's key is the flag's name without the dashes). */
function configFlags(args: Args): ConfigFlags {
  const pick = (name: string) => {
    const value = args[name];
    if (Array.isArray(value)) throw new ConfigError(`--${name} was given ${value.length} times; give it once.`);
    return value as string | undefined;
  };
  const keys = Object.keys(SETTINGS) as ConfigKey[];
  return Object.fromEntries(keys.map((key) => [key, pick(SETTINGS[key].flag.slice(2))]));
}

function reportError(err: unknown, logger: Logger, format: LogFormat, io: Io): number {
  if (!isTidemarkError(err)) {
    const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
    if (format === 'json') logger.fatal({ code: 'internal' }, text);
    else io.stderr.write(redactSecrets(`internal error (please report it): ${text}\n`));
    return ExitCode.migrationFailed;
  }
  // The facts of the ledger and privilege errors (role, grant, relation, kind) are fields too.
  const facts = err instanceof PrivilegeError || err instanceof LedgerRelationError ? err.facts : {};
  if (format === 'json') logger.error({ ...errorFields(err), ...facts }, err.message);
  else io.stderr.write(`${redactSecrets(renderError(err))}\n`);
  return err.exitCode;
}

/** For bin/tidemark, which reports a run that failed outside main's catch. */
export { redactSecrets };

/**
 * `--version` or `-V` anywhere before `--`: print the version, whatever else
 * was given (`tidemark apply --version`). Not `--version` after repair or
 * baseline, where `--version V` names a migration.
 */
function asksVersion(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  const args = end === -1 ? argv : argv.slice(0, end);
  if (args.includes('-V')) return true;
  if (!args.includes('--version')) return false;
  const command = args.find((a) => Object.hasOwn(COMMANDS, a));
  return command === undefined || COMMANDS[command].options?.version === undefined;
}

/**
 * Signals and process warnings belong to the process: main traps them only
 * when it runs as the process (io is `process`, as bin/tidemark calls it). A
 * caller with its own io (the in-process tests) keeps its own handlers.
 */
function processHooks(io: Io, logger: Logger): { signal?: AbortSignal; release(): void } {
  if (io !== process) return { release: () => {} };
  const signals = trapSignals(logger);
  const warnings = routeWarnings(logger);
  return {
    signal: signals.signal,
    release: () => {
      signals.release();
      warnings.release();
    },
  };
}

/**
 * Runs the CLI with `argv` (without node and script) and resolves to the exit
 * code; it never sets process.exitCode. With an io other than `process`, no
 * signal or warning handler is installed.
 */
export async function main(argv: readonly string[], io: Io = process): Promise<number> {
  if (asksVersion(argv)) {
    io.stdout.write(`${TOOL_VERSION}\n`);
    return ExitCode.ok;
  }
  const args = await parseArgs(argv, io);
  if (typeof args === 'number') return args;
  const format = (args['log-format'] as LogFormat | undefined) ?? 'human';
  const level = args.verbose ? 'debug' : args.quiet ? 'warn' : 'info';
  const live = format === 'human' && level !== 'warn' && io.stderr.isTTY ? createLiveLine(io.stderr) : null;
  // io.stderr is read when a line is written: process.stderr is made on first use, and a quiet run may never write.
  const logger = createLogger({
    format,
    level,
    stream: { write: (chunk: string) => io.stderr.write(chunk) },
    clearLine: live !== null,
  });
  const hooks = processHooks(io, logger);
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
      signal: hooks.signal,
      onStepStart: live?.onStepStart,
      ...(live ? { live } : {}),
    };
    return await withEmbedded(name, args, ctx, io.env, (c) => command.run(args, c));
  } catch (err) {
    live?.stop();
    return reportError(err, logger, format, io);
  } finally {
    live?.stop();
    hooks.release();
  }
}
