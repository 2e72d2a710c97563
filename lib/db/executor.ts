/**
 * Executor: runs plan steps. A transactional step is `BEGIN → settings →
 * script → ledger row → COMMIT`, pipelined into one round trip (see
 * runInOwnTransaction), or a rollback and a typed error; with
 * `singleTransaction` the whole batch shares one transaction. A script marked
 * `-- tidemark:no-transaction` runs statement by statement (no-transaction.ts).
 */
import type { Client } from 'pg';
import {
  BatchCommitError,
  ConnectionError,
  InterruptedError,
  interruptionDetail,
  MigrationFailedError,
  partialInterruptionDetail,
  partialStopDetail,
  TransactionEndedError,
  type PartialStop,
} from '../errors';
import type { Logger } from '../log';
import type { Script, Step } from '../types';
import {
  appliedRowQuery,
  ensureLedger,
  isOutsideTransaction,
  MARK_TRANSACTION,
  MAX_STORED_SCRIPT_BYTES,
  readLedger,
  recordEndedTransaction,
  rolledBackRowQuery,
  storedText,
  type LedgerTable,
} from './ledger';
import { requireLedgerWrites, type TablePrivilege } from './privileges';
import { isSessionGone, runNonTransactional, StatementFailure } from './no-transaction';
import { watchNotices, type NoticeWatch } from './notices';
import { isDatabaseError, sqlErrorFields } from './sql-error';
import { runScriptQuery, statementsCompletedBefore } from './simple-query';

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
      interruptionDetail(
        batch ? [] : done.map((o) => o.step.pair.label),
        cancelled?.pair.label ?? null,
        steps.length - (batch ? 0 : done.length),
      ),
    );
  const onAbort = () => void options.cancel?.().catch(() => {});
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const notices = watchNotices(client, options.logger); // RAISE NOTICE, warnings: logged with their migration
  try {
    if (batch) await begin(client, options.settings);
    const created = options.createLedger === true && (await ensureLedger(client, options.ledger));
    if (!created) await requireLedgerWrites(client, options.ledger, ledgerWrites(steps), LEDGER_WRITES);
    for (const [index, step] of steps.entries()) {
      if (options.signal?.aborted) throw interrupted(null);
      options.onStepStart?.({ step, index, total: steps.length });
      const stopped = (partial?: PartialStop) =>
        partial
          ? new InterruptedError(
              String(options.signal?.reason ?? 'SIGTERM'),
              partialInterruptionDetail(
                done.map((o) => o.step.pair.label),
                partial,
                steps.length - done.length,
              ),
            )
          : interrupted(step);
      notices.step(step);
      const durationMs = await runWithRetries(
        client,
        step,
        index,
        options,
        stopped,
        batch ? 0 : index,
        steps.length,
        notices,
      );
      notices.step(null);
      done.push({ step, durationMs });
    }
    if (batch) {
      await client.query('COMMIT').catch((err) => Promise.reject(batchCommitFailure(err, steps.length)));
      options.logger.info(
        { outcome: 'ok', committed: done.length },
        `committed the batch of ${done.length} in one transaction`,
      );
    }
    return done;
  } catch (err) {
    if (batch || client.getTransactionStatus() !== 'I') await client.query('ROLLBACK').catch(() => {});
    if (err instanceof TransactionEndedError) throw await recordTransactionEnded(client, err, options);
    if (options.signal?.aborted && !(err instanceof InterruptedError)) throw interrupted(null);
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    notices.stop();
  }
}

const LEDGER_WRITES =
  'apply records each migration in the ledger (INSERT), and its progress or failure (UPDATE); rollback also deletes rows (DELETE).';

/**
 * The ledger privileges `steps` need besides SELECT: INSERT and UPDATE for
 * any (a row, a no-transaction script's progress, a row marked failed,
 * written as INSERT … ON CONFLICT DO UPDATE), and DELETE to roll back.
 */
function ledgerWrites(steps: readonly Step[]): TablePrivilege[] {
  if (steps.length === 0) return [];
  return steps.some((s) => s.direction === 'down') ? ['INSERT', 'UPDATE', 'DELETE'] : ['INSERT', 'UPDATE'];
}

