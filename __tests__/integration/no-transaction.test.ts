import { createHash } from 'node:crypto';
import { apply, repair, rollback, verify } from '../../lib/migrator';
import { ConfigError, DriftError, MigrationFailedError, TransactionSafetyError } from '../../lib/errors';
import { useTestDatabase } from '../helpers/db';
import { contextFor } from '../helpers/context';
import { useMigrationsDir, writeMigrations } from '../helpers/files';

const TABLE = {
  '001_people.up.sql':
    "CREATE TABLE people (id serial PRIMARY KEY, email text);\nINSERT INTO people (email) SELECT 'p' || g || '@x' FROM generate_series(1, 2000) g;\n",
  '001_people.down.sql': 'DROP TABLE people;\n',
};
const CIC = {
  '002_idx.up.sql':
    '-- tidemark:no-transaction\n-- builds without blocking writes\nCREATE INDEX CONCURRENTLY people_email_idx ON people (email);\nCREATE UNIQUE INDEX CONCURRENTLY people_email_key ON people (email);\nCREATE INDEX CONCURRENTLY people_lower_idx ON people (lower(email));\n',
  '002_idx.down.sql':
    '-- tidemark:no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS people_lower_idx;\nDROP INDEX CONCURRENTLY IF EXISTS people_email_key;\nDROP INDEX CONCURRENTLY IF EXISTS people_email_idx;\n',
};

const db = useTestDatabase();
const migrations = useMigrationsDir();
let dir: string;

const indexes = async () =>
  await db.query<{ name: string; valid: boolean }>(
    `SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE c.relname LIKE 'people_%' AND c.relname <> 'people_pkey' ORDER BY 1`,
  );
const row = async (version: number) =>
  (
    await db.query(
      'SELECT state, statements_done, statements_total, failure FROM tidemark_migrations WHERE version = $1',
      [version],
    )
  )[0];

test('CREATE INDEX CONCURRENTLY builds while another connection keeps writing', async () => {
  dir = migrations({ ...TABLE, ...CIC });
  await apply(contextFor(db.url, dir), { target: 1n });
  const writer = await db.connect();
  let writing = true;
  let writes = 0;
  const loop = (async () => {
    while (writing) {
      await writer.query(`INSERT INTO people (email) VALUES ('w' || $1 || '@x')`, [writes++]);
    }
  })();
  try {
    const result = await apply(contextFor(db.url, dir));
    expect(result.completed.map((o) => o.step.pair.label)).toEqual(['002_idx']);
  } finally {
    writing = false;
    await loop;
    await writer.end();
  }
  expect(writes).toBeGreaterThan(0);
  expect(await indexes()).toEqual([
    { name: 'people_email_idx', valid: true },
    { name: 'people_email_key', valid: true },
    { name: 'people_lower_idx', valid: true },
  ]);
  expect(await row(2)).toEqual({ state: 'applied', statements_done: 3, statements_total: 3, failure: null });
});

test('a second runner waits for the lock while a concurrent build runs: no deadlock, then nothing to do', async () => {
  dir = migrations({
    ...TABLE,
    '002_idx.up.sql':
      '-- tidemark:no-transaction\nSELECT pg_sleep(0.5);\nCREATE INDEX CONCURRENTLY people_email_idx ON people (email);\n',
    '002_idx.down.sql': '-- tidemark:no-transaction\nDROP INDEX CONCURRENTLY people_email_idx;\n',
  });
  await apply(contextFor(db.url, dir), { target: 1n });
  const [first, second] = await Promise.all([
    apply(contextFor(db.url, dir, { lockWait: 30 })),
    new Promise((r) => setTimeout(r, 150)).then(() => apply(contextFor(db.url, dir, { lockWait: 30 }))),
  ]);
  expect(first.completed).toHaveLength(1);
  expect(second.completed).toHaveLength(0);
  expect(await indexes()).toEqual([{ name: 'people_email_idx', valid: true }]);
});

