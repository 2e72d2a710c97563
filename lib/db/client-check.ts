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
 * Set with set_config over pg_settings, so an older server, which does not
 * know the setting, matches no row and nothing fails.
 */
import type { Client } from 'pg';

/** How often the server looks for a client that went away, while a query runs. */
export const CLIENT_CHECK_INTERVAL = '1s';

const setTo = (value: string) =>
  `SELECT pg_catalog.set_config(name, '${value}', false) FROM pg_catalog.pg_settings WHERE name = 'client_connection_check_interval'`;

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
