/**
 * `--single-transaction`: the whole run in one transaction, committed at the
 * end, so a failure anywhere leaves nothing of the batch — not even its
 * ledger rows, which commit with it.
 */
import type { Step, StepOutcome } from '../types';
import { appliedRowQuery, rolledBackRowQuery } from './ledger';
import { corked } from './pg-internals';
import { firstFailure } from './pipelined-write';
import type { Run, StepTarget } from './run-context';
import { guarded, ScriptEndedTransaction } from './script-ended';
import { batchStepSettingsQuery, settingsFor, transactionSettingsQuery } from './session-settings';
import { runScriptQuery } from './simple-query';
import { batchCommitFailure } from './step-failure';
import { withTransaction } from './transaction';

/**
 * Runs `steps` (the run's loop) inside the batch's transaction, with the
 * run's settings set for it, and commits.
 * @throws what `steps` throws, after the rollback; BatchCommitError or
 *   ConnectionError when the COMMIT fails.
 */
export async function inBatch(run: Run, steps: () => Promise<StepOutcome[]>): Promise<StepOutcome[]> {
  const { client, settings } = run.target;
  const body = async () => {
    await client.query(transactionSettingsQuery(settings));
    return steps();
  };
  const done = await withTransaction(client, body, {}, (err) => batchCommitFailure(err, run.steps.length));
  run.log.info({ outcome: 'ok', committed: done.length }, `committed the batch of ${done.length} in one transaction`);
  return done;
}

/**
 * One step of the batch: its settings and script together, then its ledger row.
 * @returns the script's duration in ms.
 * @throws the script's error, or ScriptEndedTransaction when the script ended the batch's transaction.
 */
export async function runInBatch(target: StepTarget, step: Step): Promise<number> {
  const { client, ledger } = target;
  const script = step.pair[step.direction];
  const started = performance.now();
  const settings = batchStepSettingsQuery(settingsFor(step, target.settings));
  const sent = corked(client, () => [...(settings ? [client.query(settings)] : []), runScriptQuery(client, script)]);
  const failed = await firstFailure(sent);
  // Failed, and no transaction open: the script ended the batch's transaction before it failed.
  if (failed !== null)
    throw client.getTransactionStatus() === 'I' ? new ScriptEndedTransaction(failed.reason) : failed.reason;
  const durationMs = Math.round(performance.now() - started);
  const row =
    step.direction === 'up'
      ? appliedRowQuery(ledger, step.pair, target.settings.environment, durationMs)
      : rolledBackRowQuery(ledger, step.pair.version);
  await guarded(client.query(row));
  return durationMs;
}