async function runWithRetries(
  client: Client,
  step: Step,
  index: number,
  options: RunOptions,
  interrupted: (partial?: PartialStop) => Error,
  completed: number,
  total: number,
  notices: NoticeWatch,
): Promise<number> {
  // The step's fields go on each of its lines; a pino child per step would cost more than the rest of the step's client work.
  const fields = { version: step.pair.version.toString(), name: step.pair.name, direction: step.direction };
  const log = options.logger;
  const script = step.pair[step.direction];
  const verb = options.singleTransaction ? 'ran' : step.direction === 'up' ? 'applied' : 'rolled back';
  const retryable = !options.singleTransaction && !script.directives.noTransaction;
  for (let attempt = 1; ; attempt++) {
    try {
      const durationMs = script.directives.noTransaction
        ? await runNonTransactional(
            client,
            step,
            options.ledger,
            settingsFor(step, options.settings),
            index === 0 ? (options.resumeFrom ?? 0) : 0,
            log.child(fields),
            options.signal,
            notices.statement,
          )
        : await runTransactional(client, step, options);
      log.info(
        { ...fields, duration_ms: durationMs, outcome: 'ok', attempt },
        `${verb} ${step.pair.label} (${durationMs} ms${options.singleTransaction ? ', not committed until the batch is' : ''})`,
      );
      if (step.direction === 'up' && storedText(step.pair.up) === null) {
        log.info(
          { ...fields, stored: 'checksum-only' },
          `${step.pair.up.path} is over ${MAX_STORED_SCRIPT_BYTES / 1024 / 1024} MiB: the ledger keeps its checksum only, so a later edit can be detected but not shown as a diff`,
        );
      }
      return durationMs;
    } catch (err) {
      const partial = err instanceof StatementFailure ? partialStop(step, err) : undefined;
      if (partial?.kind === 'in-doubt')
        throw new ConnectionError(
          `Connection lost (${(err as StatementFailure).message}). ${partialStopDetail(partial)}`,
        );
      if (options.signal?.aborted) throw interrupted(partial);
      const code = (err as { code?: string }).code;
      if (retryable && code === LOCK_NOT_AVAILABLE && attempt <= (options.retries ?? 0)) {
        const base = (options.retryDelayMs ?? 1000) * 2 ** (attempt - 1);
        const delay = Math.round(Math.min(base, 60_000) * (0.5 + Math.random()));
        log.warn(
          { ...fields, outcome: 'retry', attempt, sqlstate: code, delay_ms: delay },
          `${step.pair.label}: ${(err as Error).message}; retry ${attempt} of ${options.retries} in ${delay} ms`,
        );
        await sleep(delay, options.signal);
        if (options.signal?.aborted) throw interrupted();
        continue;
      }
      throw toFailure(err, step, completed, total - completed, options.singleTransaction); // reported once, by the caller
    }
  }
}

/** The run's settings, with the script's own `-- tidemark:lock-timeout` / `statement-timeout` on top. */
export function settingsFor(step: Step, settings: StepSettings): StepSettings {
  const d = step.pair[step.direction].directives;
  return {
    ...settings,
    lockTimeout: d.lockTimeout ?? settings.lockTimeout,
    statementTimeout: d.statementTimeout ?? settings.statementTimeout,
  };
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
  const settings = settingsQuery(
    settingsFor(step, options.settings),
    ['tidemark.environment', 'lock_timeout', 'statement_timeout'],
    true,
  );
  const started = performance.now();
  let scriptMs = 0;
  const row =
    step.direction === 'up'
      ? appliedRowQuery(options.ledger, step.pair, options.settings.environment)
      : rolledBackRowQuery(options.ledger, step.pair.version);
  const sent: Promise<unknown>[] = [];
  const sendRowAndCommit = () => {
    const result = client.query<{ duration_ms?: number }>(row);
    sent.push(guarded(result), client.query('COMMIT').catch(failedAtCommit));
    return result;
  };
  let recorded = batchWrites(client, () => {
    sent.push(client.query('BEGIN'));
    if (settings) sent.push(client.query(settings));
    sent.push(runScriptQuery(client, script).then(() => void (scriptMs = Math.round(performance.now() - started))));
    return script.body.big ? null : sendRowAndCommit();
  });
  if (recorded === null) {
    if ((await firstFailure(sent)) !== null) return rollBackAfter(client, sent, false);
    recorded = batchWrites(client, sendRowAndCommit);
  }
  if ((await firstFailure(sent)) !== null) return rollBackAfter(client, sent, true);
  return (await recorded).rows[0]?.duration_ms ?? scriptMs;
}

