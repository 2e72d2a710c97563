/**
 * One target of a fleet run: its connection string and place resolved once,
 * then the command, tried again after a transient failure with backoff,
 * and its result (no connection string in it: the host and database only).
 */
import { setTimeout as wait } from 'node:timers/promises';
import { ClientPool } from '../db/client-pool';
import { isTidemarkError, MigrationFailedError } from '../errors';
import { passwordOf, placeOf, redact } from '../fleet/hosts';
import { backoffMs, isTransient } from '../fleet/policy';
import { urlOfTarget } from '../fleet/targets';
import type {
  FleetCommandName,
  FleetEvent,
  FleetPolicy,
  FleetTarget,
  TargetFailure,
  TargetResult,
} from '../fleet/types';
import type { RunContext } from './context';
import { runCommand, type CommandOutcome, type Shared } from './fleet-command';

/** A target ready to run: where it connects, resolved once. */
export interface Prepared {
  readonly target: FleetTarget;
  /** The connection string (may hold a password: never in a result). */
  readonly url?: string;
  /** Why the target cannot run at all (a missing `{"env": …}` variable): it fails with this. */
  readonly problem?: unknown;
  readonly hostKey: string;
  readonly host: string;
  readonly secrets: readonly string[];
}

export function prepare(target: FleetTarget, baseUrl: string | undefined, env: NodeJS.ProcessEnv): Prepared {
  try {
    const url = urlOfTarget(target, env) ?? baseUrl;
    const secret = passwordOf(url, env);
    return { target, url, ...placeOf(url, env), secrets: secret === undefined ? [] : [secret] };
  } catch (problem) {
    return { target, problem, hostKey: '?', host: '?', secrets: [] };
  }
}

/** What every target of a run shares. */
export interface TargetRunner {
  readonly ctx: RunContext;
  readonly command: FleetCommandName;
  readonly options: Readonly<Record<string, unknown>>;
  readonly policy: FleetPolicy;
  readonly shared: Shared;
  readonly pool: ClientPool;
  readonly emit: (event: FleetEvent) => void;
  /** Another target still to run connects to `url`: keep the connection open. */
  readonly stillNeeded: (url: string | undefined) => boolean;
}

/** Waits `ms`; false when `signal` aborted the wait (a SIGTERM must not sit out a backoff past a pod's grace period). */
async function waited(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  try {
    await wait(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/** Runs the command on `p`, with retries; never throws: a failure is in the result. */
export async function runTarget(runner: TargetRunner, p: Prepared, wave: string): Promise<TargetResult> {
  const started = Date.now();
  const { name } = p.target;
  for (let attempt = 1; ; attempt++) {
    runner.emit({ kind: 'target-start', name, wave, attempt });
    try {
      return resultOf(p, { wave, attempts: attempt, started }, await once(runner, p));
    } catch (err) {
      const failure = failureOf(err, p.secrets);
      const retry = failure.transient && attempt <= runner.policy.retries && !runner.ctx.signal?.aborted;
      if (!retry) return resultOf(p, { wave, attempts: attempt, started }, { state: 'failed', versions: [] }, failure);
      const delay = backoffMs(attempt, runner.policy.retryDelayMs ?? 1000);
      runner.ctx.logger.warn(
        { target: name, attempt, delay_ms: delay, sqlstate: failure.sqlstate },
        `${name}: ${failure.message}; trying again in ${delay} ms`,
      );
      if (!(await waited(delay, runner.ctx.signal)))
        return resultOf(p, { wave, attempts: attempt, started }, { state: 'failed', versions: [] }, failure);
    }
  }
}

async function once(runner: TargetRunner, p: Prepared): Promise<CommandOutcome> {
  if (p.problem !== undefined) throw p.problem;
  const { ctx } = runner;
  const client = await runner.pool.acquire(p.url);
  // Reused only when no migration ran on it: a script's own SET (a role, a
  // search_path) must not follow the connection to the next tenant.
  let reusable = false;
  try {
    const schema = p.target.schema;
    const outcome = await runCommand(
      runner.command,
      {
        config: { ...ctx.config, url: p.url, schema: schema ?? ctx.config.schema },
        logger: ctx.logger.child({ target: p.target.name }),
        signal: ctx.signal,
        client,
        ...(schema === undefined ? {} : { searchPath: schema }),
      },
      runner.options,
      runner.shared,
    );
    reusable = outcome.state !== 'migrated';
    return outcome;
  } finally {
    await runner.pool.release(p.url, client, reusable && runner.stillNeeded(p.url));
  }
}

interface Timing {
  readonly wave: string;
  readonly attempts: number;
  readonly started: number;
}

function resultOf(p: Prepared, t: Timing, outcome: CommandOutcome, failure?: TargetFailure): TargetResult {
  const { name, schema, labels } = p.target;
  const finding: TargetFailure | undefined =
    outcome.finding === undefined
      ? undefined
      : { message: redact(outcome.finding, p.secrets), exitCode: outcome.exitCode ?? 1, transient: false };
  return {
    name,
    host: p.host,
    ...(schema === undefined ? {} : { schema }),
    labels,
    state: outcome.state,
    wave: t.wave,
    attempts: t.attempts,
    durationMs: Date.now() - t.started,
    versions: outcome.versions,
    ...((failure ?? finding) ? { failure: failure ?? finding } : {}),
    ...(outcome.status ? { status: outcome.status } : {}),
    ...(outcome.exitCode === undefined ? {} : { exitCode: outcome.exitCode }),
  };
}

/** A target that was never started (a threshold, the canary, a signal). */
export function notStarted(p: Prepared, wave: string): TargetResult {
  return resultOf(p, { wave, attempts: 0, started: Date.now() }, { state: 'not-started', versions: [] });
}

/** An error as a target's failure: SQLSTATE, file:line:col and version when a migration failed; passwords masked. */
export function failureOf(err: unknown, secrets: readonly string[]): TargetFailure {
  const message = redact(err instanceof Error ? err.message : String(err), secrets);
  const code = (err as { code?: unknown }).code;
  const exitCode = isTidemarkError(err) ? err.exitCode : 1;
  if (err instanceof MigrationFailedError) {
    const f = err.failure;
    const location = f.sql.line === null ? f.path : `${f.path}:${f.sql.line}:${f.sql.column}`;
    const sqlstate = f.sql.sqlstate ?? undefined;
    const transient = isTransient({ sqlstate, message, partial: f.partial !== null });
    return { message, ...(sqlstate ? { sqlstate } : {}), location, version: f.version.toString(), exitCode, transient };
  }
  const sqlstate = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
  const socket = typeof code === 'string' && code.startsWith('E') ? code : undefined;
  const partial = /runs without a transaction/.test(message);
  const transient = isTransient({
    sqlstate: sqlstate ?? socket,
    code: isTidemarkError(err) ? err.code : undefined,
    message,
    partial,
  });
  return { message, ...(sqlstate ? { sqlstate } : {}), exitCode, transient };
}
