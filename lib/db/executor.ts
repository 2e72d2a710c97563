/**
 * Executor: runs plan steps. A transactional step is `BEGIN → settings →
 * script → ledger row → COMMIT`, pipelined into one round trip (see
 * runInOwnTransaction), or a rollback and a typed error; with
 * `singleTransaction` the whole batch shares one transaction. A script marked
 * `-- tidemark:no-transaction` runs statement by statement (no-transaction.ts).
 */
import type { Client } from 'pg';
import { ConnectionError, InterruptedError, interruptionDetail, MigrationFailedError } from '../errors';
import type { Logger } from '../log';
import type { Step } from '../types';
import { appliedRowQuery, ensureLedger, MAX_STORED_SCRIPT_BYTES, rolledBackRowQuery, storedText, type LedgerTable } from './ledger';
import { runNonTransactional, StatementFailure } from './no-transaction';
import { isDatabaseError, sqlErrorFields } from './sql-error';
import { runScriptQuery } from './simple-query';

export interface StepSettings {
  /** Recorded in the ledger; readable as current_setting('tidemark.environment'). */
  readonly environment: string;
  /** PostgreSQL durations (e.g. `5s`), set with SET LOCAL for every migration. */
  readonly lockTimeout?: string;
  readonly statementTimeout?: string;
}

export interface StepOutcome {
  readonly step: Step;
  readonly durationMs: number;
}

export interface StepEvent {
  readonly step: Step;
  /** 0-based position in the plan. */
  readonly index: number;
  readonly total: number;
}

export interface RunOptions {
  readonly ledger: LedgerTable;
  readonly settings: StepSettings;
  readonly singleTransaction: boolean;
  readonly logger: Logger;
  /** Statements of the first step's script already done (`--resume` of a non-transactional migration). */
  readonly resumeFrom?: number;
  /** Retries of a transactional migration that failed on lock_timeout (SQLSTATE 55P03). */
  readonly retries?: number;
  /** Base of the jittered exponential backoff between retries, in ms (default 1000). */
  readonly retryDelayMs?: number;
  /** Aborting it (reason `SIGINT`/`SIGTERM`) cancels the running query and stops the run. */
  readonly signal?: AbortSignal;
  /** Cancels the query running on this client, from another connection. */
  readonly cancel?: () => Promise<void>;
  /** Called when a step starts, e.g. to show a live progress line. */
  readonly onStepStart?: (event: StepEvent) => void;
  /** Create the ledger table first (inside the batch transaction with singleTransaction, so a failed batch leaves nothing). */
  readonly createLedger?: boolean;
}

const LOCK_NOT_AVAILABLE = '55P03';

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/**
 * Runs `steps` in order and returns what completed.
 * @throws MigrationFailedError when a script fails; that step (or, with
 *   singleTransaction, the whole batch) was rolled back.
 * @throws InterruptedError when `signal` aborts; the running step was cancelled and rolled back.
 * @throws ConnectionError when the connection drops mid-step.
 */
