/**
 * The library's options are checked before it connects: a bad version, a
 * target not on disk or flags that contradict each other are a typed
 * ConfigError (exit code 2), never a SyntaxError and never exit 5, even
 * against a server nobody listens on.
 */
import { apply, ConfigError, rollback } from '../../lib/index';
import { migrationsDir, removeDir } from '../helpers/files';

const url = 'postgres://postgres@127.0.0.1:1/nowhere';
let dir: string;
beforeAll(() => {
  dir = migrationsDir({ '1_a.up.sql': 'CREATE TABLE a (id int);', '1_a.down.sql': 'DROP TABLE a;' });
});
afterAll(() => removeDir(dir));

const refusals: [string, () => Promise<unknown>, string][] = [
  ['apply, a target that is not a number', () => apply({ url, dir, target: 'abc' }), 'target must be a version number'],
  ['apply, a target not on disk', () => apply({ url, dir, target: 9 }), '--target 9 is not a migration'],
  ['apply, sql without dryRun', () => apply({ url, dir, sql: true }), '--sql prints what a dry run would send'],
  ['rollback, a target that is not a number', () => rollback({ url, dir, target: '1.5' }), '(got "1.5")'],
  ['rollback, target and steps', () => rollback({ url, dir, target: 0, steps: 1 }), 'either --target or --steps'],
  ['rollback, steps 0', () => rollback({ url, dir, steps: 0 }), '--steps must be a whole number'],
];

test.each(refusals)('%s: a ConfigError before connecting', async (_, call, message) => {
  const err = await call().then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  expect(err).toMatchObject({ code: 'config', exitCode: 2 });
  expect((err as Error).message).toContain(message);
});
