/**
 * The imported pairs run: a golang-migrate folder (a wrapped BEGIN/COMMIT,
 * a CONCURRENTLY index, a missing down) and a Flyway one (dotted versions,
 * placeholders, an undo file) are imported, applied and rolled back where
 * they can be, on a real database.
 */
import path from 'node:path';
import { useTestDatabase } from '../helpers/db';
import { useMigrationsDir } from '../helpers/files';
import { runInProcess } from '../helpers/in-process';

const db = useTestDatabase();
const dirs = useMigrationsDir();

async function importFolder(tool: string, files: Record<string, string>, extra: string[] = []): Promise<string> {
  const out = path.join(dirs(), 'out');
  const result = await runInProcess(['import', '--from', tool, dirs(files), '--dir', out, ...extra]);
  expect(result.code).toBe(0);
  return out;
}

const columns = async (table: string) =>
  (
    await db.query<{ column_name: string }>(
      'SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position',
      [table],
    )
  ).map((r) => r.column_name);

it('golang-migrate: applies, and rolls back down to the irreversible one, which is refused', async () => {
  const out = await importFolder('golang-migrate', {
    '1_users.up.sql': 'BEGIN;\nCREATE TABLE users (id int PRIMARY KEY);\nCOMMIT;\n',
    '1_users.down.sql': 'DROP TABLE users;\n',
    '2_email.up.sql': 'ALTER TABLE users ADD COLUMN email text;\n',
    '3_index.up.sql': 'CREATE INDEX CONCURRENTLY users_email ON users (email);\n',
    '3_index.down.sql': 'DROP INDEX CONCURRENTLY users_email;\n',
  });
  expect((await runInProcess(['apply', '--dir', out, '--url', db.url])).code).toBe(0);
  expect(await columns('users')).toEqual(['id', 'email']);
  const status = await runInProcess(['status', '--dir', out, '--url', db.url, '--json']);
  expect(JSON.parse(status.stdout).migrations.map((m: { state: string }) => m.state)).toEqual([
    'applied',
    'applied',
    'applied',
  ]);
  expect((await runInProcess(['rollback', '--dir', out, '--url', db.url])).code).toBe(0);
  const refused = await runInProcess(['rollback', '--dir', out, '--url', db.url]);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/irreversible/);
});

it('flyway: dotted versions apply in Flyway’s order with placeholders replaced; the U file rolls back', async () => {
  const out = await importFolder(
    'flyway',
    {
      'V1__init.sql': 'CREATE TABLE ${table} (id int);\n',
      'V1.2__b.sql': 'ALTER TABLE ${table} ADD COLUMN b int;\n',
      'V1.10__c.sql': 'ALTER TABLE ${table} ADD COLUMN c int;\n',
      'U1.10__c.sql': 'ALTER TABLE ${table} DROP COLUMN c;\n',
      'V1.2.1__a.sql': 'ALTER TABLE ${table} ADD COLUMN a int;\n',
    },
    ['--placeholder', 'table=items'],
  );
  expect((await runInProcess(['apply', '--dir', out, '--url', db.url])).code).toBe(0);
  expect(await columns('items')).toEqual(['id', 'b', 'a', 'c']);
  expect((await runInProcess(['rollback', '--dir', out, '--url', db.url])).code).toBe(0);
  expect(await columns('items')).toEqual(['id', 'b', 'a']);
});
