/**
 * A transactional migration that fails without a position from the server
 * (`column "emial" does not exist` from CREATE INDEX, `… cannot run inside a
 * transaction block`) is reported at the statement that failed: file:line,
 * and the code frame of its first line, as `psql -f` names the line — for
 * apply, apply --single-transaction, rollback, and a big script sent from its
 * bytes. A REINDEX that PostgreSQL refuses in a transaction (a partitioned
 * table: the text cannot show it) names `-- tidemark:no-transaction` as the fix.
 */
import { jsonLines } from '../helpers/cli';
import { runInProcess } from '../helpers/in-process';
import { useTestDatabase } from '../helpers/db';
import { useMigrationsDir } from '../helpers/files';
import { existing, ledgerVersions } from '../helpers/inspect';

const db = useTestDatabase();
const migrations = useMigrationsDir();
let dir: string;

const run = (...args: string[]) => runInProcess([...args, '--dir', dir, '--url', db.url], { timeoutMs: 60_000 });

/** A function whose body holds semicolons, so the statement count is the lexer's, not a naive split's. */
const BODY =
  'CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT begin FROM (SELECT 1 AS begin) p;\n  SELECT 2;\nEND;\n';
const FAILING = `CREATE TABLE users (email text);\n${BODY}-- the typo\nCREATE INDEX ON users (emial);\nCREATE TABLE never (i int);\n`;

test('apply names the failed statement: file:line and its first line, in human and JSON output', async () => {
  dir = migrations({ '001_users.up.sql': FAILING, '001_users.down.sql': 'DROP TABLE users;\n' });
  const human = await run('apply');
  expect(human.code).toBe(1);
  expect(human.stderr).toContain(
    '  --> 001_users.up.sql:8:1\n  |\n8 | CREATE INDEX ON users (emial);\n  | ^\nSQLSTATE 42703: column "emial" does not exist',
  );
  const json = await run('apply', '--log-format', 'json');
  const [line] = jsonLines(json.stderr).filter((l) => l.code === 'migration-failed');
  expect(line).toMatchObject({ file: '001_users.up.sql', sqlstate: '42703', line: 8, column: 1 });
  expect(line.msg).toBe('001_users.up.sql:8:1: column "emial" does not exist');
  expect(await existing(db, ['users', 'never'])).toEqual([]);
  expect((await ledgerVersions(db)) ?? []).toEqual([]);
});

test('apply --single-transaction names it too', async () => {
  dir = migrations({
    '001_ok.up.sql': 'CREATE TABLE ok (i int);\n',
    '001_ok.down.sql': 'DROP TABLE ok;\n',
    '002_users.up.sql': FAILING,
    '002_users.down.sql': 'DROP TABLE users;\n',
  });
  const { code, stderr } = await run('apply', '--single-transaction');
  expect(code).toBe(1);
  expect(stderr).toContain('  --> 002_users.up.sql:8:1\n  |\n8 | CREATE INDEX ON users (emial);');
  expect(await existing(db, ['ok', 'users'])).toEqual([]);
});

test('rollback names the failed statement of the down script', async () => {
  dir = migrations({
    '001_users.up.sql': 'CREATE TABLE users (email text);\n',
    '001_users.down.sql': 'DROP INDEX IF EXISTS nothing;\n\nCREATE INDEX ON users (emial);\nDROP TABLE users;\n',
  });
  expect((await run('apply')).code).toBe(0);
  const { code, stderr } = await run('rollback');
  expect(code).toBe(1);
  expect(stderr).toContain('  --> 001_users.down.sql:3:1\n  |\n3 | CREATE INDEX ON users (emial);');
  expect(await ledgerVersions(db)).toEqual(['1']);
});

test('a positioned error still points at its column', async () => {
  dir = migrations({
    '001_users.up.sql': 'CREATE TABLE users (email text);\nSELECT emial FROM users;\n',
    '001_users.down.sql': 'DROP TABLE users;\n',
  });
  const { code, stderr } = await run('apply');
  expect(code).toBe(1);
  expect(stderr).toContain('  --> 001_users.up.sql:2:8\n');
});

