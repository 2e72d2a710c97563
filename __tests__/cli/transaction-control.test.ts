/**
 * The CLI refuses a transactional script that ends its transaction or starts
 * one, before anything runs: exit 2 with file:line:col and the fix — where
 * main used to report "applied" (ROLLBACK) or "rolled back" (COMMIT, then a
 * failure) while the database said otherwise.
 */
import { jsonLines } from '../helpers/cli';
import { runInProcess } from '../helpers/in-process';
import { useTestDatabase } from '../helpers/db';
import { useMigrationsDir } from '../helpers/files';
import { existing, ledgerVersions } from '../helpers/inspect';

const db = useTestDatabase();
const migrations = useMigrationsDir();
let dir: string;

test.each([
  ['CREATE TABLE a (i int); COMMIT; CREATE TABLE b (i int); SELECT 1/0;', '1:25: COMMIT'],
  ['CREATE TABLE x (i int); ROLLBACK;', '1:25: ROLLBACK'],
  ['CREATE TABLE x (i int); END;', '1:25: END'],
  ['CREATE TABLE x (i int); ABORT;', '1:25: ABORT'],
  ["CREATE TABLE x (i int); PREPARE TRANSACTION 'p';", '1:25: PREPARE TRANSACTION'],
  ['CREATE TABLE x (i int); COMMIT AND CHAIN;', '1:25: COMMIT AND CHAIN'],
  ['BEGIN; CREATE TABLE x (i int); COMMIT;', '1:1: BEGIN'],
  ["COMMIT PREPARED 'p';", '1:1: COMMIT PREPARED'],
])(
  '%s: apply, apply --single-transaction, test and verify --offline exit 2 at %s; nothing is created',
  async (sql, where) => {
    dir = migrations({
      '001_ok.up.sql': 'CREATE TABLE ok (i int);\n',
      '001_ok.down.sql': 'DROP TABLE ok;\n',
      '002_bad.up.sql': `${sql}\n`,
      '002_bad.down.sql': 'SELECT 1;\n',
    });
    for (const args of [['apply'], ['apply', '--single-transaction'], ['test'], ['verify', '--offline']]) {
      const run = await runInProcess([...args, '--dir', dir, '--url', db.url]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`002_bad.up.sql:${where}`);
      expect(run.stderr).toContain('tidemark:no-transaction');
      expect(run.stderr).not.toMatch(/internal error/);
    }
    expect(await ledgerVersions(db)).toBeNull();
    expect(await existing(db, ['ok', 'a', 'b', 'x'])).toEqual([]);
  },
);

test('json logs: the problems come as fields, with their kind', async () => {
  dir = migrations({ '001_x.up.sql': 'CREATE TABLE x (i int);\nROLLBACK;\n', '001_x.down.sql': 'DROP TABLE x;\n' });
  const run = await runInProcess(['apply', '--log-format', 'json', '--dir', dir, '--url', db.url]);
  expect(run.code).toBe(2);
  const [line] = jsonLines(run.stderr).filter((l) => l.code === 'transaction-control');
  expect(line.problems).toEqual([
    { path: '001_x.up.sql', line: 2, column: 1, reason: 'ROLLBACK', kind: 'transaction-control' },
  ]);
});

test('--single-transaction whose COMMIT fails on a deferred constraint: exit 1 with the SQLSTATE, all rolled back, never "internal error"', async () => {
  dir = migrations({
    '001_p.up.sql': 'CREATE TABLE p (id int PRIMARY KEY);\n',
    '001_p.down.sql': 'DROP TABLE p;\n',
    '002_c.up.sql': 'CREATE TABLE c (p int REFERENCES p DEFERRABLE INITIALLY DEFERRED);\nINSERT INTO c VALUES (1);\n',
    '002_c.down.sql': 'DROP TABLE c;\n',
  });
  for (const format of ['human', 'json']) {
    const run = await runInProcess([
      'apply',
      '--single-transaction',
      '--log-format',
      format,
      '--dir',
      dir,
      '--url',
      db.url,
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.stderr).toContain('23503');
    expect(run.stderr).toContain('nothing was applied');
  }
  expect(await existing(db, ['p', 'c'])).toEqual([]);
  expect(await ledgerVersions(db)).toBeNull(); // the ledger table was created in the batch's transaction, and rolled back with it
});
