/**
 * The one place that opens and closes a transaction by hand. Everything else
 * that needs BEGIN … COMMIT calls withTransaction, so a failed body always
 * ends in ROLLBACK and the connection is never left inside an aborted block.
 */
import type { Client } from 'pg';

/** How the transaction is opened: `BEGIN` alone, or with these modes. */
export interface TransactionMode {
  readonly isolation?: 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';
  readonly readOnly?: boolean;
}

/** The BEGIN statement for `mode`. */
export function beginStatement(mode: TransactionMode = {}): string {
  const parts = ['BEGIN'];
  if (mode.isolation) parts.push(`ISOLATION LEVEL ${mode.isolation}`);
  if (mode.readOnly) parts.push('READ ONLY');
  return parts.join(' ');
}

/**
 * Runs `body` inside BEGIN … COMMIT on `client`, and returns what it returns.
 * When `body` (or COMMIT) throws, the transaction is rolled back (a rollback
 * that fails too, e.g. on a dead connection, is ignored) and the first error
 * is rethrown; an error of the COMMIT itself (a deferred constraint, a lost
 * connection) is rethrown as `commitError` maps it, when given. The client
 * must not be inside a transaction already.
 */
export async function withTransaction<T>(
  client: Client,
  body: () => Promise<T>,
  mode: TransactionMode = {},
  commitError: (err: unknown) => unknown = (err) => err,
): Promise<T> {
  await client.query(beginStatement(mode));
  try {
    const result = await body();
    await client.query('COMMIT').catch((err: unknown) => Promise.reject(commitError(err)));
    return result;
  } catch (err) {
    await rollbackQuietly(client);
    throw err;
  }
}

/** ROLLBACK when the client is inside a transaction; a failure to roll back (a dead connection) is ignored. */
export async function rollbackQuietly(client: Client): Promise<void> {
  if (client.getTransactionStatus() === 'I') return;
  await client.query('ROLLBACK').catch(() => undefined);
}
