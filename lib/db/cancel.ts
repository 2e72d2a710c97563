/**
 * A signal stops whatever the session is doing, not only a migration step:
 * a ledger read queued behind a DBA's `LOCK TABLE`, a catalog look-up, a
 * repair. Without this, SIGTERM during such a wait did nothing until the
 * lock was released, and the run then went on and exited 0.
 */
import { Client } from 'pg';
import { InterruptedError } from '../errors';
import type { Logger } from '../log';
import { settingsOf, withClient, type ConnectionOptions } from './connection';
import { endWithin } from './disconnect';
import { backendPid } from './pg-internals';

const QUERY_CANCELED = '57014';

/**
 * Runs `fn`; while it runs, an abort of `signal` cancels the query running
 * on `client` (pg_cancel_backend from a second connection). The cancelled
 * query rejects with 57014, which becomes an InterruptedError saying
 * `detail`; errors `fn` already turned into one (the executor's) pass as
 * they are. A signal that came before `fn` started stops it at once.
 * @throws InterruptedError (exit 129/130/131/143).
 */
export async function cancelOnAbort<T>(
  signal: AbortSignal | undefined,
  cancel: () => Promise<void>,
  detail: string,
  fn: () => Promise<T>,
): Promise<T> {
  if (!signal) return fn();
  if (signal.aborted) throw new InterruptedError(String(signal.reason), detail);
  const stopCancelling = cancelWhenAborted(signal, cancel);
  try {
    return await fn();
  } catch (err) {
    if (signal.aborted && (err as { code?: string }).code === QUERY_CANCELED)
      throw new InterruptedError(String(signal.reason), detail);
    throw err;
  } finally {
    stopCancelling();
  }
}

/**
 * From now on, an abort of `signal` calls `cancel` (whose failure is
 * ignored: the query then just runs on). Returns the function that stops this.
 */
export function cancelWhenAborted(
  signal: AbortSignal | undefined,
  cancel: (() => Promise<void>) | undefined,
): () => void {
  const onAbort = () => void cancel?.().catch(() => {});
  signal?.addEventListener('abort', onAbort, { once: true });
  return () => signal?.removeEventListener('abort', onAbort);
}

/** `withClient`, with every query of `fn` cancelled when `signal` aborts (see cancelOnAbort). */
export function withCancellableClient<T>(
  options: ConnectionOptions,
  logger: Logger,
  signal: AbortSignal | undefined,
  detail: string,
  fn: (client: Client) => Promise<T>,
): Promise<T> {
  return withClient(options, logger, (client) =>
    cancelOnAbort(
      signal,
      () => cancelQuery(client),
      detail,
      () => fn(client),
    ),
  );
}

/**
 * Cancels the query running on `client`, from a second short-lived
 * connection (pg_cancel_backend): the server aborts it and the open
 * transaction rolls back on our side. The second connection uses `client`'s
 * own settings, so it reaches the same server even from a host list.
 */
export async function cancelQuery(client: Client): Promise<void> {
  const pid = backendPid(client);
  if (!pid) return;
  const canceller = new Client(settingsOf(client));
  canceller.on('error', () => {});
  try {
    await canceller.connect();
    await canceller.query('SELECT pg_catalog.pg_cancel_backend($1)', [pid]);
  } finally {
    await endWithin(canceller);
  }
}
