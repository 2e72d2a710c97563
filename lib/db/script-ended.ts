/**
 * A script that ends the transaction tidemark runs it in (a COMMIT, ROLLBACK…
 * the lexer did not see): the ledger write that follows is refused by its
 * transaction-id guard (ledger.ts), so the ledger never says "applied" or
 * "rolled back" for a script that may have committed only in part.
 */
import type { TransactionEndedError } from '../errors';
import { isOutsideTransaction, readLedger, recordEndedTransaction } from './ledger';
import type { StepTarget } from './run-context';

/** The ledger write ran outside the migration's transaction, or the script failed outside it: the script had ended it. */
export class ScriptEndedTransaction extends Error {
  constructor(
    /** The script's own error, when it failed after ending the transaction. */
    readonly scriptError: unknown,
  ) {
    super('the script ended the migration transaction');
  }
}

/** A ledger write whose transaction-id guard failed (isOutsideTransaction) rejects with ScriptEndedTransaction. */
export function guarded<T>(write: Promise<T>): Promise<T> {
  return write.catch((err) => Promise.reject(isOutsideTransaction(err) ? new ScriptEndedTransaction(null) : err));
}

/**
 * After the rollback: the migration's row is marked `failed` (never applied,
 * never absent: nobody can know which without looking), and with
 * --single-transaction the error says which migrations of the batch the
 * script's COMMIT made permanent. A failure to record is said in the error.
 */
export async function recordTransactionEnded(
  { client, ledger, settings }: StepTarget,
  err: TransactionEndedError,
): Promise<TransactionEndedError> {
  try {
    await recordEndedTransaction(client, ledger, err.step, settings.environment);
    const batchRecorded = err.batch
      ? (await readLedger(client, ledger)).rows.filter((r) => r.state === 'applied').map((r) => r.version)
      : null;
    return err.withFacts({ rowMarked: true, batchRecorded });
  } catch {
    return err.withFacts({ rowMarked: false, batchRecorded: null });
  }
}
