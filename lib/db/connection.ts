/**
 * Connections: one `pg.Client` per run (a session advisory lock belongs to
 * one connection, so no Pool). Where to connect is resolved once, as libpq
 * does (config/connection/target.ts): connection string, service file, PG*
 * variables, defaults. A host list is tried in order, each host as its
 * sslmode says, until one is reachable and has the target_session_attrs.
 */
import { Client, type ClientConfig } from 'pg';
import { resolveTarget, describeServer, type ConnectionTarget, type HostEntry } from '../config';
import { ConnectionError } from '../errors';
import { checkClientWhileRunning } from './client-check';
import type { Logger } from '../log';
import { disconnect, endWithin } from './disconnect';
import { connectionParameters } from './pg-internals';
import { serverAnswered, sessionMismatch } from './server-checks';
import { clientSettings, hostOrder, sslVariants } from './server-settings';

export interface ConnectionOptions {
  /** A postgres:// URL or a libpq key=value string; undefined = service, PG* variables and defaults. */
  readonly url?: string;
  /** Seconds to keep retrying a server that is not accepting connections yet (0 = one try). */
  readonly wait: number;
  /** Connect to this database on the same server instead of the one the URL names. */
  readonly database?: string;
  /** The variables libpq would read; process.env by default. */
  readonly env?: NodeJS.ProcessEnv;
}

const RETRYABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', '57P03']);

/**
 * A pg Client that keeps the settings it connected with: a second connection
 * (a cancel, tidemark test's throwaway database) must reach the same server,
 * not whichever host of a list answers first next time.
 */
class TargetClient extends Client {
  constructor(readonly settings: ClientConfig) {
    // Pipeline mode: queries sent without waiting for the previous answer go out
    // together (the executor sends a migration's five in one round trip);
    // awaited one by one, they behave as usual.
    super({ ...settings, pipeline: true });
  }
}

/**
 * Where `options` connects, resolved as libpq would.
 * @throws ConfigError (exit 2) for a malformed connection string, an undefined service or a bad setting.
 */
export function resolveConnection(options: ConnectionOptions): ConnectionTarget {
  return resolveTarget(options.url, options.env ?? process.env);
}

