/**
 * The server goes away mid-run: a fast shutdown (SQLSTATE 57P01 to every
 * session), an immediate one, or the session terminated. Always exit 5
 * ("unreachable"), never 1 ("a migration failed") and never 0; a
 * transactional migration is said to be rolled back (it was), a
 * no-transaction one says which statement is in doubt and what to run next.
 */
import { runCli, startCli } from '../helpers/cli';
import { createCluster, type Cluster } from '../helpers/cluster';
import { type TestDatabase, useTestDatabase } from '../helpers/db';
import { useMigrationsDir } from '../helpers/files';

const FILES = {
  '001_t.up.sql': 'CREATE TABLE t (i int);\n',
  '001_t.down.sql': 'DROP TABLE t;\n',
  '002_slow.up.sql': 'INSERT INTO t VALUES (1);\nSELECT pg_sleep(5);\n',
  '002_slow.down.sql': 'DELETE FROM t;\n',
};
const NO_TX = {
  ...FILES,
  '002_slow.up.sql':
    '-- tidemark:no-transaction\nINSERT INTO t VALUES (1);\nSELECT pg_sleep(5);\nINSERT INTO t VALUES (3);\n',
};

const migrations = useMigrationsDir();
let dir: string;

/** Resolves once tidemark's session on `url` runs pg_sleep. */
async function untilSleeping(query: (sql: string) => Promise<unknown[]>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const rows = await query(
      "SELECT 1 FROM pg_stat_activity WHERE application_name = 'tidemark' AND state = 'active' AND query LIKE '%pg_sleep(5)%'",
    );
    if (rows.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('tidemark never reached pg_sleep');
}

describe('a server shut down mid-run', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await createCluster();
  }, 60_000);
  afterAll(async () => {
    await cluster.destroy();
  });
  beforeEach(async () => {
    await cluster.start();
  }, 30_000);
  afterEach(async () => {
    await cluster.stop();
  });

  const adminQuery = async (sql: string) => {
    const { Client } = await import('pg');
    const client = new Client({ connectionString: cluster.url });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };

  test.each(['fast', 'immediate'] as const)(
    '%s shutdown during a transactional migration: exit 5, rolled back',
    async (mode) => {
      dir = migrations(FILES);
      await adminQuery('DROP TABLE IF EXISTS t; DROP TABLE IF EXISTS tidemark_migrations');
      const run = startCli(['apply', '--dir', dir, '--url', cluster.url]);
      await untilSleeping(adminQuery);
      await cluster.stop(mode);
      const { code, stderr } = await run.done;
      expect(code).toBe(5);
      expect(stderr).toContain('002_slow.up.sql');
      expect(stderr).toMatch(/Connection lost/);
      expect(stderr).not.toMatch(/internal error/);
      await cluster.start();
      expect(await adminQuery('SELECT version::int FROM tidemark_migrations ORDER BY 1')).toEqual([{ version: 1 }]);
      expect(await adminQuery('SELECT i FROM t')).toEqual([]);
    },
    30_000,
  );

  test('fast shutdown during a no-transaction migration: exit 5, the statement in doubt and the next command', async () => {
    dir = migrations(NO_TX);
    await adminQuery('DROP TABLE IF EXISTS t; DROP TABLE IF EXISTS tidemark_migrations');
    const run = startCli(['apply', '--dir', dir, '--url', cluster.url]);
    await untilSleeping(adminQuery);
    await cluster.stop('fast');
    const { code, stderr } = await run.done;
    expect(code).toBe(5);
    expect(stderr).toContain(
      '002_slow.up.sql runs without a transaction: statement 1 of 3 took effect; statement 2 (line 3) was running and is IN DOUBT',
    );
    expect(stderr).toContain('tidemark status');
    expect(stderr).toContain('tidemark apply --resume');
    expect(stderr).not.toMatch(/internal error|rolled back/);
    await cluster.start();
    const status = await runCli(['status', '--dir', dir, '--url', cluster.url]);
    expect(status.stdout).toMatch(/^2\s+slow\s+interrupted/m);
    expect(status.stdout).toContain('Statement 2 (002_slow.up.sql:3: SELECT pg_sleep(5)) is IN DOUBT');
    const resumed = await runCli(['apply', '--resume', '--assume-done', '--dir', dir, '--url', cluster.url]);
    expect(resumed.code).toBe(0);
    expect(await adminQuery('SELECT i FROM t ORDER BY i')).toEqual([{ i: 1 }, { i: 3 }]);
  }, 30_000);
});

describe('the session terminated (pg_terminate_backend)', () => {
  const db = useTestDatabase();

  test('in a transactional migration: exit 5, rolled back, the next run applies it', async () => {
    dir = migrations({ ...FILES, '002_slow.up.sql': 'INSERT INTO t VALUES (1);\nSELECT pg_sleep(2);\n' });
    const run = startCli(['apply', '--dir', dir, '--url', db.url]);
    await untilSleepingOn(db, 2);
    await db.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'tidemark'",
    );
    const { code, stderr } = await run.done;
    expect(code).toBe(5);
    expect(stderr).toContain('rolls back the open transaction');
    expect(await db.query('SELECT i FROM t')).toEqual([]);
    expect((await runCli(['apply', '--dir', dir, '--url', db.url])).code).toBe(0);
  });

  test('in a no-transaction migration: exit 5 and the statement in doubt', async () => {
    dir = migrations({
      ...NO_TX,
      '002_slow.up.sql':
        '-- tidemark:no-transaction\nINSERT INTO t VALUES (1);\nSELECT pg_sleep(2);\nINSERT INTO t VALUES (3);\n',
    });
    const run = startCli(['apply', '--dir', dir, '--url', db.url]);
    await untilSleepingOn(db, 2);
    await db.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'tidemark'",
    );
    const { code, stderr } = await run.done;
    expect(code).toBe(5);
    expect(stderr).toContain('statement 2 (line 3) was running and is IN DOUBT');
    const status = await runCli(['status', '--json', '--dir', dir, '--url', db.url]);
    const entry = JSON.parse(status.stdout).migrations.find((m: { version: string }) => m.version === '2');
    expect(entry.state).toBe('interrupted');
    expect(entry.progress.in_doubt).toMatchObject({ statement: 2, line: 3 });
  });
});

async function untilSleepingOn(db: TestDatabase, seconds: number): Promise<void> {
  await untilSleeping((sql) =>
    db.query(sql.replace('pg_sleep(5)', `pg_sleep(${seconds})`) + ' AND datname = current_database()'),
  );
}
