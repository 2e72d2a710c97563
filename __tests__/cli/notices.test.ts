/**
 * Server notices and warnings are logged, as psql shows them: each with its
 * migration and, where known, its line; level by severity; in both log
 * formats.
 */
import { jsonLines } from '../helpers/cli';
import { runInProcess } from '../helpers/in-process';
import { useTestDatabase } from '../helpers/db';
import { useMigrationsDir } from '../helpers/files';
import { ledgerVersions } from '../helpers/inspect';

const db = useTestDatabase();
const migrations = useMigrationsDir();
let dir: string;

const FILES = {
  '001_a.up.sql': 'CREATE TABLE a (i int);\n',
  '001_a.down.sql': 'DROP TABLE a;\n',
  '002_b.up.sql':
    "DROP TABLE IF EXISTS nope;\nDO $$\nBEGIN\n  RAISE NOTICE 'hello %', 42 USING HINT = 'a hint';\n  RAISE WARNING 'careful';\nEND\n$$;\nSET LOCAL client_min_messages = debug1;\nDO $$ BEGIN RAISE DEBUG 'deep down'; RAISE LOG 'logged'; END $$;\n",
  '002_b.down.sql': "DO $$ BEGIN RAISE NOTICE 'undoing b'; END $$;\n",
  '003_c.up.sql':
    "-- tidemark:no-transaction\nBEGIN;\nBEGIN;\nCREATE TABLE c (i int);\nCOMMIT;\nDO $$ BEGIN RAISE NOTICE 'from line 6'; END $$;\n",
  '003_c.down.sql': 'DROP TABLE c;\n',
};

const cli = (...args: string[]) => runInProcess([...args, '--dir', dir, '--url', db.url]);

test('human logs: NOTICE and INFO as info lines, WARNING as warnings, with the file and, where known, the line', async () => {
  dir = migrations(FILES);
  const { code, stderr } = await cli('apply');
  expect(code).toBe(0);
  expect(stderr).toContain('\n002_b.up.sql: NOTICE: table "nope" does not exist, skipping\n');
  expect(stderr).toContain('\n002_b.up.sql: NOTICE: hello 42 HINT: a hint\n');
  expect(stderr).toContain('\nwarning: 002_b.up.sql: WARNING: careful\n');
  expect(stderr).toContain('\nwarning: 003_c.up.sql:3: WARNING: there is already a transaction in progress\n');
  expect(stderr).toContain('\n003_c.up.sql:6: NOTICE: from line 6\n');
  expect(stderr).not.toContain('deep down'); // debug lines only with --verbose
  expect(stderr).not.toContain('logged');
  // Each notice is logged before the line that says its migration was applied.
  expect(stderr.indexOf('careful')).toBeLessThan(stderr.indexOf('applied 002_b'));
  expect(stderr.indexOf('applied 002_b')).toBeLessThan(stderr.indexOf('already a transaction'));
  expect(await ledgerVersions(db)).toEqual(['1', '2', '3']);

  const rolled = await cli('rollback', '--target', '1');
  expect(rolled.code).toBe(0);
  expect(rolled.stderr).toContain('\n002_b.down.sql: NOTICE: undoing b\n');
});

test('--verbose adds DEBUG and LOG as debug lines; --quiet keeps the warnings only', async () => {
  dir = migrations(FILES);
  const verbose = await cli('apply', '--target', '2', '--verbose');
  expect(verbose.code).toBe(0);
  expect(verbose.stderr).toContain('\ndebug: 002_b.up.sql: DEBUG: deep down\n');
  expect(verbose.stderr).toContain('\ndebug: 002_b.up.sql: LOG: logged\n');
  await cli('rollback', '--target', '0');
  const quiet = await cli('apply', '--quiet');
  expect(quiet.code).toBe(0);
  expect(quiet.stderr).toContain('warning: 002_b.up.sql: WARNING: careful');
  expect(quiet.stderr).toContain('warning: 003_c.up.sql:3: WARNING: there is already a transaction in progress');
  expect(quiet.stderr).not.toContain('NOTICE');
});

test('--log-format json: one line per notice, with the level, migration, file, line, severity and SQLSTATE as fields', async () => {
  dir = migrations(FILES);
  const { code, stderr } = await cli('apply', '--log-format', 'json');
  expect(code).toBe(0);
  const lines = jsonLines(stderr);
  expect(lines.find((l) => String(l.msg).includes('hello 42'))).toMatchObject({
    level: 30,
    version: '2',
    name: 'b',
    direction: 'up',
    file: '002_b.up.sql',
    line: null,
    severity: 'NOTICE',
    sqlstate: '00000',
    hint: 'a hint',
    where: expect.stringContaining('at RAISE'),
  });
  expect(lines.find((l) => l.msg === '002_b.up.sql: WARNING: careful')).toMatchObject({
    level: 40,
    severity: 'WARNING',
    sqlstate: '01000',
    version: '2',
  });
  expect(lines.find((l) => String(l.msg).includes('already a transaction'))).toMatchObject({
    level: 40,
    version: '3',
    name: 'c',
    file: '003_c.up.sql',
    line: 3,
    severity: 'WARNING',
    sqlstate: '25001',
  });
  expect(lines.find((l) => String(l.msg).includes('from line 6'))).toMatchObject({
    level: 30,
    line: 6,
    file: '003_c.up.sql',
  });
  expect(lines.some((l) => String(l.msg).includes('deep down'))).toBe(false);
});
