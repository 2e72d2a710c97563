/**
 * The advisory lock that serialises writing runs on one ledger.
 *
 * We poll `pg_try_advisory_lock` instead of blocking in `pg_advisory_lock`:
 * a session blocked in the lock call counts as an open transaction to
 * `CREATE INDEX CONCURRENTLY` in the holder, which then waits for the waiter
 * while the waiter waits for the holder — a deadlock nobody detects.
 *
 * The lock functions and catalog tables are named with their schema
 * (`pg_catalog.pg_try_advisory_lock`): with a search_path such as
 * `evil, pg_catalog`, an unqualified call would find `evil.pg_try_advisory_lock`
 * first, run it as the migrating role, and let it answer "locked" without
 * locking anything.
 */
import { createHash } from 'node:crypto';
import type { Client } from 'pg';
import { InterruptedError, LockTimeoutError } from '../errors';
import type { Logger } from '../log';
import type { LedgerTable } from './ledger';
import { backendPid } from './pg-internals';

/** A stable signed 64-bit key derived from the ledger's schema and table. */
export function lockKey(ledger: LedgerTable): bigint {
  const digest = createHash('sha256').update(`tidemark:${ledger.schema}.${ledger.table}`).digest();
  return digest.readBigInt64BE(0);
}

async function tryLock(client: Client, key: bigint): Promise<boolean> {
  const { rows } = await client.query<{ locked: boolean }>(
    'SELECT pg_catalog.pg_try_advisory_lock($1::bigint) AS locked',
    [key.toString()],
  );
  return rows[0].locked;
}

/** The server pid holding the lock, for the message; null if it was just released. */
async function holderPid(client: Client, key: bigint): Promise<number | null> {
  const unsigned = BigInt.asUintN(64, key);
  const { rows } = await client.query<{ pid: number }>(
    `SELECT pid FROM pg_catalog.pg_locks
      WHERE locktype OPERATOR(pg_catalog.=) 'advisory' AND granted AND objsubid OPERATOR(pg_catalog.=) 1
        AND database OPERATOR(pg_catalog.=) (SELECT oid FROM pg_catalog.pg_database WHERE datname OPERATOR(pg_catalog.=) pg_catalog.current_database())
        AND classid OPERATOR(pg_catalog.=) $1::bigint::pg_catalog.oid AND objid OPERATOR(pg_catalog.=) $2::bigint::pg_catalog.oid
      LIMIT 1`,
    [(unsigned >> 32n).toString(), (unsigned & 0xffffffffn).toString()],
  );
  return rows[0]?.pid ?? null;
}

/** The server process holding the ledger's migration lock, other than this session; null when none does. */
export async function lockHolder(client: Client, ledger: LedgerTable): Promise<number | null> {
  const holder = await holderPid(client, lockKey(ledger));
  const own = backendPid(client);
  return holder === own ? null : holder;
}

/**
 * Takes the lock, polling until `waitSeconds` have passed.
 * @throws LockTimeoutError when another session keeps it (exit 4).
 */
export interface LockWait {
  readonly waitSeconds: number;
  /** Stops the wait (SIGINT/SIGTERM): throws InterruptedError. */
  readonly signal?: AbortSignal;
}

export async function acquireLock(
  client: Client,
  key: bigint,
  { waitSeconds, signal }: LockWait,
  logger: Logger,
): Promise<void> {
  if (await tryLock(client, key)) return;
  const holder = await holderPid(client, key);
  logger.info(
    { holder_pid: holder, lock_wait_s: waitSeconds },
    `waiting up to ${waitSeconds}s for the migration lock held by another run${holder === null ? '' : ` (server process ${holder})`}`,
  );
  const deadline = Date.now() + waitSeconds * 1000;
  for (let delay = 50; Date.now() < deadline; delay = Math.min(delay * 2, 500)) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, Math.max(0, deadline - Date.now()))));
    if (signal?.aborted)
      throw new InterruptedError(
        String(signal.reason),
        'Stopped while waiting for the migration lock; nothing was changed.',
      );
    if (await tryLock(client, key)) return;
  }
  throw new LockTimeoutError(waitSeconds, await holderPid(client, key));
}

export async function releaseLock(client: Client, key: bigint): Promise<void> {
  await client.query('SELECT pg_catalog.pg_advisory_unlock($1::bigint)', [key.toString()]);
}

/** Runs `fn` while holding the lock; releases it afterwards (the session ending releases it too). */
export async function withAdvisoryLock<T>(
  client: Client,
  ledger: LedgerTable,
  wait: LockWait,
  logger: Logger,
  fn: () => Promise<T>,
): Promise<T> {
  const key = lockKey(ledger);
  await acquireLock(client, key, wait, logger);
  try {
    return await fn();
  } finally {
    await releaseLock(client, key).catch(() => {});
  }
}
