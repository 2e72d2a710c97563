import { createHash } from 'node:crypto';
import { apply, rollback } from '../../lib/migrator';
import { MigrationFailedError, TransactionSafetyError } from '../../lib/errors';
import { useTestDatabase } from '../helpers/db';
import { contextFor } from '../helpers/context';
import { migrationsDir, removeDir, useMigrationsDir } from '../helpers/files';

const THREE = {
  '001_a.up.sql': 'CREATE TABLE a (id int);',
  '001_a.down.sql': 'DROP TABLE a;',
  '002_b.up.sql': 'CREATE TABLE b (id int);',
  '002_b.down.sql': 'DROP TABLE b;',
  '003_c.up.sql': 'CREATE TABLE c (id int);',
  '003_c.down.sql': 'DROP TABLE c;',
};

const db = useTestDatabase();
const migrations = useMigrationsDir();
let dir: string;

const tables = async () =>
  (await db.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).map(
    (r) => r.t,
  );
const ledgerVersions = async (table = 'public.tidemark_migrations') =>
  (await db.query<{ version: string }>(`SELECT version FROM ${table} ORDER BY version`)).map((r) => r.version);

test('applies every pending migration in version order, each with its ledger row', async () => {
  dir = migrations(THREE);
  const result = await apply(contextFor(db.url, dir));
  expect(result.completed.map((o) => o.step.pair.label)).toEqual(['001_a', '002_b', '003_c']);
  expect(result.pending).toBe(0);
  expect(await tables()).toEqual(['a', 'b', 'c', 'tidemark_migrations']);
  expect(await ledgerVersions()).toEqual(['1', '2', '3']);
});

test('a second run is a no-op', async () => {
  dir = migrations(THREE);
  await apply(contextFor(db.url, dir));
  const again = await apply(contextFor(db.url, dir));
  expect(again.plan.steps).toHaveLength(0);
  expect(again.completed).toHaveLength(0);
});

test('--target applies up to and including V', async () => {
  dir = migrations(THREE);
  const result = await apply(contextFor(db.url, dir), { target: 2n });
  expect(result.completed).toHaveLength(2);
  expect(result.pending).toBe(1);
  expect(await ledgerVersions()).toEqual(['1', '2']);
});

test('--target not on disk is a config error and nothing is created', async () => {
  dir = migrations(THREE);
  await expect(apply(contextFor(db.url, dir), { target: 9n })).rejects.toMatchObject({ code: 'config', exitCode: 2 });
  expect(await tables()).toEqual([]);
});

test('--dry-run plans without creating the ledger or running anything', async () => {
  dir = migrations(THREE);
  const result = await apply(contextFor(db.url, dir), { dryRun: true });
  expect(result.plan.steps.map((s) => s.pair.label)).toEqual(['001_a', '002_b', '003_c']);
  expect(result.completed).toEqual([]);
  expect(await tables()).toEqual([]);
});

test('records the ledger row: checksums, user, environment, tool version, state', async () => {
  dir = migrations({
    '001_env.up.sql': "CREATE TABLE seen AS SELECT current_setting('tidemark.environment') AS env;",
    '001_env.down.sql': 'DROP TABLE seen;',
  });
  await apply(contextFor(db.url, dir, { environment: 'staging' }));
  const [row] = await db.query<Record<string, unknown>>('SELECT * FROM tidemark_migrations');
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  expect(row).toMatchObject({
    version: '1',
    name: 'env',
    up_checksum: sha("CREATE TABLE seen AS SELECT current_setting('tidemark.environment') AS env;"),
    down_checksum: sha('DROP TABLE seen;'),
    applied_by: 'postgres',
    environment: 'staging',
    tool_version: '0.1.0',
    state: 'applied',
  });
  expect(row.applied_at).toBeInstanceOf(Date);
  expect(typeof row.duration_ms).toBe('number');
  expect(await db.query('SELECT env FROM seen')).toEqual([{ env: 'staging' }]);
});