/** One step of a `--single-transaction` batch: its settings and script together, then its ledger row. */
async function runInBatch(client: Client, step: Step, options: RunOptions): Promise<number> {
  const script = step.pair[step.direction];
  const started = performance.now();
  const settings = settingsQuery(settingsFor(step, options.settings), ['lock_timeout', 'statement_timeout']);
  const sent = batchWrites(client, () => [
    ...(settings ? [client.query(settings)] : []),
    runScriptQuery(client, script),
  ]);
  const failed = await firstFailure(sent);
  // Failed, and no transaction open: the script ended the batch's transaction before it failed.
  if (failed !== null)
    throw client.getTransactionStatus() === 'I' ? new ScriptEndedTransaction(failed.reason) : failed.reason;
  const durationMs = Math.round(performance.now() - started);
  const row =
    step.direction === 'up'
      ? appliedRowQuery(options.ledger, step.pair, options.settings.environment, durationMs)
      : rolledBackRowQuery(options.ledger, step.pair.version);
  await guarded(client.query(row));
  return durationMs;
}

/** Waits for every query sent and returns the first (in sending order) that failed, or null. */
async function firstFailure(sent: readonly Promise<unknown>[]): Promise<PromiseRejectedResult | null> {
  const settled = await Promise.allSettled(sent);
  return settled.find((r): r is PromiseRejectedResult => r.status === 'rejected') ?? null;
}

/**
 * Ends a failed pipelined transaction (unless its COMMIT already did, as a
 * rollback) and throws the first failure — or ScriptEndedTransaction when the
 * script itself ended the transaction: then the ledger write was refused, or,
 * when the script failed after its own COMMIT, nothing of ours is open any
 * more (idle before any ROLLBACK of ours, with the row and COMMIT not sent).
 */
async function rollBackAfter(client: Client, sent: readonly Promise<unknown>[], rowSent: boolean): Promise<never> {
  const settled = await Promise.allSettled(sent);
  const rejected = settled.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
  const ended = rejected.find((e) => e instanceof ScriptEndedTransaction);
  if (ended) throw new ScriptEndedTransaction(rejected[0] === ended ? null : rejected[0]); // the first is the script's own error, if it failed
  if (!rowSent && client.getTransactionStatus() === 'I') throw new ScriptEndedTransaction(rejected[0]);
  if (client.getTransactionStatus() !== 'I') await client.query('ROLLBACK').catch(() => {});
  throw rejected[0];
}

/**
 * Runs `submit`, which sends several queries, with the socket corked, so
 * their messages leave in one write.
 */
function batchWrites<T>(client: Client, submit: () => T): T {
  const stream = (client as unknown as { connection?: { stream?: { cork?(): void; uncork?(): void } } }).connection
    ?.stream;
  stream?.cork?.();
  try {
    return submit();
  } finally {
    stream?.uncork?.();
  }
}

async function begin(client: Client, settings: StepSettings): Promise<void> {
  await client.query('BEGIN');
  const query = settingsQuery(settings, ['tidemark.environment', 'lock_timeout', 'statement_timeout'], true);
  if (query) await client.query(query);
}

/**
 * SET LOCAL, written as set_config(name, $n, true) so that every value —
 * an environment name, a timeout — is a query parameter, never pasted into SQL.
 */
export function settingsQuery(
  settings: StepSettings,
  names: readonly string[],
  markTransaction = false,
): { text: string; values: string[] } | null {
  const all: Record<string, string | undefined> = {
    'tidemark.environment': settings.environment,
    lock_timeout: settings.lockTimeout,
    statement_timeout: settings.statementTimeout,
  };
  const given = names.filter((n) => all[n] !== undefined);
  const calls = [
    ...given.map((n, i) => `pg_catalog.set_config('${n}', $${i + 1}, true)`),
    ...(markTransaction ? [MARK_TRANSACTION] : []),
  ];
  if (calls.length === 0) return null;
  return { text: `SELECT ${calls.join(', ')}`, values: given.map((n) => all[n] as string) };
}

/**
 * The script ended the migration's transaction itself (a COMMIT, ROLLBACK…
 * the lexer did not see), so the ledger write was refused: part of the
 * script may have been committed. The migration's row is marked `failed`
 * (never applied, never absent: nobody can know which without looking), and
 * with --single-transaction the error says which migrations of the batch the
 * script's COMMIT made permanent.
 */
async function recordTransactionEnded(
  client: Client,
  err: TransactionEndedError,
  options: RunOptions,
): Promise<TransactionEndedError> {
  const { step } = err;
  try {
    await recordEndedTransaction(client, options.ledger, step.pair, step.direction, options.settings.environment);
    const batchRecorded = err.batch
      ? (await readLedger(client, options.ledger)).rows.filter((r) => r.state === 'applied').map((r) => r.version)
      : null;
    return err.withFacts({ rowMarked: true, batchRecorded });
  } catch {
    return err.withFacts({ rowMarked: false, batchRecorded: null });
  }
}

