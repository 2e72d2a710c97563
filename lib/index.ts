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
import { resolveShard } from './fleet/select';
import { targetOf, urlOfTarget } from './fleet/targets';
import type { FleetCommandName, FleetEvent, FleetPolicy, FleetReport, FleetTarget, TargetSource } from './fleet/types';

export * from './errors';
export type * from './types';
export type { Config } from './config';
export type { ApplyOptions, RollbackOptions, RunResult, StatusReport } from './migrator';
export type { CreatedPair } from './source/create';
export { createLogger, type Logger } from './log';
export type * from './fleet/types';

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

/** A fleet target as the library takes it: a name, and a url (or `{ env: 'VAR' }`) and/or a schema. */
export interface TargetInput {
  readonly name: string;
  readonly url?: string | { readonly env: string };
  /** A tenant schema: the ledger lives there, and migrations run with it first on search_path. */
  readonly schema?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

const targetFrom = (t: TargetInput, origin: string): FleetTarget => targetOf(t, origin);

/**
 * Applies pending migrations to one target (a tenant's database or schema),
 * e.g. when a tenant signs up. Idempotent: an up-to-date target is left as
 * it is; two calls racing on one target are serialised by its lock (the
 * second waits up to `lockWait` and finds nothing to do).
 * @throws the errors of `apply`; ConfigError for a bad target.
 */
export async function migrateTarget(
  target: TargetInput,
  settings: Settings & Omit<ApplyOptions, 'target'> & { target?: VersionInput } = {},
): Promise<RunResult> {
  const { target: to, dryRun, sql, singleTransaction, outOfOrder, ...rest } = settings;
  const t = targetFrom(target, 'migrateTarget');
  const base = context(rest);
  const url = urlOfTarget(t, process.env) ?? base.config.url;
  const ctx: migrator.RunContext = {
    ...base,
    config: { ...base.config, url, schema: t.schema ?? base.config.schema },
    ...(t.schema === undefined ? {} : { searchPath: t.schema }),
  };
  return migrator.apply(ctx, { target: version(to), dryRun, sql, singleTransaction, outOfOrder });
}

export interface FleetOptions extends Settings {
  /** Default 'apply'. */
  readonly command?: FleetCommandName;
  /** The targets, or where to read them (a file, a query against the control database, a command). */
  readonly targets: readonly TargetInput[] | TargetSource;
  /** Concurrency, per-host cap, canary, waves, thresholds, retries (default: 4 at once; retries as the `retries` setting, else 0). */
  readonly policy?: Partial<Omit<FleetPolicy, 'shard'>> & {
    /** `count` shards, this process's `index` (default `$JOB_COMPLETION_INDEX`). */
    readonly shard?: { readonly index?: number; readonly count: number };
  };
  /** The command's own options: apply's `target`, rollback's `steps`, verify's `strict`… */
  readonly commandOptions?: Readonly<Record<string, unknown>>;
  /** Folder of the run files (default `.tidemark/runs`, under the current directory). */
  readonly runDir?: string;
  readonly onEvent?: (event: FleetEvent) => void;
  /** Aborting it stops starting targets and cancels those in flight. */
  readonly signal?: AbortSignal;
}

/**
 * Runs a command over many targets (see the CLI's `fleet`). A target's
 * failure is in its result and in `exitCode` (7 some failed, 8 stopped);
 * thrown errors are for a bad list or policy (ConfigError) and the like.
 */
export async function fleet(options: FleetOptions): Promise<FleetReport> {
  const { command, targets, policy = {}, commandOptions, runDir, onEvent, signal, ...settings } = options;
  const source: TargetSource = Array.isArray(targets)
    ? { kind: 'list', targets: (targets as readonly TargetInput[]).map((t, i) => targetFrom(t, `targets[${i}]`)) }
    : (targets as TargetSource);
  const shard = resolveShard({ index: policy.shard?.index, count: policy.shard?.count }, process.env);
  const ctx = context(settings);
  const full: FleetPolicy = { concurrency: 4, failFast: false, retries: ctx.config.retries, ...policy, shard };
  return migrator.runFleet(
    { ...ctx, signal },
    {
      command: command ?? 'apply',
      source,
      policy: full,
      commandOptions,
      runDir,
      onEvent,
    },
  );
}
