/**
 * `client_connection_check_interval` (PostgreSQL 14+): while a query runs,
 * the server checks this often that the client is still connected, and ends
 * the session when it is not. Without it, a tidemark killed with `kill -9`
 * (or whose machine or network died) left its server session running the
 * migration to its end, holding the migration's table locks and the
 * migration lock all that time, only to roll it back when it tried to answer.
 *
 * It is on for tidemark's session, and off while a `-- tidemark:no-transaction`
 * migration runs: each of its statements commits on its own, and cutting one
 * short helps nobody — a `CREATE INDEX CONCURRENTLY` stopped half-way leaves
 * an INVALID index to drop by hand, where finishing it leaves a valid one
 * that `--resume` recognises. Such a statement is left to finish, in doubt,
 * as before (README: "A statement in doubt").
 *
 * Set only where the server knows the setting (current_setting with
 * missing_ok), so on an older server the query selects nothing and nothing
 * fails.
 */
import type { Client } from 'pg';

/** How often the server looks for a client that went away, while a query runs. */
export const CLIENT_CHECK_INTERVAL = '1s';

const setTo = (value: string) =>
  `SELECT pg_catalog.set_config('client_connection_check_interval', '${value}', false)
    WHERE pg_catalog.current_setting('client_connection_check_interval', true) IS NOT NULL`;

/**
 * Turns the check on for the session. Sent without waiting for its answer
 * (the client is pipelined, so it costs no round trip); the next query goes
 * out behind it. A failure here is not tidemark's to report: the session
 * then just runs without the check.
 */
export function checkClientWhileRunning(client: Client): void {
  client.query(setTo(CLIENT_CHECK_INTERVAL)).catch(() => {});
}

/** Off, for a no-transaction migration: its statements are left to finish if tidemark dies. */
export function suspendClientCheck(client: Client): Promise<unknown> {
  return client.query(setTo('0'));
}

/** On again, after a no-transaction migration. */
export function resumeClientCheck(client: Client): Promise<unknown> {
  return client.query(setTo(CLIENT_CHECK_INTERVAL));
}