test('a big script (sent from its bytes) is reported at the failed statement, past multi-byte data', async () => {
  const row = "INSERT INTO data VALUES ('é😀 données; BEGIN ATOMIC');\n";
  const rows = row.repeat(Math.ceil((9 * 1024 * 1024) / Buffer.byteLength(row)));
  const lines = 1 + rows.split('\n').length - 1;
  dir = migrations({
    '001_big.up.sql': `CREATE TABLE data (v text);\n${rows}CREATE INDEX ON data (nope);\n`,
    '001_big.down.sql': 'DROP TABLE data;\n',
  });
  const { code, stderr } = await run('apply');
  expect(code).toBe(1);
  expect(stderr).toContain(`  --> 001_big.up.sql:${lines + 1}:1\n`);
  expect(stderr).toContain(`${lines + 1} | CREATE INDEX ON data (nope);\n`);
  expect(stderr).toContain('SQLSTATE 42703: column "nope" does not exist');
  expect(await existing(db, ['data'])).toEqual([]);
});

test('REINDEX of a partitioned table, refused in a transaction (25001): the statement and the no-transaction fix', async () => {
  const up =
    'CREATE TABLE parted (a int PRIMARY KEY) PARTITION BY RANGE (a);\nCREATE TABLE parted1 PARTITION OF parted FOR VALUES FROM (0) TO (10);\n\nREINDEX TABLE parted;\n';
  dir = migrations({ '001_parted.up.sql': up, '001_parted.down.sql': 'DROP TABLE parted;\n' });
  const human = await run('apply');
  expect(human.code).toBe(1);
  expect(human.stderr).toContain('  --> 001_parted.up.sql:4:1\n  |\n4 | REINDEX TABLE parted;');
  expect(human.stderr).toContain('SQLSTATE 25001: REINDEX TABLE cannot run inside a transaction block');
  expect(human.stderr).toContain(
    'fix: The statement at 001_parted.up.sql:4 cannot run in the transaction tidemark runs the script in. Add "-- tidemark:no-transaction" as the first line of 001_parted.up.sql',
  );
  const json = await run('apply', '--log-format', 'json');
  const [line] = jsonLines(json.stderr).filter((l) => l.code === 'migration-failed');
  expect(line).toMatchObject({ sqlstate: '25001', line: 4 });
  expect(line.msg).toContain('-- tidemark:no-transaction');
  expect(await existing(db, ['parted'])).toEqual([]);

  // And marked as the message says, it applies.
  dir = migrations({
    '001_parted.up.sql': `-- tidemark:no-transaction\n${up}`,
    '001_parted.down.sql': 'DROP TABLE parted;\n',
  });
  expect((await run('apply')).code).toBe(0);
});

test('a deferred constraint that fails at COMMIT is said to fail there, after the last statement', async () => {
  const up =
    'CREATE TABLE p (id int PRIMARY KEY);\nCREATE TABLE c (p int REFERENCES p DEFERRABLE INITIALLY DEFERRED);\nINSERT INTO c VALUES (1);\n';
  dir = migrations({ '001_deferred.up.sql': up, '001_deferred.down.sql': 'DROP TABLE c, p;\n' });
  const human = await run('apply');
  expect(human.code).toBe(1);
  expect(human.stderr).toContain(
    '  --> 001_deferred.up.sql (at COMMIT, after its last statement: a deferred constraint or constraint trigger failed)\n',
  );
  expect(human.stderr).toContain('SQLSTATE 23503');
  const json = await run('apply', '--log-format', 'json');
  const [line] = jsonLines(json.stderr).filter((l) => l.code === 'migration-failed');
  expect(line.msg).toMatch(
    /^001_deferred\.up\.sql \(at COMMIT, after its last statement\): insert or update on table "c"/,
  );
  expect(await existing(db, ['p', 'c'])).toEqual([]);
});
