import { apply, rollback, status, create, ConfigError, MigrationFailedError } from '../../lib/index';
import { useTestDatabase } from '../helpers/db';
import { removeDir, useMigrationsDir } from '../helpers/files';
import { readdirSync } from 'node:fs';

const db = useTestDatabase();
const migrations = useMigrationsDir();
let dir: string;
beforeEach(async () => {
  dir = migrations({ '1_a.up.sql': 'CREATE TABLE a (id int);', '1_a.down.sql': 'DROP TABLE a;' });
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
  dir = migrations({ '1_a.up.sql': 'CREATE TABLE a (id nosuchtype);', '1_a.down.sql': 'DROP TABLE a;' });
  await expect(apply({ url: db.url, dir })).rejects.toBeInstanceOf(MigrationFailedError);
});

test.each([
  ['abc', 'target must be a version number such as 3 or 20261124093000 (got "abc")'],
  [1.5, 'target must be a version number such as 3 or 20261124093000 (got 1.5)'],
  [-1, 'target must be a version number such as 3 or 20261124093000 (got -1)'],
  ['99999999999999999999', 'target 99999999999999999999 does not fit in a signed 64-bit integer'],
  [2 ** 60, 'give it as a string or a bigint'],
])(
  'a bad target (%p) is a typed ConfigError (exit code 2), as --target is in the CLI; nothing is run',
  async (target, message) => {
    for (const call of [() => apply({ url: db.url, dir, target }), () => rollback({ url: db.url, dir, target })]) {
      const err = await call().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ConfigError);
      expect(err).toMatchObject({ code: 'config', exitCode: 2 });
      expect((err as Error).message).toContain(message);
    }
    expect((await status({ url: db.url, dir })).ledgerExists).toBe(false);
  },
);

test('a target as a bigint, a number or a string of digits is the same version', async () => {
  for (const target of [1n, 1, '001'])
    expect((await apply({ url: db.url, dir, target, dryRun: true })).plan.steps).toHaveLength(1);
});

test('apply and rollback with dryRun and sql return the SQL a run would send, and change nothing', async () => {
  const up = await apply({ url: db.url, dir, dryRun: true, sql: true });
  expect(up.sql).toContain('BEGIN;\nSELECT ');
  expect(up.sql).toContain('CREATE TABLE a (id int);');
  expect((await status({ url: db.url, dir })).ledgerExists).toBe(false);
  await apply({ url: db.url, dir });
  expect((await rollback({ url: db.url, dir, dryRun: true, sql: true })).sql).toContain('DROP TABLE a;');
  expect((await apply({ url: db.url, dir, dryRun: true })).sql).toBeUndefined();
});
