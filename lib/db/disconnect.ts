/**
 * Closing a connection without waiting on a server or socket that may never
 * answer: a run must end when its work is done, whatever the network does.
 */
import type { Client } from 'pg';
import { destroySocket, hasQueriesInFlight } from './pg-internals';

/**
 * Closes a connection now. pg's `end()` in pipeline mode waits for the
 * queries already sent to finish (a `pg_sleep(60)` would hold it a minute);
 * here a query still in flight is abandoned: the socket is closed and the
 * server rolls its transaction back, as `end()` does without pipelining.
 */
export async function disconnect(client: Client): Promise<void> {
  if (hasQueriesInFlight(client)) destroySocket(client);
  await endWithin(client);
}

/** How long a goodbye may take before the socket is simply closed. */
const END_TIMEOUT_MS = 1500;

/**
 * `client.end()`, bounded: pg's end() waits for the socket's `end`, which
 * never comes after some failed connects (a port out of range) or from a
 * server or proxy that never closes its side. Past `ms` the socket is
 * destroyed and the caller moves on; the server ends the session when it
 * sees the connection gone.
 */
export async function endWithin(client: Client, ms = END_TIMEOUT_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const ended = Promise.resolve()
    .then(() => client.end())
    .then(
      () => 'ended' as const,
      () => 'ended' as const,
    );
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  try {
    if ((await Promise.race([ended, late])) === 'late') destroySocket(client);
  } finally {
    clearTimeout(timer);
  }
}
