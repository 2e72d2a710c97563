/**
 * A transactional step in its own transaction: `BEGIN`, the settings, the
 * script, the ledger row and `COMMIT`, written to the server together and
 * answered in one round trip (the client is in pg's pipeline mode, where
 * each query ends with its own Sync).
 *
 * Safe because each one runs only if everything before it succeeded: after a
 * failed script the transaction is aborted, so the ledger INSERT fails
 * (25P02) and `COMMIT` ends it as a rollback. The first failure in sending
 * order is the cause and is what gets reported. The row's duration is computed
 * by the server (time since BEGIN), since the INSERT leaves before the script
 * has finished. A big script is streamed (simple-query.ts) and nothing may be
 * written behind it until its last byte is out, so its row and COMMIT wait
 * for its result: two round trips.
 *
 * BEGIN and COMMIT are sent here by hand, not through withTransaction, which
 * waits for each answer: that would cost four round trips per migration.
 */
import type { Client } from 'pg';
import type { Step } from '../types';
import { appliedRowQuery, rolledBackRowQuery } from './ledger';
import { corked } from './pg-internals';
import type { StepTarget } from './run-context';
import { guarded, ScriptEndedTransaction } from './script-ended';
import { settingsFor, transactionSettingsQuery } from './session-settings';
import { runScriptQuery } from './simple-query';
import { failedAtCommit } from './step-failure';
import { rollbackQuietly } from './transaction';

/**
 * Runs `step` in its own transaction and records it in the ledger, in one round trip.
 * @returns the script's duration in ms, as the server measured it.
 * @throws the first error in sending order (the transaction was rolled back),
 *   or ScriptEndedTransaction when the script ended the transaction itself.
 */
export async function runInOwnTransaction(target: StepTarget, step: Step): Promise<number> {
  const { client, ledger, settings } = target;
  const script = step.pair[step.direction];
  const started = performance.now();
  let scriptMs = 0;
  const row =
    step.direction === 'up'
      ? appliedRowQuery(ledger, step.pair, settings.environment)
      : rolledBackRowQuery(ledger, step.pair.version);
  const sent: Promise<unknown>[] = [];
  const sendRowAndCommit = () => {
    const result = client.query<{ duration_ms?: number }>(row);
    sent.push(guarded(result), client.query('COMMIT').catch(failedAtCommit));
    return result;
  };
  let recorded = corked(client, () => {
    sent.push(client.query('BEGIN'), client.query(transactionSettingsQuery(settingsFor(step, settings))));
    sent.push(runScriptQuery(client, script).then(() => void (scriptMs = Math.round(performance.now() - started))));
    return script.body.big ? null : sendRowAndCommit();
  });
  if (recorded === null) {
    if ((await firstFailure(sent)) !== null) return rollBackAfter(client, sent, false);
    recorded = corked(client, sendRowAndCommit);
  }
  if ((await firstFailure(sent)) !== null) return rollBackAfter(client, sent, true);
  return (await recorded).rows[0]?.duration_ms ?? scriptMs;
}

/** Waits for every query sent and returns the first (in sending order) that failed, or null. */
export async function firstFailure(sent: readonly Promise<unknown>[]): Promise<PromiseRejectedResult | null> {
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
  await rollbackQuietly(client);
  throw rejected[0];
}
