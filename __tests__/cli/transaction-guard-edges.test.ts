/**
 * The transactional-file guard on statements it used to miss: a CREATE
 * INDEX CONCURRENTLY after a BEGIN ATOMIC function that uses `begin` as a
 * word (the lexer took the rest of the script for the function's body), and
 * ALTER DATABASE … TABLESPACE. apply refuses them before anything runs and
 * says nothing was run; verify, which runs nothing, never says so.
 */
import { runInProcess } from '../helpers/in-process';
import { useTestDatabase } from '../helpers/db';
import { useMigrationsDir } from '../helpers/files';
import { existing, ledgerVersions } from '../helpers/inspect';

const db = useTestDatabase();
const migrations = useMigrationsDir();
let dir: string;

const FUNCTION =
  'CREATE TABLE periods (begin int);\nCREATE FUNCTION f() RETURNS bigint LANGUAGE sql\nBEGIN ATOMIC\n  SELECT count(begin) FROM periods;\nEND;\n';

test.each([
  [
    'after a function whose body counts a column named begin',
    `${FUNCTION}CREATE INDEX CONCURRENTLY periods_begin ON periods (begin);\n`,
    '6:1: CREATE INDEX CONCURRENTLY',
  ],
  [
    'ALTER DATABASE … SET TABLESPACE',
    'CREATE TABLE periods (begin int);\nALTER DATABASE current_db SET TABLESPACE pg_default;\n',
    '2:1: ALTER DATABASE SET TABLESPACE',
  ],
  [
    'ALTER DATABASE … TABLESPACE',
    'CREATE TABLE periods (begin int);\nALTER DATABASE current_db TABLESPACE pg_default;\n',
    '2:1: ALTER DATABASE SET TABLESPACE',
  ],
  [
    'ALTER DATABASE … WITH TABLESPACE =',
    'CREATE TABLE periods (begin int);\nALTER DATABASE current_db WITH TABLESPACE = pg_default;\n',
    '2:1: ALTER DATABASE SET TABLESPACE',
  ],
])(
  '%s: apply exits 2 at the statement, before anything runs; verify --offline too, worded for verify',
  async (_name, sql, where) => {
    dir = migrations({
      '001_periods.up.sql': sql.replace('current_db', db.name),
      '001_periods.down.sql': 'DROP TABLE periods;\n',
    });
    const apply = await runInProcess(['apply', '--dir', dir, '--url', db.url]);
    expect(apply.code).toBe(2);
    expect(apply.stderr).toContain('cannot run inside a transaction block; nothing was run:');
    expect(apply.stderr).toContain(`001_periods.up.sql:${where}`);
    expect(apply.stderr).toContain('-- tidemark:no-transaction');
    expect(await ledgerVersions(db)).toBeNull();
    expect(await existing(db, ['periods'])).toEqual([]);

    const verify = await runInProcess(['verify', '--offline', '--dir', dir]);
    expect(verify.code).toBe(2);
    expect(verify.stderr).toContain(`001_periods.up.sql:${where}`);
    expect(verify.stderr).toContain('(apply, rollback and test refuse such a script before running anything):');
    expect(verify.stderr).not.toContain('was run');
  },
);

test('the same function, then ordinary statements, applies in one transaction', async () => {
  dir = migrations({
    '001_periods.up.sql': `${FUNCTION}CREATE INDEX periods_begin ON periods (begin);\nINSERT INTO periods VALUES (1);\n`,
    '001_periods.down.sql': 'DROP FUNCTION f(); DROP TABLE periods;\n',
  });
  expect((await runInProcess(['apply', '--dir', dir, '--url', db.url])).code).toBe(0);
  expect(await db.query('SELECT f() AS n')).toEqual([{ n: '1' }]);
});

test('verify never says "was run" for transaction control either; apply does', async () => {
  dir = migrations({ '001_x.up.sql': 'CREATE TABLE x (i int);\nCOMMIT;\n', '001_x.down.sql': 'DROP TABLE x;\n' });
  const verify = await runInProcess(['verify', '--offline', '--dir', dir]);
  expect(verify.code).toBe(2);
  expect(verify.stderr).toContain('001_x.up.sql:2:1: COMMIT');
  expect(verify.stderr).not.toContain('was run');
  const apply = await runInProcess(['apply', '--dir', dir, '--url', db.url]);
  expect(apply.code).toBe(2);
  expect(apply.stderr).toContain('nothing was run');
});
