/**
 * `tidemark test` as a child process: exit codes, the report on stdout, the
 * JSON document, and the throwaway database dropped in every ending —
 * success, a failing migration, SIGINT and SIGTERM in the middle of a script.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { BIN, ROOT, runCli } from '../helpers/cli';
import { ADMIN_URL } from '../helpers/db';
import { migrationsDir, removeDir } from '../helpers/files';

const FIXTURES = path.join(ROOT, '__tests__', 'fixtures', 'roundtrip');
const tidemark = (dir: string, ...args: string[]) =>
  runCli(['test', '--dir', dir, '--url', ADMIN_URL, ...args], { timeoutMs: 60_000 });

/** The throwaway database a run names on stderr ("created throwaway database tidemark_rt_…"). */
function throwawayOf(stderr: string): string {
  const match = /created throwaway database (tidemark_rt_[0-9a-f]{12})/.exec(stderr);
  if (!match) throw new Error(`no throwaway database in:\n${stderr}`);
  return match[1];
}

async function admin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const exists = (name: string) =>
  admin(async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1);

test('the example sql/ passes: exit 0, one line per migration, the database dropped', async () => {
  const { code, stdout, stderr } = await tidemark(path.join(ROOT, 'sql'), '--data');
  expect(code).toBe(0);
  expect(stdout).toMatch(/^ {2}ok {10}008_demo_data/m);
  expect(stdout).toMatch(/test: OK — 8 migrations round-trip tested \(\d+\.\d\ds\)\./);
  expect(stderr).toContain(`dropped throwaway database ${throwawayOf(stderr)}`);
  expect(await exists(throwawayOf(stderr))).toBe(false);
});

test('a down that forgets an index: exit 3, the index and the down script named', async () => {
  const { code, stdout, stderr } = await tidemark(path.join(FIXTURES, 'forgot-index'));
  expect(code).toBe(3);
  expect(stdout).toContain(
    'after 002_add_theme.down.sql: index user_preferences_user_id_idx on public.user_preferences still exists',
  );
  expect(stdout).toContain('test: FAILED — 1 of 3 migrations failed the round trip; 2 passed');
  expect(await exists(throwawayOf(stderr))).toBe(false);
});

test('--json prints the report as one document', async () => {
  const { code, stdout } = await tidemark(path.join(FIXTURES, 'forgot-trigger'), '--json', '--quiet');
  expect(code).toBe(3);
  const doc = JSON.parse(stdout);
  expect(doc).toMatchObject({
    ok: false,
    template: 'template0',
    data: false,
    summary: { total: 2, passed: 1, failed: 1, not_tested: 0, not_run: 0, applied_first: 0 },
  });
  expect(doc.database).toMatch(/^tidemark_rt_[0-9a-f]{12}$/);
  expect(doc.migrations[1]).toMatchObject({
    version: '2',
    name: 'touch_preferences',
    down: '002_touch_preferences.down.sql',
    status: 'failed',
    after_down: [
      {
        object_type: 'trigger',
        kind: 'added',
        message: 'after 002_touch_preferences.down.sql: trigger set_updated_at on public.user_preferences still exists',
      },
    ],
    failure: { phase: 'reapply', sqlstate: '42710' },
  });
});

test('a migration that fails on a fresh database: exit 3, file:line:col, the database dropped', async () => {
  const { code, stdout, stderr } = await tidemark(path.join(FIXTURES, 'failing-up'));
  expect(code).toBe(3);
  expect(stdout).toContain(
    '002_mass.up.sql:3:19: failed on a fresh database: SQLSTATE 42704: type "positive_mass" does not exist',
  );
  expect(stdout).toMatch(/not run {5}003_formula/);
  expect(await exists(throwawayOf(stderr))).toBe(false);
});

test('--from above --to is a usage error (exit 2) and creates nothing', async () => {
  const { code, stderr } = await tidemark(path.join(FIXTURES, 'clean'), '--from', '3', '--to', '2');
  expect(code).toBe(2);
  expect(stderr).toContain('--from 3 is above --to 2');
  expect(stderr).not.toContain('created throwaway database');
});

test('CREATE INDEX CONCURRENTLY without the directive: exit 2 naming the directive, before anything runs', async () => {
  const dir = migrationsDir({
    '001_t.up.sql': 'CREATE TABLE t (i int);\n',
    '001_t.down.sql': 'DROP TABLE t;\n',
    '002_t_i.up.sql': 'CREATE INDEX CONCURRENTLY t_i_idx ON t (i);\n',
    '002_t_i.down.sql': 'DROP INDEX t_i_idx;\n',
  });
  try {
    const { code, stdout, stderr } = await tidemark(dir);
    expect(code).toBe(2);
    expect(stderr).toContain('002_t_i.up.sql:1:1: CREATE INDEX CONCURRENTLY');
    expect(stderr).toContain('-- tidemark:no-transaction');
    expect(stderr).not.toContain('created throwaway database'); // nothing ran: not even the database was made
    expect(stdout).toBe('');
  } finally {
    removeDir(dir);
  }
});