/** A ledger write whose transaction-id guard failed (isOutsideTransaction) rejects with ScriptEndedTransaction. */
function guarded<T>(write: Promise<T>): Promise<T> {
  return write.catch((err) => Promise.reject(isOutsideTransaction(err) ? new ScriptEndedTransaction(null) : err));
}

/** The ledger write ran outside the migration's transaction, or the script failed outside it: the script had ended it. */
class ScriptEndedTransaction extends Error {
  constructor(
    /** The script's own error, when it failed after ending the transaction. */
    readonly scriptError: unknown,
  ) {
    super('the script ended the migration transaction');
  }
}

function partialStop(step: Step, f: StatementFailure): PartialStop {
  const { pair, direction } = step;
  return {
    path: pair[direction].path,
    label: pair.label,
    direction,
    statement: f.statement.index + 1,
    line: f.statement.line,
    total: f.total,
    done: f.done,
    kind: f.kind,
    invalidIndexes: f.invalidIndexes,
  };
}

function toFailure(caught: unknown, step: Step, completed: number, notApplied: number, batch: boolean): Error {
  if (caught instanceof ScriptEndedTransaction) {
    const scriptError = caught.scriptError === null ? null : (caught.scriptError as Error).message;
    return new TransactionEndedError({ step, batch, completed, scriptError, rowMarked: false, batchRecorded: null });
  }
  const script = step.pair[step.direction];
  const partial = caught instanceof StatementFailure ? caught : null;
  const err = partial ? partial.error : caught;
  if (!isDatabaseError(err) || isSessionGone(err)) {
    return new ConnectionError(
      `Connection lost while running ${script.path} (${(err as Error).message}). PostgreSQL rolls back the open transaction, so neither its changes nor a ledger row remain; the next run starts it again.`,
    );
  }
  const { fields, frame } = sqlErrorFields(
    err,
    script.body.bytes,
    partial ? partial.statement.start : err.position ? undefined : failedStatementStart(script, err),
  );
  const { version, name, label } = step.pair;
  return new MigrationFailedError({
    version,
    name,
    label,
    direction: step.direction,
    path: script.path,
    sql: fields,
    frame,
    completed,
    notApplied,
    batchRolledBack: batch,
    atCommit: AT_COMMIT in err,
    partial: partial && {
      statement: partial.statement.index + 1,
      total: partial.total,
      invalidIndexes: partial.invalidIndexes,
      done: partial.done,
    },
  });
}

/**
 * The COMMIT of a --single-transaction batch failed: a deferred constraint or
 * constraint trigger of one of its migrations (the whole batch rolled back),
 * or the connection died, when nobody can say whether it committed — but the
 * ledger rows commit with it, so `status` can.
 */
function batchCommitFailure(err: unknown, size: number): Error {
  if (!isDatabaseError(err) || isSessionGone(err)) {
    return new ConnectionError(
      `Connection lost at the COMMIT of the --single-transaction batch of ${size} (${(err as Error).message}): whether it committed is unknown. ` +
        'Its ledger rows commit or roll back together with it: `tidemark status` shows which.',
    );
  }
  const { fields } = sqlErrorFields(err, new Uint8Array(0));
  return new BatchCommitError(size, fields);
}

const AT_COMMIT = Symbol('raised by COMMIT');

/** Marks an error of the migration's own COMMIT: the script ran whole, and a deferred constraint or trigger failed. */
function failedAtCommit(err: unknown): Promise<never> {
  if (typeof err === 'object' && err !== null) Object.defineProperty(err, AT_COMMIT, { value: true });
  return Promise.reject(err);
}

/**
 * Where the statement of a transactional script that raised `err` starts
 * (UTF-16 offset, or byte offset for a big script, found without decoding
 * it), for an error without a position: the server names none (`column
 * "emial" does not exist` from CREATE INDEX, `… cannot run inside a
 * transaction block`), but the statements that completed before it tell
 * which one it was. Undefined when unknown.
 */
function failedStatementStart(script: Script, err: unknown): number | undefined {
  const index = statementsCompletedBefore(err);
  if (index === null) return undefined;
  for (const statement of script.body.statements()) if (statement.index === index) return statement.start;
  return undefined;
}