// The settings and the ledger row are query parameters, pipelined with the script: what is stored is what was given.
test.each(['on', 'off'])(
  'an environment name and scripts with quotes, backslashes and SQL read back as written (standard_conforming_strings %s)',
  async (scs) => {
    const environment = "it's \\ a \\' test'); DROP TABLE seen; -- é";
    const up =
      "CREATE TABLE seen AS SELECT current_setting('tidemark.environment') AS env, E'\\\\' AS backslash, 'it''s' AS quote; -- \\'); DROP TABLE x; --\n";
    const down = "DROP TABLE seen; -- it's \\\n";
    await db.query(`ALTER DATABASE ${db.name} SET standard_conforming_strings = ${scs}`);
    dir = migrations({ '001_env.up.sql': up, '001_env.down.sql': down });
    await apply(contextFor(db.url, dir, { environment, lockTimeout: '5s', statementTimeout: '1min' }));
    expect(await db.query('SELECT env, backslash, quote FROM seen')).toEqual([
      { env: environment, backslash: '\\', quote: "it's" },
    ]);
    expect(await db.query('SELECT environment, up_sql, down_sql FROM tidemark_migrations')).toEqual([
      { environment, up_sql: up, down_sql: down },
    ]);
    await rollback(contextFor(db.url, dir, { environment }));
    expect(await tables()).toEqual(['tidemark_migrations']);
    expect(await ledgerVersions()).toEqual([]);
  },
);

test('a custom schema and table name are quoted, never pasted raw', async () => {
  dir = migrations(THREE);
  await apply(contextFor(db.url, dir, { schema: 'Audit Trail', table: 'my"ledger' }));
  expect(await ledgerVersions('"Audit Trail"."my""ledger"')).toEqual(['1', '2', '3']);
});

test('the ledger records how long the script ran (the server counts it, from BEGIN), and the run reports the same', async () => {
  dir = migrations({
    '001_slow.up.sql': 'CREATE TABLE slow (id int);\nSELECT pg_sleep(0.3);\n',
    '001_slow.down.sql': 'DROP TABLE slow;',
  });
  const result = await apply(contextFor(db.url, dir));
  const [row] = await db.query<{ duration_ms: number }>('SELECT duration_ms FROM tidemark_migrations');
  expect(row.duration_ms).toBeGreaterThanOrEqual(300);
  expect(row.duration_ms).toBeLessThan(30_000);
  expect(result.completed[0].durationMs).toBe(row.duration_ms);
});

