/**
 * What the parts of a run share, built once by {@link openRun} from the
 * options of runSteps: the connection, ledger and settings every step writes
 * with, the retry policy, the notice watch, and the steps done so far.
 * A types module for the executor's parts (it imports none of them), so
 * they never import each other back.
 */
import type { Client } from 'pg';
import { InterruptedError, interruptionDetail, partialInterruptionDetail, type PartialStop } from '../errors';
import type { Logger } from '../log';
import type { Step, StepEvent, StepOutcome } from '../types';
import { cancelWhenAborted } from './cancel';
import type { LedgerTable } from './ledger';
import { watchNotices, type NoticeWatch } from './notices';
import type { RetryPolicy } from './retries';
import type { StepSettings } from './session-settings';

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
  /**
   * The ledger's privileges were checked already in this session (`tidemark test`, which runs the
   * executor once per script on a ledger it created itself): no check before the steps.
   */
  readonly ledgerChecked?: boolean;
}

/** Where every step of a run writes: the connection, the ledger, and the run's settings. */
export interface StepTarget {
  readonly client: Client;
  readonly ledger: LedgerTable;
  readonly settings: StepSettings;
}

/** One run of runSteps. */
export interface Run {
  readonly target: StepTarget;
  readonly steps: readonly Step[];
  /** `--single-transaction`: every step in one transaction, committed at the end. */
  readonly batch: boolean;
  readonly log: Logger;
  readonly signal?: AbortSignal;
  readonly retry: RetryPolicy;
  readonly resumeFrom: number;
  readonly notices: NoticeWatch;
  readonly onStepStart?: (event: StepEvent) => void;
  /** The steps done so far, in order. */
  readonly done: StepOutcome[];
  /** Stops listening to the signal and to the server's notices. */
  close(): void;
}

/**
 * Starts a run on `client`: an abort of the signal cancels the running
 * query, and the server's notices are logged with their migration, until
 * `close()`.
 */
export function openRun(client: Client, steps: readonly Step[], options: RunOptions): Run {
  const stopCancelling = cancelWhenAborted(options.signal, options.cancel);
  const notices = watchNotices(client, options.logger); // RAISE NOTICE, warnings: logged with their migration
  return {
    target: { client, ledger: options.ledger, settings: options.settings },
    steps,
    batch: options.singleTransaction,
    log: options.logger,
    signal: options.signal,
    retry: { retries: options.retries ?? 0, baseMs: options.retryDelayMs ?? 1000, signal: options.signal },
    resumeFrom: options.resumeFrom ?? 0,
    notices,
    onStepStart: options.onStepStart,
    done: [],
    close() {
      stopCancelling();
      notices.stop();
    },
  };
}

const reasonOf = (run: Run) => String(run.signal?.reason ?? 'SIGTERM');

/**
 * The run was interrupted, between steps or (`cancelled`) in one that
 * rolled back. A batch rolls back whole, so none of its steps counts as done.
 */
export function runInterrupted(run: Run, cancelled: Step | null): InterruptedError {
  const done = run.batch ? [] : run.done.map((o) => o.step.pair.label);
  return new InterruptedError(
    reasonOf(run),
    interruptionDetail(done, cancelled?.pair.label ?? null, run.steps.length - done.length),
  );
}

/** `step` was interrupted: rolled back, or (`partial`) stopped part-way through a non-transactional script. */
export function stepInterrupted(run: Run, step: Step, partial?: PartialStop): InterruptedError {
  if (!partial) return runInterrupted(run, step);
  const done = run.done.map((o) => o.step.pair.label);
  return new InterruptedError(
    reasonOf(run),
    partialInterruptionDetail(done, partial, run.steps.length - run.done.length),
  );
}
