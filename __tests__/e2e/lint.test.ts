/**
 * `tidemark lint` as a process, from the bundle: libpg-query is loaded from
 * node_modules (external to esbuild, its .wasm beside it), and the exit codes
 * a CI job sees: 0 clean, 6 unsafe, 2 usage, 5 unreachable.
 */
import { runCli } from '../helpers/cli';
import { useMigrationsDir } from '../helpers/files';

const SAFE = {
  '001_orders.up.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);\n',
  '001_orders.down.sql': 'DROP TABLE orders;\n',
};
const UNSAFE = {
  '002_index.up.sql': 'CREATE INDEX orders_customer ON orders (customer_id);\n',
  '002_index.down.sql': 'DROP INDEX orders_customer;\n',
};

const migrations = useMigrationsDir();

test('exit 0 when clean', async () => {
  const run = await runCli(['lint', '--lock-timeout', '5s', '--dir', migrations(SAFE)]);
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  expect(run.stdout).toMatch(/^lint: clean/);
});

test('exit 6 for an unsafe migration, with the annotation GitHub reads', async () => {
  const run = await runCli(['lint', '--lock-timeout', '5s', '--dir', migrations(UNSAFE), '--format', 'github']);
  expect(run.code).toBe(6);
  expect(run.stdout).toMatch(
    /^::error file=.*002_index\.up\.sql,line=1,col=\d+,title=tidemark lint%3A require-concurrent-index::/m,
  );
});

test('exit 6 for a script that does not parse', async () => {
  const dir = migrations({ '001_x.up.sql': 'CREAT TABLE x (id int);\n', '001_x.down.sql': 'DROP TABLE x;\n' });
  const run = await runCli(['lint', '--lock-timeout', '5s', '--dir', dir]);
  expect(run.code).toBe(6);
  expect(run.stdout).toContain('001_x.up.sql:1:1  error  syntax-error');
});

test('exit 2 for a named file that is not a migration, and for a bad flag', async () => {
  const dir = migrations(SAFE);
  const named = await runCli(['lint', '--lock-timeout', '5s', '--dir', dir, 'nope.sql']);
  expect(named.code).toBe(2);
  expect(named.stderr).toContain('nope.sql does not exist');
  expect((await runCli(['lint', '--lock-timeout', '5s', '--dir', dir, '--format', 'xml'])).code).toBe(2);
});

test('exit 5 when the configured database is unreachable (--offline lints without it)', async () => {
  const dir = migrations(SAFE);
  const url = 'postgres://postgres@127.0.0.1:1/postgres';
  expect((await runCli(['lint', '--lock-timeout', '5s', '--dir', dir, '--url', url])).code).toBe(5);
  expect((await runCli(['lint', '--lock-timeout', '5s', '--dir', dir, '--url', url, '--offline'])).code).toBe(0);
});
