/**
 * Throwaway databases for `tidemark test`: created on the server of the
 * configured URL, used by one run, and always dropped — after success, after
 * a failure, and when the run is aborted (the CLI turns SIGINT and SIGTERM
 * into an AbortSignal).
 */
import { randomBytes } from 'node:crypto';
import { escapeIdentifier, type Client } from 'pg';
import { ConfigError, InterruptedError } from '../errors';
import type { Logger } from '../log';
import { connect, connectBeside, describeTarget, resolveConnection, type ConnectionOptions } from './connection';
import { disconnect } from './disconnect';

/** Every throwaway database is named this prefix and 12 random hex digits. */
export const THROWAWAY_PREFIX = 'tidemark_rt_';

export interface ThrowawayOptions {
  /** The configured connection: the throwaway database goes on the server it resolves to. */
  readonly connection: ConnectionOptions;
  /** `CREATE DATABASE … TEMPLATE` this database (template0: empty, whatever template1 holds). */
  readonly template: string;
  /** On abort the connection to the throwaway database is closed at once, which stops the running script. */
  readonly signal?: AbortSignal;
}

/** A throwaway database, connected. */
export interface Throwaway {
  readonly name: string;
  /** `user@host:port`, never with the password. */
  readonly server: string;
  /** The connection to the throwaway database (a new one after `recreate`). */
  readonly client: Client;
  /** Drops the database, creates it again empty, and reconnects `client`. */
  recreate(): Promise<void>;
}

/**
 * The admin connection goes to the database the settings name — URL,
 * key=value, service or PGDATABASE — (it exists, and the user may connect to
 * it), else to `postgres`; on the server they resolve to, as every command.
 */
function adminConnection(options: ConnectionOptions): ConnectionOptions {
  return { ...options, database: resolveConnection(options).dbnameGiven ? undefined : 'postgres' };
}

/**
 * Creates a throwaway database, runs `fn` with it, and drops it whatever
 * happens (`DROP DATABASE … WITH (FORCE)`, PostgreSQL 13+, which also ends a
 * backend still running an interrupted script). A failed drop is logged
 * with the statement to run by hand; it does not replace `fn`'s outcome.
 *
 * @throws ConnectionError when the server cannot be reached (exit 5).
 * @throws ConfigError when the role may not create databases or the template is missing or in use (exit 2).
 * @throws InterruptedError when `signal` was aborted, after the drop (exit 130/143).
 */
export async function withThrowawayDatabase<T>(
  options: ThrowawayOptions,
  logger: Logger,
  fn: (db: Throwaway) => Promise<T>,
): Promise<T> {
  const admin = await connect(adminConnection(options.connection), logger);
  const name = `${THROWAWAY_PREFIX}${randomBytes(6).toString('hex')}`;
  const server = describeTarget(admin).replace(/\/[^/]*$/, '');
  let client: Client | null = null;
  let created = false;
  const close = async () => (client ? disconnect(client) : undefined);
  const onAbort = () => void close();
  const open = async () => {
    await createDatabase(admin, name, options.template, server);
    created = true;
    logger.info({ database: name, server }, `created throwaway database ${name} on ${server}`);
    // The admin connection's own server and settings: with a host list, connect() could pick another.
    client = await connectBeside(admin, name);
    // Nothing in this database needs to survive a crash: don't wait for the WAL flush at every commit.
    await client.query('SET synchronous_commit = off');
    options.signal?.throwIfAborted(); // aborted while connecting: onAbort found no client to close
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let dropped = false;
  try {
    await open();
    const db: Throwaway = {
      name,
      server,
      get client() {
        return client as Client;
      },
      async recreate() {
        await close();
        await dropDatabase(admin, name);
        created = false;
        await open();
      },
    };
    return await fn(db);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await close();
    if (created) dropped = await dropLogged(admin, name, logger);
    await admin.end().catch(() => undefined);
    if (options.signal?.aborted) throw interrupted(options.signal, name, { created, dropped });
  }
}

/** The run was aborted: the error says what became of the database. */
function interrupted(signal: AbortSignal, name: string, db: { created: boolean; dropped: boolean }): InterruptedError {
  const outcome = !db.created ? 'was not created' : db.dropped ? 'was dropped' : 'could not be dropped (see above)';
  return new InterruptedError(
    typeof signal.reason === 'string' ? signal.reason : 'SIGINT',
    `The throwaway database ${name} ${outcome}.`,
  );
}

async function createDatabase(admin: Client, name: string, template: string, server: string): Promise<void> {
  try {
    await admin.query(`CREATE DATABASE ${escapeIdentifier(name)} TEMPLATE ${escapeIdentifier(template)}`);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === '42501') throw await createRefused(admin, template, server, (err as Error).message);
    if (code === '3D000') throw new ConfigError(`--template ${template}: no such database on ${server}.`);
    if (code === '55006') {
      throw new ConfigError(
        `--template ${template} is in use by other sessions, and PostgreSQL copies a template only while nobody is connected to it. Disconnect them, or use template0.`,
      );
    }
    throw err;
  }
}

/**
 * CREATE DATABASE was refused: the role lacks CREATEDB, or (with a template
 * other than template0/template1) may not copy the template, which needs
 * the template marked IS_TEMPLATE or owned by the role.
 */
async function createRefused(admin: Client, template: string, server: string, message: string): Promise<ConfigError> {
  const { rows } = await admin
    .query<{ role: string }>('SELECT pg_catalog.quote_ident(current_user) AS role')
    .catch(() => ({ rows: [{ role: 'this role' }] }));
  const role = rows[0].role;
  if (/copy database/i.test(message)) {
    const name = escapeIdentifier(template);
    return new ConfigError(
      `--template ${template}: the role ${role} may not copy it (${message}). PostgreSQL lets a role with CREATEDB copy a database only if it is marked as a template or the role owns it. ` +
        `As its owner or a superuser, run:\n  ALTER DATABASE ${name} IS_TEMPLATE true;\nor make ${role} its owner.`,
    );
  }
  return new ConfigError(
    `The role ${role} may not create databases on ${server}: tidemark test runs the migrations in a throwaway database. As a superuser, run:\n  ALTER ROLE ${role} CREATEDB;\nor point --url at a server where it may.`,
  );
}

async function dropDatabase(admin: Client, name: string): Promise<void> {
  await admin.query(`DROP DATABASE IF EXISTS ${escapeIdentifier(name)} WITH (FORCE)`);
}

/** Drops the database; logs instead of throwing, so the run's own outcome is kept. */
async function dropLogged(admin: Client, name: string, logger: Logger): Promise<boolean> {
  try {
    await dropDatabase(admin, name);
    logger.info({ database: name }, `dropped throwaway database ${name}`);
    return true;
  } catch (err) {
    logger.error(
      { database: name },
      `could not drop throwaway database ${name}: ${(err as Error).message}. Drop it by hand: DROP DATABASE ${escapeIdentifier(name)} WITH (FORCE);`,
    );
    return false;
  }
}