describe('a big script (8 MiB or more), sent from its bytes in pieces', () => {
  const rows = (n: number) =>
    Array.from({ length: n }, (_, i) => `INSERT INTO big VALUES (${i}, 'row ${i} é ${'x'.repeat(20)}');`).join('\n');
  const body = `CREATE TABLE big (id int PRIMARY KEY, label text);\n${rows(200_000)}\n`;

  test('is applied whole, with its ledger row (checksum only)', async () => {
    expect(Buffer.byteLength(body)).toBeGreaterThan(8 * 1024 * 1024);
    dir = migrations({ ...THREE, '004_big.up.sql': body, '004_big.down.sql': 'DROP TABLE big;\n' });
    await apply(contextFor(db.url, dir));
    expect(await db.query('SELECT count(*)::int AS n, max(label) AS last FROM big')).toEqual([
      { n: 200_000, last: `row 99999 é ${'x'.repeat(20)}` },
    ]);
    expect(await db.query('SELECT up_sql IS NULL AS checksum_only FROM tidemark_migrations WHERE version = 4')).toEqual(
      [{ checksum_only: true }],
    );
  });

  test('reports the line and column of an error near its end, and rolls back', async () => {
    dir = migrations({
      ...THREE,
      '004_big.up.sql': `${body}SELECT * FROM no_such_table;\n`,
      '004_big.down.sql': 'DROP TABLE big;\n',
    });
    const err = await apply(contextFor(db.url, dir)).catch((e) => e);
    expect(err).toBeInstanceOf(MigrationFailedError);
    expect(err.failure.sql).toMatchObject({ sqlstate: '42P01', line: 200_002, column: 15 });
    expect(err.failure.frame).toContain('200002 | SELECT * FROM no_such_table;');
    expect(await tables()).toEqual(['a', 'b', 'c', 'tidemark_migrations']);
  });

  describe('whose data mentions database, system, vacuum, concurrently', () => {
    const mentions = (n: number) =>
      Array.from(
        { length: n },
        (_, i) => `INSERT INTO big VALUES (${i}, 'database admin ${i}: system vacuum concurrently; reindex é');`,
      ).join('\n');
    const data = `CREATE TABLE big (id int PRIMARY KEY, label text);\n${mentions(150_000)}\n`;

    test('is applied whole: the words in its strings are data', async () => {
      expect(Buffer.byteLength(data)).toBeGreaterThan(8 * 1024 * 1024);
      dir = migrations({ ...THREE, '004_big.up.sql': data, '004_big.down.sql': 'DROP TABLE big;\n' });
      await apply(contextFor(db.url, dir));
      expect(
        await db.query(
          "SELECT count(*)::int AS n, count(*) FILTER (WHERE label LIKE 'database admin %: system vacuum concurrently; reindex é')::int AS m FROM big",
        ),
      ).toEqual([{ n: 150_000, m: 150_000 }]);
      expect(await ledgerVersions()).toEqual(['1', '2', '3', '4']);
    });

    test('is refused before anything runs when it holds a real VACUUM, at its line and column', async () => {
      dir = migrations({
        ...THREE,
        '004_big.up.sql': `${data}SELECT 1;  VACUUM big;\n`,
        '004_big.down.sql': 'DROP TABLE big;\n',
      });
      const err = await apply(contextFor(db.url, dir)).catch((e) => e);
      expect(err).toBeInstanceOf(TransactionSafetyError);
      expect(err.problems).toEqual([
        { path: '004_big.up.sql', line: 150_002, column: 12, reason: 'VACUUM', kind: 'needs-no-transaction' },
      ]);
      expect(await tables()).toEqual([]);
    });
  });
});

