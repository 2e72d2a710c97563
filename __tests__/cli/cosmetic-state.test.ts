/**
 * Cosmetic or modified, as PostgreSQL would read the edited file, and one
 * word for each in every output: `status` (table, summary, --json) and
 * `verify` (human, --json, GitHub).
 */
import { runInProcess } from '../helpers/in-process';
import { useTestDatabase } from '../helpers/db';
import { useMigrationsDir, writeMigrations } from '../helpers/files';

const FILES = {
  '001_literal.up.sql': "CREATE TABLE literal (v text DEFAULT 'a'\n'b');\n",
  '001_literal.down.sql': 'DROP TABLE literal;\n',
  '002_national.up.sql': "CREATE TABLE national (v text DEFAULT N'x');\n",
  '002_national.down.sql': 'DROP TABLE national;\n',
  '003_paged.up.sql': 'CREATE VIEW paged AS SELECT 1 AS n LIMIT 10 OFFSET 5;\n',
  '003_paged.down.sql': 'DROP VIEW paged;\n',
  '004_commented.up.sql': 'CREATE TABLE commented (id int);\n',
  '004_commented.down.sql': 'DROP TABLE commented;\n',
};

const db = useTestDatabase();
const migrations = useMigrationsDir();
let dir: string;
beforeEach(async () => {
  dir = migrations(FILES);
  expect((await runInProcess(['apply', '--dir', dir, '--url', db.url])).code).toBe(0);
});

const run = (...args: string[]) => runInProcess([...args, '--dir', dir, '--url', db.url]);

test('whitespace PostgreSQL reads is no cosmetic edit: verify exits 3 naming each as modified', async () => {
  writeMigrations(dir, {
    '001_literal.up.sql': "CREATE TABLE literal (v text DEFAULT 'a' 'b');\n", // now a syntax error
    '002_national.up.sql': "CREATE TABLE national (v text DEFAULT N 'x');\n",
    '003_paged.up.sql': 'CREATE VIEW paged AS SELECT 1 AS n LIMIT 10OFFSET 5;\n',
  });
  const human = await run('verify');
  expect(human.code).toBe(3);
  expect(human.stdout).toContain('modified — changed after they were applied (3):');
  expect(human.stdout).not.toContain('cosmetic');
  const doc = JSON.parse((await run('verify', '--json')).stdout);
  expect(doc.discrepancies.map((d: { kind: string; version: string }) => [d.kind, d.version])).toEqual([
    ['edited', '1'],
    ['edited', '2'],
    ['edited', '3'],
  ]);
  const status = await run('status');
  expect(status.code).toBe(0);
  expect(status.stdout).toMatch(/^1\s+literal\s+modified\s/m);
  expect(status.stdout).toContain('4 migrations: 1 applied, 0 pending, 3 modified, 0 missing, 0 failed.');
});

test('a comment-only edit is cosmetic in status (table, summary, --json) and in verify (human and GitHub)', async () => {
  writeMigrations(dir, {
    '001_literal.up.sql': "CREATE TABLE literal (v text DEFAULT 'a' -- first half\n    'b');\n",
    '004_commented.up.sql': '-- one row per comment\nCREATE TABLE commented (id int);\n',
  });
  const status = await run('status');
  expect(status.code).toBe(0);
  expect(status.stdout).toMatch(/^1\s+literal\s+cosmetic\s/m);
  expect(status.stdout).toMatch(/^4\s+commented\s+cosmetic\s/m);
  expect(status.stdout).toContain('4 migrations: 2 applied, 0 pending, 0 modified, 2 cosmetic, 0 missing, 0 failed.');
  const json = JSON.parse((await run('status', '--json')).stdout);
  expect(json.migrations.map((m: { state: string }) => m.state)).toEqual([
    'cosmetic',
    'applied',
    'applied',
    'cosmetic',
  ]);
  expect(json.summary).toMatchObject({ total: 4, applied: 2, modified: 0, cosmetic: 2 });
  const human = await run('verify');
  expect(human.code).toBe(0);
  expect(human.stdout).toContain('cosmetic — only comments or whitespace changed (warning) (2):');
  expect(human.stdout).not.toMatch(/modified|Edited|Comment or whitespace changes only/);
  const github = await run('verify', '--format', 'github');
  expect(github.stdout).toContain('title=tidemark%3A cosmetic migration::');
});
