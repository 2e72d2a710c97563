/**
 * A script that ended tidemark's transaction itself (exit 1).
 */
import type { Step } from '../types';
import { TidemarkError } from './base';

export interface TransactionEnded {
  readonly step: Step;
  /** --single-transaction: the script ended the batch's transaction. */
  readonly batch: boolean;
  /** Steps of this run committed before this one (each in its own transaction). */
  readonly completed: number;
  /** The script's own error, when it failed after ending the transaction. */
  readonly scriptError: string | null;
  /** The migration's row was marked `failed` (false: writing it failed too). */
  readonly rowMarked: boolean;
  /** --single-transaction: versions the ledger records as applied afterwards. */
  readonly batchRecorded: readonly bigint[] | null;
}

/**
 * A script ended tidemark's transaction itself — a COMMIT, ROLLBACK, END…
 * that was not recognised before it ran — so what it did before that point
 * may have been committed (or rolled back) apart from its ledger row. The
 * ledger write was refused; the row is marked `failed` so that nothing runs
 * over it until someone looks. Never reported as "rolled back". Exit 1.
 */
export class TransactionEndedError extends TidemarkError<'transaction-ended'> {
  constructor(readonly facts: TransactionEnded) {
    super('transaction-ended', transactionEndedMessage(facts));
  }

  get step(): Step {
    return this.facts.step;
  }

  get batch(): boolean {
    return this.facts.batch;
  }

  withFacts(more: Pick<TransactionEnded, 'rowMarked' | 'batchRecorded'>): TransactionEndedError {
    return new TransactionEndedError({ ...this.facts, ...more });
  }
}

function transactionEndedMessage(f: TransactionEnded): string {
  const { pair, direction } = f.step;
  const script = pair[direction];
  const lines = [
    `${script.path} ended the transaction tidemark ran it in (a COMMIT, ROLLBACK, END, ABORT, PREPARE TRANSACTION or BEGIN in the script): ` +
      `what it did before that statement was committed or rolled back by it, and what came after ran outside tidemark's transaction. ` +
      `The ledger write was refused, so no ledger row claims it ${direction === 'up' ? 'applied' : 'rolled back'}.`,
  ];
  if (f.scriptError !== null) lines.push(`The script then failed: ${f.scriptError}`);
  if (f.batch) {
    const recorded =
      f.batchRecorded === null ? 'unknown' : f.batchRecorded.length === 0 ? 'none' : f.batchRecorded.join(', ');
    lines.push(
      `--single-transaction: the batch was NOT rolled back as a whole; the ledger now records as applied: ${recorded} (each together with its changes).`,
    );
  } else if (f.completed > 0) {
    lines.push(`The ${f.completed} migration(s) before it in this run are applied and recorded.`);
  }
  lines.push(
    f.rowMarked
      ? `Version ${pair.version} is marked failed in the ledger; apply refuses to go on until it is resolved.`
      : `Marking version ${pair.version} failed in the ledger did not work either: check the ledger by hand before the next run.`,
  );
  const applied = direction === 'up' ? 'applied' : 'not-applied';
  const notApplied = direction === 'up' ? 'not-applied' : 'applied';
  lines.push(
    `Check the database for the changes of ${script.path}. Then either finish them by hand and run \`tidemark repair --version ${pair.version} --${applied} --reason "…"\`, ` +
      `or undo them by hand and run \`tidemark repair --version ${pair.version} --${notApplied} --reason "…"\`. ` +
      `Remove the transaction statements from the script (or mark it -- tidemark:no-transaction) before running it again.`,
  );
  return lines.join('\n');
}
