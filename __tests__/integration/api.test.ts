import { apply, rollback, status, create, MigrationFailedError } from '../../lib/index';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { migrationsDir, removeDir } from '../helpers/files';
import { readdirSync } from 'node:fs';

let db: TestDatabase;
let dir: string;
beforeEach(async () => {
  db = await createTestDatabase();
  dir = migrationsDir({ '1_a.up.sql': 'CREATE TABLE a (id int);', '1_a.down.sql': 'DROP TABLE a;' });
});
afterEach(async () => {
  await db.drop();
  removeDir(dir);
});

test('the library API applies, reports and rolls back like the CLI', async () => {
  expect((await status({ url: db.url, dir })).counts).toMatchObject({ pending: 1, applied: 0 });
  const applied = await apply({ url: db.url, dir, environment: 'test' });
  expect(applied.completed).toHaveLength(1);
  const report = await status({ url: db.url, dir });
  expect(report.entries).toEqual([expect.objectContaining({ version: 1n, name: 'a', state: 'applied' })]);
  await rollback({ url: db.url, dir, target: 0 });
  expect((await status({ url: db.url, dir })).counts.pending).toBe(1);
});

test('create numbers the next pair and errors are typed', async () => {
  const created = create('add_b', { dir });
  expect(created.version).toBe(2n);
  expect(readdirSync(dir).sort()).toEqual(['1_a.down.sql', '1_a.up.sql', '2_add_b.down.sql', '2_add_b.up.sql']);
  removeDir(dir);
  dir = migrationsDir({ '1_a.up.sql': 'CREATE TABLE a (id nosuchtype);', '1_a.down.sql': 'DROP TABLE a;' });
  await expect(apply({ url: db.url, dir })).rejects.toBeInstanceOf(MigrationFailedError);
});
