/**
 * The programmatic API: the same use cases as the CLI, for code that
 * migrates from Node (deploy scripts, test set-up).
 *
 * ```ts
 * import { apply, rollback, status } from 'tidemark';
 * await apply({ url: process.env.DATABASE_URL, dir: 'sql' });
 * ```
 *
 * Settings not given fall back to the same environment variables, config
 * file and defaults as the CLI, except that no config file is read unless
 * one is named: `config: 'tidemark.config.json'` or `$TIDEMARK_CONFIG` (a
 * library call should not change with the process's current directory).
 * Nothing is logged unless a pino `logger` is passed.
 * Errors are the typed errors of `./errors`, with `exitCode` as in the CLI.
 */
import { findConfigFile, resolveConfig, type Config } from './config';
import { silentLogger, type Logger } from './log';
import * as migrator from './migrator';
import type { ApplyOptions, RollbackOptions, RunResult, StatusReport } from './migrator';
import type { CreatedPair } from './source/create';
import { parseVersion } from './source/version';

export * from './errors';
export type * from './types';
export type { Config } from './config';
export type { ApplyOptions, RollbackOptions, RunResult, StatusReport } from './migrator';
export type { CreatedPair } from './source/create';
export { createLogger, type Logger } from './log';
/** The embedded PostgreSQL (README "The embedded PostgreSQL"): start one, pass its `url` as a setting, `stop()` it. */
export {
  startThrowaway as startEmbedded,
  startPersistent as startEmbeddedPersistent,
  type EmbeddedOptions,
  type EmbeddedServer,
} from './embedded';

type VersionInput = bigint | number | string;

export interface Settings extends Partial<Config> {
  readonly logger?: Logger;
  /** A config file to read (as `--config`); `environment` picks its section. */
  readonly config?: string;
}

function context(settings: Settings): migrator.RunContext {
  const { logger, config: configPath, ...flags } = settings;
  const file = findConfigFile({ flag: configPath, env: process.env, useDefault: false });
  return { config: resolveConfig(flags, process.env, file).config, logger: logger ?? silentLogger() };
}

/** A `target` as the CLI reads `--target`: a bad one is a ConfigError (exit code 2), never a SyntaxError from BigInt. */
const version = (v: VersionInput | undefined) => (v === undefined ? undefined : parseVersion('target', v));

// async: a bad setting rejects the promise, like every other failure, instead of throwing at the call.

/** Applies pending migrations. See the CLI's `apply`. */
export async function apply(
  settings: Settings & Omit<ApplyOptions, 'target'> & { target?: VersionInput } = {},
): Promise<RunResult> {
  const { target, dryRun, sql, singleTransaction, outOfOrder, ...rest } = settings;
  return migrator.apply(context(rest), { target: version(target), dryRun, sql, singleTransaction, outOfOrder });
}

/** Rolls back applied migrations. See the CLI's `rollback`. */
export async function rollback(
  settings: Settings & Omit<RollbackOptions, 'target'> & { target?: VersionInput } = {},
): Promise<RunResult> {
  const { target, steps, dryRun, sql, outOfOrder, ...rest } = settings;
  return migrator.rollback(context(rest), { target: version(target), steps, dryRun, sql, outOfOrder });
}

/** Every migration with its state. Never writes. */
export async function status(settings: Settings = {}): Promise<StatusReport> {
  return migrator.status(context(settings));
}

/** Writes the next pair of scripts into `dir`. */
export function create(name: string, settings: Pick<Settings, 'dir' | 'config' | 'environment'> = {}): CreatedPair {
  return migrator.create(context(settings).config, name);
}
