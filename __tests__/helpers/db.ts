/**
 * Throwaway databases: every test gets its own (CREATE DATABASE … TEMPLATE
 * template0), dropped WITH (FORCE) afterwards, so test files run in parallel.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export const ADMIN_URL = process.env.TIDEMARK_TEST_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/**
 * The test server's port, for tests that spell a host and port out (key=value
 * strings, PGPORT, service files): 5432, or the embedded server's that the
 * global setup started when nothing answered there.
 */
export const ADMIN_PORT = new URL(ADMIN_URL).port || '5432';

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  /** Runs one query on a short-lived connection to this database. */
  query<T = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<T[]>;
  /** A connected client to this database; the caller ends it. */
  connect(): Promise<Client>;
  drop(): Promise<void>;
}

function urlFor(database: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database from template0 and returns a handle to it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `tidemark_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE template0`));
  const url = urlFor(name);
  const connect = async () => {
    const client = new Client({ connectionString: url });
    await client.connect();
    return client;
  };
  return {
    name,
    url,
    connect,
    async query(sql, values) {
      const client = await connect();
      try {
        return (await client.query(sql, values)).rows;
      } finally {
        await client.end();
      }
    },
    async drop() {
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

/** The database of the running test (see useTestDatabase); `client` only when asked for. */
export interface UsedTestDatabase extends TestDatabase {
  /** A client connected before the test and ended after it (`useTestDatabase({ client: true })`). */
  readonly client: Client;
}

/**
 * CREATE and DROP DATABASE each wait for a checkpoint; with the fleet tests
 * making and dropping hundreds of databases on a loaded 2-core machine, one
 * took over jest's 30 s default: set-up and clean-up get their own budget
 * (the tests' own timeouts are unchanged).
 */
const HOOK_TIMEOUT_MS = 120_000;

/**
 * Gives every test in the current scope its own throwaway database: a
 * beforeEach creates it (and connects a client, if asked), an afterEach ends
 * every client it handed out (`connect()`, `client`) and drops the database.
 * The returned object stands for the
 * running test's database; reading it outside a test throws.
 */
export function useTestDatabase(options: { client?: boolean } = {}): UsedTestDatabase {
  let current: TestDatabase | undefined;
  let client: Client | undefined;
  const opened: Client[] = [];
  const db = (): TestDatabase => {
    if (!current) throw new Error('useTestDatabase: the database exists only while a test runs');
    return current;
  };
  const connect = async () => {
    const opening = await db().connect();
    opened.push(opening);
    return opening;
  };
  beforeEach(async () => {
    current = await createTestDatabase();
    if (options.client) client = await connect();
  }, HOOK_TIMEOUT_MS);
  afterEach(async () => {
    const dropping = current;
    current = client = undefined;
    // A session still open when its database is dropped WITH (FORCE) is terminated, and pg emits
    // that as an 'error' event: with no listener, the test process would crash.
    await Promise.all(opened.splice(0).map((c) => c.end().catch(() => {})));
    await dropping?.drop();
  }, HOOK_TIMEOUT_MS);
  return {
    get name() {
      return db().name;
    },
    get url() {
      return db().url;
    },
    get client() {
      if (!client) throw new Error('useTestDatabase: ask for { client: true } to get a client');
      return client;
    },
    query: <T = Record<string, unknown>>(sql: string, values?: unknown[]) => db().query<T>(sql, values),
    connect,
    // Dropping early is allowed (a test that must drop a role after its database); after the test it is a no-op.
    drop: async () => {
      await current?.drop();
    },
  };
}