describe('a failing migration', () => {
  const FAILING = {
    ...THREE,
    '002_b.up.sql': 'CREATE TABLE b (id int);\nINSERT INTO b VALUES (1);\nSELECT 1/0;\n',
  };

  test('rolls back whole; earlier migrations of the run stay applied', async () => {
    dir = migrations(FAILING);
    const err = await apply(contextFor(db.url, dir)).catch((e) => e);
    expect(err).toBeInstanceOf(MigrationFailedError);
    expect(err.failure).toMatchObject({
      version: 2n,
      path: '002_b.up.sql',
      completed: 1,
      notApplied: 2,
      batchRolledBack: false,
    });
    expect(err.failure.sql.sqlstate).toBe('22012');
    expect(await tables()).toEqual(['a', 'tidemark_migrations']);
    expect(await ledgerVersions()).toEqual(['1']);
  });

  // BEGIN, the settings, the script, the ledger INSERT and COMMIT leave together: the INSERT behind a failed
  // script must fail (the transaction is aborted), COMMIT must end it as a rollback, and the error reported
  // must be the script's own, not the INSERT's "current transaction is aborted" (25P02).
  test('sent in one pipeline, leaves no ledger row, reports its own error and leaves the connection usable', async () => {
    dir = migrations({ ...THREE, '002_b.up.sql': 'CREATE TABLE b (id int);\nINSERT INTO missing VALUES (1);\n' });
    const err = await apply(contextFor(db.url, dir)).catch((e) => e);
    expect(err.failure.sql).toMatchObject({ sqlstate: '42P01', line: 2, column: 13 });
    expect(await ledgerVersions()).toEqual(['1']);
    expect(await tables()).toEqual(['a', 'tidemark_migrations']);
    const fixed = migrationsDir(THREE);
    await apply(contextFor(db.url, fixed));
    removeDir(fixed);
    expect(await ledgerVersions()).toEqual(['1', '2', '3']);
  });

  test('a failing rollback keeps its ledger row and its objects', async () => {
    dir = migrations({ ...THREE, '003_c.down.sql': 'DROP TABLE c;\nSELECT 1/0;\n' });
    await apply(contextFor(db.url, dir));
    const err = await rollback(contextFor(db.url, dir)).catch((e) => e);
    expect(err.failure).toMatchObject({ version: 3n, direction: 'down' });
    expect(err.failure.sql.sqlstate).toBe('22012');
    expect(await ledgerVersions()).toEqual(['1', '2', '3']);
    expect(await tables()).toEqual(['a', 'b', 'c', 'tidemark_migrations']);
  });

  test('reports line and column of a syntax error', async () => {
    dir = migrations({ ...THREE, '002_b.up.sql': '-- é comment\nCREATE TABLE b (\n  id int,\n  v numerc\n);\n' });
    const err = await apply(contextFor(db.url, dir)).catch((e) => e);
    expect(err.failure.sql).toMatchObject({ sqlstate: '42704', line: 4, column: 5 });
    expect(err.failure.frame).toContain('4 |   v numerc');
  });

  // BEGIN and the settings travel in front of the script: positions must still count from the script.
  test('reports line and column of a syntax error whatever the environment name holds', async () => {
    dir = migrations({ ...THREE, '002_b.up.sql': '-- é comment\nCREATE TABLE b (\n  id int,\n  v numerc\n);\n' });
    const err = await apply(contextFor(db.url, dir, { environment: "prod 😀 'é'", lockTimeout: '5s' })).catch((e) => e);
    expect(err.failure.sql).toMatchObject({ sqlstate: '42704', line: 4, column: 5 });
  });

  test('a statement timeout applies to the script it is sent with', async () => {
    dir = migrations({ ...THREE, '002_b.up.sql': 'CREATE TABLE b (id int);\nSELECT pg_sleep(2);\n' });
    const err = await apply(contextFor(db.url, dir, { statementTimeout: '200ms' })).catch((e) => e);
    expect(err.failure.sql).toMatchObject({ sqlstate: '57014' });
    expect(await tables()).toEqual(['a', 'tidemark_migrations']);
  });

  test('with --single-transaction nothing of the batch remains', async () => {
    dir = migrations(FAILING);
    const err = await apply(contextFor(db.url, dir), { singleTransaction: true }).catch((e) => e);
    expect(err.failure).toMatchObject({ completed: 0, notApplied: 3, batchRolledBack: true });
    expect(await tables()).toEqual([]); // the ledger table was created inside the batch, so it is gone too
  });

  test('the next run applies it once it is fixed', async () => {
    dir = migrations(FAILING);
    await apply(contextFor(db.url, dir)).catch(() => undefined);
    const fixed = migrationsDir(THREE);
    const result = await apply(contextFor(db.url, fixed));
    removeDir(fixed);
    expect(result.completed.map((o) => o.step.pair.label)).toEqual(['002_b', '003_c']);
  });
});

test('--single-transaction applies the whole batch', async () => {
  dir = migrations(THREE);
  const result = await apply(contextFor(db.url, dir), { singleTransaction: true });
  expect(result.completed).toHaveLength(3);
  expect(await ledgerVersions()).toEqual(['1', '2', '3']);
});

test('--lock-timeout and --statement-timeout are SET LOCAL in each migration', async () => {
  dir = migrations({
    '001_t.up.sql':
      "CREATE TABLE t AS SELECT current_setting('lock_timeout') AS lt, current_setting('statement_timeout') AS st;",
    '001_t.down.sql': 'DROP TABLE t;',
  });
  await apply(contextFor(db.url, dir, { lockTimeout: '3s', statementTimeout: '1min' }));
  expect(await db.query('SELECT lt, st FROM t')).toEqual([{ lt: '3s', st: '1min' }]);
  expect(await db.query("SELECT current_setting('lock_timeout') AS lt")).toEqual([{ lt: '0' }]);
});

test('statement_timeout stops a slow migration', async () => {
  dir = migrations({ '001_slow.up.sql': 'SELECT pg_sleep(5);', '001_slow.down.sql': 'SELECT 1;' });
  const err = await apply(contextFor(db.url, dir, { statementTimeout: '200ms' })).catch((e) => e);
  expect(err.failure.sql.sqlstate).toBe('57014');
});
