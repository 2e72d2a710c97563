/**
 * One step of a run: the way its script runs (its own pipelined transaction,
 * a step of the --single-transaction batch, or statement by statement
 * without a transaction), its retries on lock_timeout, its log lines, and
 * the typed error it ends in.
 */
import type { Step } from '../types';
import { runInBatch } from './batch';
import { MAX_STORED_SCRIPT_BYTES, storedText } from './ledger';
import { runNonTransactional } from './no-transaction';
import { runInOwnTransaction } from './pipelined-write';
import { withRetries, type RetryPolicy } from './retries';
import type { Run } from './run-context';
import { stepFailure } from './step-failure';

/**
 * Runs the step at `index` of the run.
 * @returns its duration in ms.
 * @throws MigrationFailedError, TransactionEndedError, InterruptedError or
 *   ConnectionError (see stepFailure); the step was rolled back, or stopped
 *   part-way as its ledger row says.
 */
export async function runStep(run: Run, step: Step, index: number): Promise<number> {
  const fields = fieldsOf(step);
  const script = step.pair[step.direction];
  const policy: RetryPolicy = run.batch || script.directives.noTransaction ? { ...run.retry, retries: 0 } : run.retry;
  const once = () =>
    script.directives.noTransaction
      ? runNonTransactional(run.target, step, {
          startAt: index === 0 ? run.resumeFrom : 0,
          log: run.log.child(fields),
          signal: run.signal,
          onStatement: run.notices.statement,
        })
      : run.batch
        ? runInBatch(run.target, step)
        : runInOwnTransaction(run.target, step);
  const onRetry = (err: unknown, attempt: number, delay: number) =>
    run.log.warn(
      { ...fields, outcome: 'retry', attempt, sqlstate: (err as { code?: string }).code, delay_ms: delay },
      `${step.pair.label}: ${(err as Error).message}; retry ${attempt} of ${run.retry.retries} in ${delay} ms`,
    );
  try {
    const done = await withRetries(policy, once, onRetry);
    logDone(run, step, done);
    return done.value;
  } catch (err) {
    throw stepFailure(run, step, index, err); // reported once, by the caller
  }
}

/** The step's fields, on each of its lines (a pino child per step would cost more than the rest of the step's client work). */
const fieldsOf = (step: Step) => ({
  version: step.pair.version.toString(),
  name: step.pair.name,
  direction: step.direction,
});

function logDone(run: Run, step: Step, { value: durationMs, attempt }: { value: number; attempt: number }): void {
  const verb = run.batch ? 'ran' : step.direction === 'up' ? 'applied' : 'rolled back';
  const { log } = run;
  log.info(
    { ...fieldsOf(step), duration_ms: durationMs, outcome: 'ok', attempt },
    `${verb} ${step.pair.label} (${durationMs} ms${run.batch ? ', not committed until the batch is' : ''})`,
  );
  if (step.direction === 'up' && storedText(step.pair.up) === null) {
    log.info(
      { ...fieldsOf(step), stored: 'checksum-only' },
      `${step.pair.up.path} is over ${MAX_STORED_SCRIPT_BYTES / 1024 / 1024} MiB: the ledger keeps its checksum only, so a later edit can be detected but not shown as a diff`,
    );
  }
}
