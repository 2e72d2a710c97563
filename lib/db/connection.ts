/**
 * Connections: one `pg.Client` per run (a session advisory lock belongs to
 * one connection, so no Pool). Connection settings come from the URL, else
 * libpq's PG* variables, as `psql` reads them.
 */
import { userInfo } from 'node:os';
import { Client, type ClientConfig } from 'pg';
import { parse as parseConnectionString } from 'pg-connection-string';
import { checkPort, checkPortVariable } from '../conninfo';
import { checkClientWhileRunning } from './client-check';
import { isKeyValueDsn, parseKeyValueDsn } from './dsn';
import { ConfigError, ConnectionError } from '../errors';
import type { Logger } from '../log';

export interface ConnectionOptions {
  /** A postgres:// URL or a libpq key=value string; undefined = PG* variables and defaults. */
  readonly url?: string;
  /** Seconds to keep retrying a server that is not accepting connections yet (0 = one try). */
  readonly wait: number;
  /** Connect to this database on the same server instead of the one the URL names. */
  readonly database?: string;
}

const RETRYABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', '57P03']);

/** user@host:port/database, never with the password. */
export function describeTarget(client: Client): string {
  const c = (client as unknown as { connectionParameters: { user?: string; host?: string; port?: number; database?: string } }).connectionParameters;
  const host = c.host?.startsWith('/') ? `socket ${c.host}` : c.host;
  return `${c.user ?? '?'}@${host ?? '?'}:${c.port ?? '?'}/${c.database ?? '?'}`;
}

/** @throws ConfigError for a URL that cannot be read, or a port (from it or PGPORT) that is not 1..65535. */
function clientConfig(options: ConnectionOptions): ClientConfig {
  const target = options.url === undefined ? {} : isKeyValueDsn(options.url) ? parseKeyValueDsn(options.url) : parseUrl(options.url);
  // pg reads PGPORT itself, with parseInt: `abc` became 5432 and 99999 a connect that never ended.
  if (target.port === undefined && process.env.PGPORT) checkPortVariable(process.env.PGPORT);
  // As psql: without a user anywhere, the operating-system user (pg would use $USER, which may be unset).
  const user = target.user ?? process.env.PGUSER ?? process.env.USER ?? userInfo().username;
  return { application_name: 'tidemark', connectionTimeoutMillis: 10_000, ...target, user, ...(options.database === undefined ? {} : { database: options.database }) };
}

/** A postgres:// URL as explicit settings; parts it leaves out stay unset (PG* variables, then defaults, fill them). */
function parseUrl(url: string): ClientConfig {
  let parsed: Record<string, unknown>;
  try {
    parsed = parseConnectionString(url) as Record<string, unknown>;
  } catch {
    // The URL itself is never quoted: it may hold a password.
    throw new ConfigError('The connection URL cannot be read as a URL. Percent-encode special characters in the user name and password (@ as %40, / as %2F, : as %3A).');
  }
  if (parsed.port !== undefined && parsed.port !== null && parsed.port !== '') checkPort(String(parsed.port), 'The connection URL');
  return Object.fromEntries(Object.entries(parsed).filter(([, v]) => v !== null && v !== undefined && v !== '')) as ClientConfig;
}

/** A short, password-free reason for a failed connection attempt. */
export function connectionFailureReason(err: unknown): string {
  const e = err as { code?: string; message?: string };
  switch (e.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the server running and listening there?)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found (DNS)';
    case '28P01':
    case '28000':
      return `authentication failed: ${e.message}`;
    case '3D000':
      return `${e.message} (create it, or fix the database name in the URL)`;
    case '57P03':
      return 'the database system is starting up';
    default:
      return e.message ?? String(err);
  }
}

/**
 * Connects, retrying retryable failures (refused, DNS, starting up) with
 * backoff until `wait` seconds have passed.
 * @throws ConnectionError when the server cannot be reached in time (exit 5).
 */
export async function connect(options: ConnectionOptions, logger: Logger): Promise<Client> {
  const deadline = Date.now() + options.wait * 1000;
  for (let attempt = 1, delay = 250; ; attempt++, delay = Math.min(delay * 2, 5000)) {
    // Pipeline mode: queries sent without waiting for the previous answer go out
    // together (the executor sends a migration's five in one round trip);
    // awaited one by one, they behave as usual.
    const client = new Client({ ...clientConfig(options), pipeline: true });
    client.on('error', () => {}); // a dropped connection surfaces on the next query instead
    try {
      await client.connect();
      checkClientWhileRunning(client); // the server ends our session soon after we die (client-check.ts)
      return client;
    } catch (err) {
      await endWithin(client);
      const reason = connectionFailureReason(err);
      const code = (err as { code?: string }).code ?? '';
      const remaining = deadline - Date.now();
      if (!RETRYABLE.has(code) || remaining <= 0) throw new ConnectionError(`Cannot connect to ${describeTarget(client)}: ${reason}`, describeTarget(client));
      logger.info({ attempt, reason }, `database not reachable yet (${reason}); retrying`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(delay, remaining)));
    }
  }
}

/** Runs `fn` with a connected client and always closes it. */
export async function withClient<T>(options: ConnectionOptions, logger: Logger, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = await connect(options, logger);
  try {
    return await fn(client);
  } finally {
    await disconnect(client);
  }
}

/**
 * Closes a connection now. pg's `end()` in pipeline mode waits for the
 * queries already sent to finish (a `pg_sleep(60)` would hold it a minute);
 * here a query still in flight is abandoned: the socket is closed and the
 * server rolls its transaction back, as `end()` does without pipelining.
 */
export async function disconnect(client: Client): Promise<void> {
  const internals = client as unknown as {
    _getActiveQuery?(): unknown;
    _sentQueryQueue?: unknown[];
    _queryQueue?: unknown[];
    connection?: { stream?: { destroy(): void } };
  };
  const busy = Boolean(internals._getActiveQuery?.()) || (internals._sentQueryQueue?.length ?? 0) > 0 || (internals._queryQueue?.length ?? 0) > 0;
  if (busy) internals.connection?.stream?.destroy();
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
    .then(() => 'ended' as const, () => 'ended' as const);
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  try {
    if ((await Promise.race([ended, late])) === 'late') {
      (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    }
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Cancels the query running on `client`, from a second short-lived
 * connection (pg_cancel_backend): the server aborts it and the open
 * transaction rolls back on our side.
 */
export async function cancelQuery(options: ConnectionOptions, client: Client): Promise<void> {
  const pid = (client as unknown as { processID?: number }).processID;
  if (!pid) return;
  const canceller = new Client(clientConfig(options));
  canceller.on('error', () => {});
  try {
    await canceller.connect();
    await canceller.query('SELECT pg_cancel_backend($1)', [pid]);
  } finally {
    await endWithin(canceller);
  }
}