export async function runSteps(client: Client, steps: readonly Step[], options: RunOptions): Promise<StepOutcome[]> {
  const done: StepOutcome[] = [];
  const batch = options.singleTransaction;
  const interrupted = (cancelled: Step | null) =>
    new InterruptedError(
      String(options.signal?.reason ?? 'SIGTERM'),
      interruptionDetail(batch ? [] : done.map((o) => o.step.pair.label), cancelled?.pair.label ?? null, steps.length - (batch ? 0 : done.length)),
    );
  const onAbort = () => void options.cancel?.().catch(() => {});
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (batch) await begin(client, options.settings);
    if (options.createLedger) await ensureLedger(client, options.ledger);
    for (const [index, step] of steps.entries()) {
      if (options.signal?.aborted) throw interrupted(null);
      options.onStepStart?.({ step, index, total: steps.length });
      const durationMs = await runWithRetries(client, step, index, options, () => interrupted(step), batch ? 0 : index, steps.length);
      done.push({ step, durationMs });
    }
    if (batch) {
      await client.query('COMMIT');
      options.logger.info({ outcome: 'ok', committed: done.length }, `committed the batch of ${done.length} in one transaction`);
    }
    return done;
  } catch (err) {
    if (batch) await client.query('ROLLBACK').catch(() => {});
    if (options.signal?.aborted && !(err instanceof InterruptedError)) throw interrupted(null);
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

async function runWithRetries(client: Client, step: Step, index: number, options: RunOptions, interrupted: () => Error, completed: number, total: number): Promise<number> {
  // The step's fields go on each of its lines; a pino child per step would cost more than the rest of the step's client work.
  const fields = { version: step.pair.version.toString(), name: step.pair.name, direction: step.direction };
  const log = options.logger;
  const script = step.pair[step.direction];
  const verb = options.singleTransaction ? 'ran' : step.direction === 'up' ? 'applied' : 'rolled back';
  const retryable = !options.singleTransaction && !script.directives.noTransaction;
  for (let attempt = 1; ; attempt++) {
    try {
      const durationMs = script.directives.noTransaction
        ? await runNonTransactional(client, step, options.ledger, settingsFor(step, options.settings), index === 0 ? options.resumeFrom ?? 0 : 0, log.child(fields))
        : await runTransactional(client, step, options);
      log.info({ ...fields, duration_ms: durationMs, outcome: 'ok', attempt }, `${verb} ${step.pair.label} (${durationMs} ms${options.singleTransaction ? ', not committed until the batch is' : ''})`);
      if (step.direction === 'up' && storedText(step.pair.up) === null) {
        log.info({ ...fields, stored: 'checksum-only' }, `${step.pair.up.path} is over ${MAX_STORED_SCRIPT_BYTES / 1024 / 1024} MiB: the ledger keeps its checksum only, so a later edit can be detected but not shown as a diff`);
      }
      return durationMs;
    } catch (err) {
      if (options.signal?.aborted) throw interrupted();
      const code = (err as { code?: string }).code;
      if (retryable && code === LOCK_NOT_AVAILABLE && attempt <= (options.retries ?? 0)) {
        const base = (options.retryDelayMs ?? 1000) * 2 ** (attempt - 1);
        const delay = Math.round(Math.min(base, 60_000) * (0.5 + Math.random()));
        log.warn({ ...fields, outcome: 'retry', attempt, sqlstate: code, delay_ms: delay }, `${step.pair.label}: ${(err as Error).message}; retry ${attempt} of ${options.retries} in ${delay} ms`);
        await sleep(delay, options.signal);
        if (options.signal?.aborted) throw interrupted();
        continue;
      }
      throw toFailure(err, step, completed, total - completed, options.singleTransaction); // reported once, by the caller
    }
  }
}

/** The run's settings, with the script's own `-- tidemark:lock-timeout` / `statement-timeout` on top. */
function settingsFor(step: Step, settings: StepSettings): StepSettings {
  const d = step.pair[step.direction].directives;
  return { ...settings, lockTimeout: d.lockTimeout ?? settings.lockTimeout, statementTimeout: d.statementTimeout ?? settings.statementTimeout };
}

async function runTransactional(client: Client, step: Step, options: RunOptions): Promise<number> {
  return options.singleTransaction ? runInBatch(client, step, options) : runInOwnTransaction(client, step, options);
}

/**
 * `BEGIN`, the settings, the script, the ledger row and `COMMIT`, written to
 * the server together and answered in one round trip (the client is in pg's
 * pipeline mode, where each query ends with its own Sync).
 *
 * Safe because each one runs only if everything before it succeeded: after a
 * failed script the transaction is aborted, so the ledger INSERT fails
 * (25P02) and `COMMIT` ends it as a rollback. The first failure in sending
 * order is the cause and is what gets reported. The row's duration is computed
 * by the server (time since BEGIN), since the INSERT leaves before the script
 * has finished. A big script is streamed (simple-query.ts) and nothing may be
 * written behind it until its last byte is out, so its row and COMMIT wait
 * for its result: two round trips.
 */
async function runInOwnTransaction(client: Client, step: Step, options: RunOptions): Promise<number> {
  const script = step.pair[step.direction];
  const settings = settingsQuery(settingsFor(step, options.settings), ['tidemark.environment', 'lock_timeout', 'statement_timeout']);
  const started = performance.now();
  let scriptMs = 0;
  const row = step.direction === 'up' ? appliedRowQuery(options.ledger, step.pair, options.settings.environment) : rolledBackRowQuery(options.ledger, step.pair.version);
  const sent: Promise<unknown>[] = [];
  const sendRowAndCommit = () => {
    const result = client.query<{ duration_ms?: number }>(row);
    sent.push(result, client.query('COMMIT'));
    return result;
  };
  let recorded = batchWrites(client, () => {
    sent.push(client.query('BEGIN'));
    if (settings) sent.push(client.query(settings));
    sent.push(runScriptQuery(client, script).then(() => void (scriptMs = Math.round(performance.now() - started))));
    return script.bytes ? null : sendRowAndCommit();
  });
  if (recorded === null) {
    if ((await firstFailure(sent)) !== null) return rollBackAfter(client, sent);
    recorded = batchWrites(client, sendRowAndCommit);
  }
  if ((await firstFailure(sent)) !== null) return rollBackAfter(client, sent);
  return (await recorded).rows[0]?.duration_ms ?? scriptMs;
}

/** One step of a `--single-transaction` batch: its settings and script together, then its ledger row. */
async function runInBatch(client: Client, step: Step, options: RunOptions): Promise<number> {
  const script = step.pair[step.direction];
  const started = performance.now();
  const settings = settingsQuery(settingsFor(step, options.settings), ['lock_timeout', 'statement_timeout']);
  const sent = batchWrites(client, () => [...(settings ? [client.query(settings)] : []), runScriptQuery(client, script)]);
  const failed = await firstFailure(sent);
  if (failed !== null) throw failed.reason;
  const durationMs = Math.round(performance.now() - started);
  if (step.direction === 'up') await client.query(appliedRowQuery(options.ledger, step.pair, options.settings.environment, durationMs));
  else await client.query(rolledBackRowQuery(options.ledger, step.pair.version));
  return durationMs;
}

/** Waits for every query sent and returns the first (in sending order) that failed, or null. */
async function firstFailure(sent: readonly Promise<unknown>[]): Promise<PromiseRejectedResult | null> {
  const settled = await Promise.allSettled(sent);
  return settled.find((r): r is PromiseRejectedResult => r.status === 'rejected') ?? null;
}

/** Ends a failed pipelined transaction (unless its COMMIT already did, as a rollback) and throws the first failure. */
async function rollBackAfter(client: Client, sent: readonly Promise<unknown>[]): Promise<never> {
  const failed = await firstFailure(sent);
  if (client.getTransactionStatus() !== 'I') await client.query('ROLLBACK').catch(() => {});
  throw failed?.reason;
}

/**
 * Runs `submit`, which sends several queries, with the socket corked, so
 * their messages leave in one write.
 */
function batchWrites<T>(client: Client, submit: () => T): T {
  const stream = (client as unknown as { connection?: { stream?: { cork?(): void; uncork?(): void } } }).connection?.stream;
  stream?.cork?.();
  try {
    return submit();
  } finally {
    stream?.uncork?.();
  }
}

async function begin(client: Client, settings: StepSettings): Promise<void> {
  await client.query('BEGIN');
  const query = settingsQuery(settings, ['tidemark.environment', 'lock_timeout', 'statement_timeout']);
  if (query) await client.query(query);
}

/**
 * SET LOCAL, written as set_config(name, $n, true) so that every value —
 * an environment name, a timeout — is a query parameter, never pasted into SQL.
 */
function settingsQuery(settings: StepSettings, names: readonly string[]): { text: string; values: string[] } | null {
  const all: Record<string, string | undefined> = {
    'tidemark.environment': settings.environment,
    lock_timeout: settings.lockTimeout,
    statement_timeout: settings.statementTimeout,
  };
  const given = names.filter((n) => all[n] !== undefined);
  if (given.length === 0) return null;
  const calls = given.map((n, i) => `set_config('${n}', $${i + 1}, true)`).join(', ');
  return { text: `SELECT ${calls}`, values: given.map((n) => all[n] as string) };
}

function toFailure(caught: unknown, step: Step, completed: number, notApplied: number, batch: boolean): Error {
  const script = step.pair[step.direction];
  const partial = caught instanceof StatementFailure ? caught : null;
  const err = partial ? partial.error : caught;
  if (!isDatabaseError(err)) {
    return new ConnectionError(
      `Connection lost while running ${script.path} (${(err as Error).message}). PostgreSQL rolls back the open transaction, so neither its changes nor a ledger row remain; the next run starts it again.`,
    );
  }
  // A big script went whole from its bytes (runScriptQuery): its positions count in them, and its text is not decoded for this.
  const source = script.bytes && !partial ? script.bytes : script.sql;
  const { fields, frame } = sqlErrorFields(err, source, partial?.statement.start);
  const { version, name, label } = step.pair;
  return new MigrationFailedError({
    version, name, label, direction: step.direction, path: script.path, sql: fields, frame, completed, notApplied, batchRolledBack: batch,
    partial: partial && { statement: partial.statement.index + 1, total: partial.total, invalidIndexes: partial.invalidIndexes },
  });
}