/** user@host:port/database, never with the password. */
export function describeTarget(client: Client): string {
  const c = connectionParameters(client);
  const host = c.host?.startsWith('/') ? `socket ${c.host}` : c.host;
  return `${c.user ?? '?'}@${host ?? '?'}:${c.port ?? '?'}/${c.database ?? '?'}`;
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

/** The reason, saying what sslmode asked for when SSL is what failed. */
function attemptReason(err: unknown, target: ConnectionTarget): string {
  const { message = '' } = err as { message?: string };
  if (/does not support SSL/.test(message)) {
    return `the server does not support SSL, which sslmode=${target.sslmode} requires (sslmode=prefer, allow or disable connect without it)`;
  }
  if (/altnames|Hostname\/IP/i.test(message)) {
    return `the server's certificate is not for this host (${message}); sslmode=verify-full checks the host name: connect by the name the certificate holds, or use verify-ca`;
  }
  if (/certificate|self.signed/i.test(message)) {
    return `the server's certificate was not accepted (${message}); sslmode=${target.sslmode} checks it against sslrootcert (default ~/.postgresql/root.crt)`;
  }
  return connectionFailureReason(err);
}

/** One host that was tried and why it was not used. */
interface HostFailure {
  readonly server: string;
  readonly reason: string;
  /** Waiting may fix it (--wait): refused, DNS, starting up, or the wrong kind of server (a failover in progress). */
  readonly retryable: boolean;
}

/** Connects to one host, in the sslmode's order of attempts. */
async function connectHost(
  target: ConnectionTarget,
  host: HostEntry,
  database: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<TargetClient | HostFailure> {
  const variants = sslVariants(target, host, env);
  const server = `${host.host}:${host.port}`;
  for (let i = 0; ; i++) {
    const client = new TargetClient(clientSettings(target, host, variants[i], database));
    client.on('error', () => {}); // a dropped connection surfaces on the next query instead
    try {
      await client.connect();
      checkClientWhileRunning(client); // the server ends our session soon after we die (client-check.ts)
      return client;
    } catch (err) {
      await endWithin(client);
      if (i + 1 < variants.length && serverAnswered(err)) continue;
      return {
        server,
        reason: attemptReason(err, target),
        retryable: RETRYABLE.has((err as { code?: string }).code ?? ''),
      };
    }
  }
}

/**
 * Tries every host once, in order, for a server with the session attributes
 * wanted. prefer-standby is two passes, as in libpq: a standby, else any.
 */
async function connectAny(
  target: ConnectionTarget,
  database: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<TargetClient | HostFailure[]> {
  const passes = target.targetSessionAttrs === 'prefer-standby' ? ['standby', 'any'] : [target.targetSessionAttrs];
  const failures: HostFailure[] = [];
  const hosts = hostOrder(target);
  for (const wanted of passes) {
    for (const host of hosts) {
      const result = await connectHost(target, host, database, env);
      if (!(result instanceof TargetClient)) {
        if (wanted === passes[0]) failures.push(result);
        continue;
      }
      const mismatch = await sessionMismatch(result, wanted).catch((err: unknown) => connectionFailureReason(err));
      if (mismatch === null) return result;
      await endWithin(result);
      failures.push({ server: `${host.host}:${host.port}`, reason: mismatch, retryable: true });
    }
  }
  return failures;
}

/** The error for a run that reached no usable server: each host with its reason. */
function unreachable(
  target: ConnectionTarget,
  database: string | undefined,
  failures: readonly HostFailure[],
): ConnectionError {
  const server = describeServer(database === undefined ? target : { ...target, dbname: database });
  if (failures.length === 1) return new ConnectionError(`Cannot connect to ${server}: ${failures[0].reason}`, server);
  const attrs = target.targetSessionAttrs === 'any' ? '' : ` with target_session_attrs=${target.targetSessionAttrs}`;
  return new ConnectionError(
    `Cannot connect to any server of ${server}${attrs}: ${failures.map((f) => `${f.server}: ${f.reason}`).join('; ')}`,
    server,
  );
}

/**
 * Connects, retrying retryable failures (refused, DNS, starting up, no
 * server of the wanted kind) with backoff until `wait` seconds have passed.
 * @throws ConfigError (exit 2) before any connection for bad settings (see resolveConnection).
 * @throws ConnectionError when no server can be used in time (exit 5).
 */
export async function connect(options: ConnectionOptions, logger: Logger): Promise<Client> {
  const target = resolveConnection(options);
  const env = options.env ?? process.env;
  if (target.ignored.length > 0)
    logger.debug(
      { ignored: target.ignored },
      `ignored URL parameters that are not libpq settings: ${target.ignored.join(', ')}`,
    );
  const deadline = Date.now() + options.wait * 1000;
  for (let attempt = 1, delay = 250; ; attempt++, delay = Math.min(delay * 2, 5000)) {
    const result = await connectAny(target, options.database, env);
    if (result instanceof TargetClient) return result;
    const remaining = deadline - Date.now();
    if (!result.every((f) => f.retryable) || remaining <= 0) throw unreachable(target, options.database, result);
    const reason = result.map((f) => f.reason).join('; ');
    logger.info({ attempt, reason }, `database not reachable yet (${reason}); retrying`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, remaining)));
  }
}

/**
 * Connects to `database` on the server `client` is connected to, with the
 * same settings (tidemark test's throwaway database).
 * @throws ConnectionError (exit 5).
 */
export async function connectBeside(client: Client, database: string): Promise<Client> {
  const next = new TargetClient({ ...settingsOf(client), database });
  next.on('error', () => {});
  try {
    await next.connect();
    return next;
  } catch (err) {
    await endWithin(next);
    throw new ConnectionError(
      `Cannot connect to ${describeTarget(next)}: ${connectionFailureReason(err)}`,
      describeTarget(next),
    );
  }
}

/** The settings `client` connected with, for a second connection to the same server. */
export function settingsOf(client: Client): ClientConfig {
  if (client instanceof TargetClient) return client.settings;
  const c = connectionParameters(client);
  return { host: c.host, port: c.port, user: c.user, password: c.password, database: c.database, ssl: c.ssl };
}

/** Runs `fn` with a connected client and always closes it. */
export async function withClient<T>(
  options: ConnectionOptions,
  logger: Logger,
  fn: (client: Client) => Promise<T>,
): Promise<T> {
  const client = await connect(options, logger);
  try {
    return await fn(client);
  } finally {
    await disconnect(client);
  }
}
