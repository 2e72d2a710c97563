/**
 * A script that ends the transaction tidemark runs it in (a COMMIT, ROLLBACK…
 * the lexer did not see): the ledger write that follows is refused by its
 * transaction-id guard (ledger.ts), so the ledger never says "applied" or
 * "rolled back" for a script that may have committed only in part.
 */
import type { TransactionEndedError } from '../errors';
import type { Step } from '../types';
import { insertRow, isOutsideTransaction, readLedger, type Param } from './ledger';
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
  target: StepTarget,
  err: TransactionEndedError,
): Promise<TransactionEndedError> {
  const { client, ledger } = target;
  try {
    await recordEndedTransaction(target, err.step);
    const batchRecorded = err.batch
      ? (await readLedger(client, ledger)).rows.filter((r) => r.state === 'applied').map((r) => r.version)
      : null;
    return err.withFacts({ rowMarked: true, batchRecorded });
  } catch {
    return err.withFacts({ rowMarked: false, batchRecorded: null });
  }
}

/**
 * Marks the row of a migration whose script ended tidemark's transaction
 * `failed` (inserting it for an up, updating it for a down), outside any
 * transaction: its state is unknown until someone checks.
 */
async function recordEndedTransaction({ client, ledger, settings }: StepTarget, step: Step): Promise<void> {
  const message =
    "the script ended tidemark's transaction itself (COMMIT, ROLLBACK…): its changes may be partly committed";
  const failure = JSON.stringify({
    direction: step.direction,
    ended: true,
    error: { statement: 0, line: null, column: null, sqlstate: null, message },
  });
  const failed = (param: Param) => ({
    duration_ms: '0',
    state: "'failed'",
    statements_done: '0',
    statements_total: '0',
    failure: param(failure),
  });
  const onConflict = "\n     ON CONFLICT (version) DO UPDATE SET state = 'failed', failure = EXCLUDED.failure";
  await client.query(insertRow(ledger, { pair: step.pair, environment: settings.environment }, failed, onConflict));
}