describe('a failing concurrent build', () => {
  beforeEach(async () => {
    dir = migrations({ ...TABLE, ...CIC });
    await apply(contextFor(db.url, dir), { target: 1n });
    await db.query(`INSERT INTO people (email) VALUES ('p1@x')`); // a duplicate: the unique build fails
  });

  test('leaves a failed row, names the INVALID index, and blocks apply', async () => {
    const err = await apply(contextFor(db.url, dir)).catch((e) => e);
    expect(err).toBeInstanceOf(MigrationFailedError);
    expect(err.failure).toMatchObject({
      path: '002_idx.up.sql',
      partial: { statement: 2, total: 3, invalidIndexes: ['"public"."people_email_key"'] },
    });
    expect(err.failure.sql).toMatchObject({ sqlstate: '23505', line: 4, column: 1 });
    expect(await row(2)).toMatchObject({
      state: 'failed',
      statements_done: 1,
      statements_total: 3,
      failure: { direction: 'up', error: { statement: 2, line: 4, sqlstate: '23505' } },
    });
    expect(await indexes()).toEqual([
      { name: 'people_email_idx', valid: true },
      { name: 'people_email_key', valid: false },
    ]);
    const blocked = await apply(contextFor(db.url, dir)).catch((e) => e);
    expect(blocked).toBeInstanceOf(DriftError);
    expect(blocked.discrepancies).toEqual([
      expect.objectContaining({
        kind: 'failed',
        version: 2n,
        name: 'idx',
        path: '002_idx.up.sql',
        inDoubt: null,
        progress: expect.objectContaining({ done: 1, total: 3, inFlight: null }),
      }),
    ]);
  });

  test('--resume refuses while the INVALID index exists, then re-runs from the failed statement once fixed', async () => {
    await apply(contextFor(db.url, dir)).catch(() => undefined);
    const refused = await apply(contextFor(db.url, dir), { resume: true }).catch((e) => e);
    expect(refused).toBeInstanceOf(ConfigError);
    expect(refused.message).toContain('DROP INDEX CONCURRENTLY IF EXISTS "public"."people_email_key"');
    await db.query('DROP INDEX CONCURRENTLY people_email_key');
    await db.query(`DELETE FROM people WHERE id = (SELECT max(id) FROM people)`);
    const result = await apply(contextFor(db.url, dir), { resume: true });
    expect(result.completed.map((o) => o.step.pair.label)).toEqual(['002_idx']);
    expect(await row(2)).toEqual({ state: 'applied', statements_done: 3, statements_total: 3, failure: null });
    expect((await indexes()).every((i) => i.valid)).toBe(true);
  });

  test('--resume refuses a file edited since the failure', async () => {
    await apply(contextFor(db.url, dir)).catch(() => undefined);
    writeMigrations(dir, { '002_idx.up.sql': CIC['002_idx.up.sql'].replace('UNIQUE ', '') });
    const err = await apply(contextFor(db.url, dir), { resume: true }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain('002_idx.up.sql exactly as it was');
    expect(err.message).toContain('tidemark repair --version 2 --applied --reason');
    expect(err.message).toContain('tidemark repair --version 2 --not-applied --reason');
  });

  test('repair --not-applied removes the failed row after a manual undo, and asks which without it', async () => {
    await apply(contextFor(db.url, dir)).catch(() => undefined);
    const asked = await repair(contextFor(db.url, dir), { version: 2n, reason: 'dropped the indexes by hand' }).catch(
      (e) => e,
    );
    expect(asked).toBeInstanceOf(ConfigError);
    expect(await row(2)).toMatchObject({ state: 'failed' });
    const report = await repair(contextFor(db.url, dir), {
      version: 2n,
      reason: 'dropped the indexes by hand',
      outcome: 'not-applied',
    });
    expect(report.repaired.map((c) => c.action)).toEqual(['mark-not-applied']);
    expect(await row(2)).toBeUndefined();
    const audit = await db.query('SELECT version, action, reason FROM tidemark_migrations_audit');
    expect(audit).toEqual([{ version: '2', action: 'mark-not-applied', reason: 'dropped the indexes by hand' }]);
  });
});

test('an interrupted run (row left running) can be resumed', async () => {
  dir = migrations({ ...TABLE, ...CIC });
  await apply(contextFor(db.url, dir), { target: 1n });
  await db.query('CREATE INDEX people_email_idx ON people (email)');
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');
  // What a run killed after the first statement leaves behind: a `running` row at 1 of 3.
  await db.query(
    `INSERT INTO tidemark_migrations (version, name, up_checksum, down_checksum, duration_ms, environment, tool_version, state, statements_done, statements_total, failure)
     VALUES (2, 'idx', $1, $2, 0, 'development', '0.1.0', 'running', 1, 3, '{"direction":"up"}')`,
    [sha(CIC['002_idx.up.sql']), sha(CIC['002_idx.down.sql'])],
  );
  const result = await apply(contextFor(db.url, dir), { resume: true });
  expect(result.completed).toHaveLength(1);
  expect((await indexes()).map((i) => i.name)).toEqual(['people_email_idx', 'people_email_key', 'people_lower_idx']);
});

test('rollback of a no-transaction migration runs its down statement by statement', async () => {
  dir = migrations({ ...TABLE, ...CIC });
  await apply(contextFor(db.url, dir));
  await rollback(contextFor(db.url, dir));
  expect(await indexes()).toEqual([]);
  expect(await row(2)).toBeUndefined();
});

describe('transactional files', () => {
  test('a statement that cannot run in a transaction is reported before anything runs', async () => {
    dir = migrations({
      ...TABLE,
      '002_idx.up.sql': 'SELECT 1;\n  CREATE INDEX CONCURRENTLY i ON people (email);\nVACUUM people;\n',
      '002_idx.down.sql': 'DROP INDEX i;',
    });
    const err = await apply(contextFor(db.url, dir)).catch((e) => e);
    expect(err).toBeInstanceOf(TransactionSafetyError);
    expect(err.exitCode).toBe(2);
    expect(err.problems).toEqual([
      { path: '002_idx.up.sql', line: 2, column: 3, reason: 'CREATE INDEX CONCURRENTLY', kind: 'needs-no-transaction' },
      { path: '002_idx.up.sql', line: 3, column: 1, reason: 'VACUUM', kind: 'needs-no-transaction' },
    ]);
    expect(await db.query(`SELECT to_regclass('people') AS t`)).toEqual([{ t: null }]);
    await expect(verify(contextFor(db.url, dir), { online: false })).rejects.toBeInstanceOf(TransactionSafetyError);
  });

  test('--single-transaction refuses a batch with a no-transaction file', async () => {
    dir = migrations({ ...TABLE, ...CIC });
    const err = await apply(contextFor(db.url, dir), { singleTransaction: true }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain('002_idx.up.sql');
    expect(await db.query(`SELECT to_regclass('people') AS t`)).toEqual([{ t: null }]);
  });

  test('verify warns about ordinary DDL in a no-transaction file', async () => {
    dir = migrations({
      ...TABLE,
      ...CIC,
      '002_idx.up.sql':
        '-- tidemark:no-transaction\nALTER TABLE people ADD COLUMN x int;\nCREATE INDEX CONCURRENTLY i ON people (x);\n',
    });
    const report = await verify(contextFor(db.url, dir), { online: false });
    expect(report.failing).toBe(0);
    expect(report.mixed).toEqual([
      { kind: 'mixed', path: '002_idx.up.sql', line: 2, statement: 'ALTER TABLE people ADD COLUMN x int' },
    ]);
  });
});
