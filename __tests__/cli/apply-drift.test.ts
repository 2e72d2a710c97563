/**
 * apply's history check through the CLI: a cosmetic edit is a warning and the
 * run goes on; a real edit stops it before anything runs. And `status --diff`.
 */
import { runInProcess } from '../helpers/in-process';
import { useTestDatabase } from '../helpers/db';
import { useMigrationsDir, writeMigrations } from '../helpers/files';

const UP = "-- items\nCREATE TABLE items (\n  id int,\n  state text DEFAULT 'a'\n);\n";

const db = useTestDatabase();
const migrations = useMigrationsDir();
let dir: string;
beforeEach(async () => {
  dir = migrations({ '001_items.up.sql': UP, '001_items.down.sql': 'DROP TABLE items;\n' });
  expect((await runInProcess(['apply', '--dir', dir, '--url', db.url])).code).toBe(0);
  writeMigrations(dir, {
    '002_next.up.sql': 'CREATE TABLE next (id int);\n',
    '002_next.down.sql': 'DROP TABLE next;\n',
  });
});

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const ledger = () =>
  db.query<{ version: string; up_checksum: string }>(
    'SELECT version, up_checksum FROM tidemark_migrations ORDER BY version',
  );
const tableExists = async (name: string) =>
  (await db.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [name]))[0].t !== null;

it('applies the rest after a comment-only edit, logging a warning and leaving the stored checksum alone', async () => {
  const before = await ledger();
  writeMigrations(dir, { '001_items.up.sql': UP.replace('-- items', '-- items: one row per thing') });
  const { code, stderr } = await runInProcess(['apply', '--dir', dir, '--url', db.url, '--log-format', 'json']);
  expect(code).toBe(0);
  expect(jsonLines(stderr)).toContainEqual(expect.objectContaining({ level: 40, version: '1', kind: 'cosmetic' }));
  expect(await tableExists('next')).toBe(true);
  expect(await ledger()).toEqual([before[0], expect.objectContaining({ version: '2' })]);
});

it('stops with exit 3 before running anything when an applied migration was really edited', async () => {
  writeMigrations(dir, { '001_items.up.sql': UP.replace("DEFAULT 'a'", "DEFAULT 'b'") });
  const { code, stderr } = await runInProcess(['apply', '--dir', dir, '--url', db.url, '--log-format', 'json']);
  expect(code).toBe(3);
  const error = jsonLines(stderr).find((l) => l.code === 'drift');
  expect(error).toMatchObject({
    exit_code: 3,
    discrepancies: [expect.objectContaining({ kind: 'edited', version: '1' })],
  });
  expect(await tableExists('next')).toBe(false);
  expect((await ledger()).map((r) => r.version)).toEqual(['1']);
});

it('status --diff shows the unified diff of an edited migration under the table', async () => {
  writeMigrations(dir, { '001_items.up.sql': UP.replace("DEFAULT 'a'", "DEFAULT 'b'") });
  const { code, stdout } = await runInProcess(['status', '--dir', dir, '--url', db.url, '--diff']);
  expect(code).toBe(0);
  const lines = stdout.split('\n');
  expect(lines).toEqual(
    expect.arrayContaining([
      '--- 001_items.up.sql (applied)',
      '+++ 001_items.up.sql (on disk)',
      "-  state text DEFAULT 'a'",
      "+  state text DEFAULT 'b'",
    ]),
  );
  expect(lines.findIndex((l) => /^1\s+items\s+modified\s/.test(l))).toBeLessThan(
    lines.indexOf('--- 001_items.up.sql (applied)'),
  );
  const json = await runInProcess(['status', '--dir', dir, '--url', db.url, '--json']);
  expect(JSON.parse(json.stdout).migrations.map((m: { state: string }) => m.state)).toEqual(['modified', 'pending']);
});

it('status --diff says so when nothing was edited, and without --diff prints no diff', async () => {
  const withDiff = await runInProcess(['status', '--dir', dir, '--url', db.url, '--diff']);
  expect(withDiff.code).toBe(0);
  expect(withDiff.stdout.trimEnd().split('\n').pop()).toBe('No edited migrations.');
  writeMigrations(dir, { '001_items.up.sql': UP.replace("DEFAULT 'a'", "DEFAULT 'b'") });
  const plain = await runInProcess(['status', '--dir', dir, '--url', db.url]);
  expect(plain.stdout).not.toContain('+++ ');
});
