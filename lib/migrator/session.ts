/**
 * The session of a use case: one connection whose every query a signal
 * cancels, and the migration lock on it.
 */
import type { Client } from 'pg';
import { cancelOnAbort, cancelQuery, withCancellableClient } from '../db/cancel';
import { withAdvisoryLock } from '../db/lock';
import { connectionOf, ledgerOf, type RunContext } from './context';

/** What a signal during a read-only use case (status, verify) leaves. */
export const STOPPED_READING = 'Stopped while reading the ledger (the query was cancelled); nothing was changed.';

/**
 * Connects, runs `body`, and always ends the connection (a connection the
 * caller gave in `ctx.client` is used and left open). While it runs, an
 * abort of `ctx.signal` cancels the running query (a ledger read behind a
 * table lock too, not only a migration step).
 * @throws ConnectionError (exit 5); InterruptedError saying `stopped` on a signal.
 */
export function withSession<T>(ctx: RunContext, stopped: string, body: (client: Client) => Promise<T>): Promise<T> {
  const own = ctx.client;
  if (own !== undefined)
    return cancelOnAbort(
      ctx.signal,
      () => cancelQuery(own),
      stopped,
      () => body(own),
    );
  return withCancellableClient(connectionOf(ctx.config), ctx.logger, ctx.signal, stopped, body);
}

/**
 * Runs `body` holding the ledger's advisory lock, waiting up to `lockWait`.
 * The lock is taken before the ledger is read or created, so two runners can
 * neither race on CREATE TABLE nor both see the same migration as pending.
 * @throws LockTimeoutError (exit 4).
 */
export function withLock<T>(ctx: RunContext, client: Client, body: () => Promise<T>): Promise<T> {
  const wait = { waitSeconds: ctx.config.lockWait, signal: ctx.signal };
  return withAdvisoryLock(client, ledgerOf(ctx.config), wait, ctx.logger, body);
}