describe('a down script that re-adds a dropped column can only put it at the end', () => {
  const dir = path.join(FIXTURES, 'column-order');

  test('a column order alone is a warning, with both lists: exit 0', async () => {
    const { code, stdout, stderr } = await tidemark(dir);
    expect(code).toBe(0);
    expect(stdout).toContain(['  ok          002_drop_legacy_reference'].join('\n'));
    expect(stdout).toContain(
      [
        '      warning: after 002_drop_legacy_reference.down.sql: table public.orders: column order changed (a down script can only add a column back at the end; not a failure without --strict)',
        '        expected: id, legacy_reference, customer_id, shipping_address_line_one, shipping_address_line_two, created_at',
        '        found:    id, customer_id, shipping_address_line_one, shipping_address_line_two, created_at, legacy_reference',
      ].join('\n'),
    );
    expect(stdout).toMatch(/test: OK — 2 migrations round-trip tested, 1 with a column-order warning \(\d+\.\d\ds\)\./);
    expect(stderr).toContain('warning: 002_drop_legacy_reference: round trip ok, with a warning (column order)');
  });

  test('--strict fails on it: exit 3; --json marks the difference an error then, a warning otherwise', async () => {
    const strict = await tidemark(dir, '--strict');
    expect(strict.code).toBe(3);
    expect(strict.stdout).toContain('FAILED      002_drop_legacy_reference');
    expect(strict.stdout).toContain('test: FAILED — 1 of 2 migrations failed the round trip; 1 passed');
    const json = await tidemark(dir, '--json', '--quiet');
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(doc).toMatchObject({ ok: true, strict: false, summary: { passed: 2, warnings: 1, failed: 0 } });
    expect(doc.migrations[1]).toMatchObject({
      status: 'passed',
      after_down: [
        {
          severity: 'warning',
          object_type: 'table',
          kind: 'changed',
          property: 'column order',
          expected:
            'id, legacy_reference, customer_id, shipping_address_line_one, shipping_address_line_two, created_at',
        },
      ],
    });
    const strictJson = JSON.parse((await tidemark(dir, '--json', '--quiet', '--strict')).stdout);
    expect(strictJson).toMatchObject({
      ok: false,
      strict: true,
      migrations: [{}, { status: 'failed', after_down: [{ severity: 'error' }] }],
    });
  });
});

test('the human report shows a changed body as a diff, and names what the down script created', async () => {
  const { code, stdout } = await tidemark(path.join(FIXTURES, 'down-leftovers'));
  expect(code).toBe(3);
  expect(stdout).toContain(
    [
      '      after 002_last_name_first.down.sql: table public.full_name_backup was created by the down script',
      '      after 002_last_name_first.down.sql: function public.full_name(text, text): body changed',
      '        --- expected (before 002_last_name_first.up.sql)',
      '        +++ found (after 002_last_name_first.down.sql)',
      '        @@ -1,4 +1,4 @@',
      '         ',
      '         BEGIN',
      "        -  RETURN first || ' ' || last;",
      "        +  RETURN first || '  ' || last;",
      '         END',
      '      after applying 002_last_name_first.up.sql again: table public.full_name_backup, created by the down script, still exists',
    ].join('\n'),
  );
});

describe.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)('%s in the middle of a migration', (signal, exitCode) => {
  test(`drops the throwaway database, then exits ${exitCode}`, async () => {
    const child = spawn(process.execPath, [BIN, 'test', '--dir', path.join(FIXTURES, 'slow'), '--url', ADMIN_URL], {
      env: { PATH: process.env.PATH ?? '' },
      cwd: ROOT,
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const name = await waitForSleep(() => stderr);
    child.kill(signal);
    expect(await exited).toBe(exitCode);
    expect(stderr).toContain(`Interrupted by ${signal}. The throwaway database ${name} was dropped.`);
    expect(await exists(name)).toBe(false);
  });
});

/** Waits until the run's throwaway database is inside the slow migration's pg_sleep. */
async function waitForSleep(stderr: () => string): Promise<string> {
  return admin(async (c) => {
    for (let i = 0; i < 300; i++) {
      const name = /created throwaway database (tidemark_rt_[0-9a-f]{12})/.exec(stderr())?.[1];
      if (name) {
        const { rowCount } = await c.query(
          "SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND query LIKE '%pg_sleep%'",
          [name],
        );
        if (rowCount) return name;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`the slow migration never started:\n${stderr()}`);
  });
}
