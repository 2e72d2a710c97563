/**
 * --single-transaction and a new enum value: one migration adds it, a later
 * one uses it, and PostgreSQL refuses the use in the transaction that added
 * it. The run warns before anything runs, naming both files and lines.
 */
import { jsonLines } from '../helpers/cli';
import { runInProcess } from '../helpers/in-process';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { migrationsDir, removeDir } from '../helpers/files';
import { ledgerVersions } from '../helpers/inspect';

let db: TestDatabase;
let dir: string;
beforeAll(async () => {
  db = await createTestDatabase();
  dir = migrationsDir({
    '001_mood.up.sql': "CREATE TYPE mood AS ENUM ('sad');\nCREATE TABLE people (m mood);\n",
    '001_mood.down.sql': 'DROP TABLE people;\nDROP TYPE mood;\n',
    '002_happy.up.sql': "-- a new mood\nALTER TYPE mood ADD VALUE 'happy';\n",
    '002_happy.down.sql': '-- tidemark:irreversible\n',
    '003_cheer.up.sql': "UPDATE people SET m = 'sad';\nINSERT INTO people VALUES ('happy');\n",
    '003_cheer.down.sql': "DELETE FROM people WHERE m = 'happy';\n",
  });
});
afterAll(async () => {
  await db.drop();
  removeDir(dir);
});

// The type is committed first: PostgreSQL 17 lets a transaction use a value added to a type created in that same transaction (last test).
beforeAll(async () => {
  expect((await runInProcess(['apply', '--target', '1', '--dir', dir, '--url', db.url])).code).toBe(0);
});

const WARNING =
  "warning: 002_happy.up.sql:2 adds the value 'happy' to the enum mood, and 003_cheer.up.sql:2, later in the same --single-transaction batch, uses 'happy'.";

test('--dry-run --single-transaction warns, naming both files and lines, and the fix', async () => {
  const run = await runInProcess(['apply', '--dry-run', '--single-transaction', '--dir', dir, '--url', db.url]);
  expect(run.code).toBe(0);
  expect(run.stderr).toContain(WARNING);
  expect(run.stderr).toContain('tidemark apply --single-transaction --target 2');
});

test('the warning comes before anything runs; the batch then fails as PostgreSQL says, and nothing is applied', async () => {
  const run = await runInProcess(['apply', '--single-transaction', '--dir', dir, '--url', db.url]);
  expect(run.code).toBe(1);
  const lines = run.stderr.split('\n');
  expect(lines[0]).toContain(WARNING);
  expect(run.stderr).toContain('SQLSTATE 55P04: unsafe use of new value "happy" of enum type mood');
  expect(await ledgerVersions(db)).toEqual(['1']);
});

test('json logs carry both places as fields', async () => {
  const run = await runInProcess([
    'apply',
    '--dry-run',
    '--single-transaction',
    '--log-format',
    'json',
    '--dir',
    dir,
    '--url',
    db.url,
  ]);
  const [line] = jsonLines(run.stderr).filter((l) => l.code === 'enum-value-in-transaction');
  expect(line).toMatchObject({
    level: 40,
    type: 'mood',
    label: 'happy',
    added: { path: '002_happy.up.sql', line: 2 },
    used: { path: '003_cheer.up.sql', line: 2 },
  });
});

test('without --single-transaction each migration commits first: no warning, and it applies', async () => {
  const run = await runInProcess(['apply', '--dir', dir, '--url', db.url]);
  expect(run.code).toBe(0);
  expect(run.stderr).not.toContain('adds the value');
  expect(await ledgerVersions(db)).toEqual(['1', '2', '3']);
});

test('the type created in the same batch: PostgreSQL 17 and later accept the use (no warning, applied), earlier ones refuse it (warned)', async () => {
  const fresh = await createTestDatabase();
  const created = migrationsDir({
    '001_mood.up.sql': "CREATE TYPE mood AS ENUM ('sad');\nCREATE TABLE people (m mood);\n",
    '001_mood.down.sql': 'DROP TABLE people;\nDROP TYPE mood;\n',
    '002_happy.up.sql': "ALTER TYPE mood ADD VALUE 'happy';\n",
    '002_happy.down.sql': '-- tidemark:irreversible\n',
    '003_cheer.up.sql': "INSERT INTO people VALUES ('happy');\n",
    '003_cheer.down.sql': "DELETE FROM people WHERE m = 'happy';\n",
  });
  try {
    const [{ v }] = await fresh.query<{ v: number }>("SELECT current_setting('server_version_num')::int AS v");
    const run = await runInProcess(['apply', '--single-transaction', '--dir', created, '--url', fresh.url]);
    if (v >= 170000) {
      expect(run.stderr).not.toContain('adds the value');
      expect(run.code).toBe(0);
      expect(await ledgerVersions(fresh)).toEqual(['1', '2', '3']);
    } else {
      expect(run.stderr).toContain("002_happy.up.sql:1 adds the value 'happy' to the enum mood");
      expect(run.stderr).toContain('SQLSTATE 55P04');
      expect(run.code).toBe(1);
    }
  } finally {
    await fresh.drop();
    removeDir(created);
  }
});
