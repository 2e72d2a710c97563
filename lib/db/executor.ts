/**
 * Executor: runs the steps of a plan in order. Each step is run by
 * run-step.ts (its own pipelined transaction, pipelined-write.ts; a step of
 * the --single-transaction batch, batch.ts; or statement by statement,
 * no-transaction.ts); this module is the loop around them.
 */
import type { Client } from 'pg';
import { InterruptedError, TransactionEndedError } from '../errors';
import type { Step, StepOutcome } from '../types';
import { inBatch } from './batch';
import { ensureLedger } from './ledger';
import { requireLedgerWrites, type TablePrivilege } from './privileges';
import { openRun, runInterrupted, type Run, type RunOptions } from './run-context';
import { runStep } from './run-step';
import { recordTransactionEnded } from './script-ended';
import { rollbackQuietly } from './transaction';

/**
 * Runs `steps` in order and returns what completed.
 * @throws MigrationFailedError when a script fails; that step (or, with
 *   singleTransaction, the whole batch) was rolled back.
 * @throws InterruptedError when `signal` aborts; the running step was cancelled and rolled back.
 * @throws ConnectionError when the connection drops mid-step.
 */
export async function runSteps(client: Client, steps: readonly Step[], options: RunOptions): Promise<StepOutcome[]> {
  const run = openRun(client, steps, options);
  try {
    const all = () => runAll(run, options);
    return run.batch ? await inBatch(run, all) : await all();
  } catch (err) {
    await rollbackQuietly(client);
    if (err instanceof TransactionEndedError) throw await recordTransactionEnded(run.target, err);
    if (run.signal?.aborted && !(err instanceof InterruptedError)) throw runInterrupted(run, null);
    throw err;
  } finally {
    run.close();
  }
}

async function runAll(run: Run, options: RunOptions): Promise<StepOutcome[]> {
  const { client, ledger } = run.target;
  const created = options.createLedger === true && (await ensureLedger(client, ledger));
  if (!created && options.ledgerChecked !== true)
    await requireLedgerWrites(client, ledger, ledgerWrites(run.steps), LEDGER_WRITES);
  for (const [index, step] of run.steps.entries()) {
    if (run.signal?.aborted) throw runInterrupted(run, null);
    run.onStepStart?.({ step, index, total: run.steps.length });
    run.notices.step(step);
    const durationMs = await runStep(run, step, index);
    run.notices.step(null);
    run.done.push({ step, durationMs });
  }
  return run.done;
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
