/**
 * Reaching the server: exit 5 when it cannot be reached, never a password in
 * the output, --wait retries, and the ways to name the database
 * (--url > DATABASE_URL > PG* variables).
 */
import { runInProcess } from '../helpers/in-process';
import { ADMIN_PORT, useTestDatabase } from '../helpers/db';
import { fixture } from '../helpers/fixtures';
import { ledgerVersions } from '../helpers/inspect';

const SECRET = 's3cretPW';
const dir = fixture('basic');

function expectNoSecret(run: { stdout: string; stderr: string }): void {
  expect(run.stdout).not.toContain(SECRET);
  expect(run.stderr).not.toContain(SECRET);
}

describe('an unreachable server', () => {
  test.each([
    ['a password in --url', ['apply', '--url', `postgres://postgres:${SECRET}@127.0.0.1:1/x`], {}],
    [
      'a password in --url, status, json logs',
      ['status', '--log-format', 'json', '--url', `postgres://postgres:${SECRET}@127.0.0.1:1/x`],
      {},
    ],
    [
      'a password in --url, verbose',
      ['rollback', '--verbose', '--url', `postgres://postgres:${SECRET}@127.0.0.1:1/x`],
      {},
    ],
    ['a password in DATABASE_URL', ['apply'], { DATABASE_URL: `postgres://postgres:${SECRET}@127.0.0.1:1/x` }],
    [
      'PGPASSWORD with PGHOST/PGPORT',
      ['apply'],
      { PGPASSWORD: SECRET, PGHOST: '127.0.0.1', PGPORT: '1', PGUSER: 'postgres', PGDATABASE: 'x' },
    ],
    [
      'PGPASSWORD with a --url on a bad port',
      ['apply', '--url', 'postgres://postgres@127.0.0.1:1/x'],
      { PGPASSWORD: SECRET },
    ],
  ])('%s: exits 5 and the password appears nowhere', async (_label, args, env) => {
    const run = await runInProcess([...args, '--dir', dir], { env });
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(/127\.0\.0\.1/);
    expect(run.stderr).toMatch(/refused/);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expectNoSecret(run);
  });

  test('--wait retries for that long, then exits 5 without the password', async () => {
    const started = Date.now();
    const run = await runInProcess([
      'apply',
      '--dir',
      dir,
      '--wait',
      '1',
      '--url',
      `postgres://postgres:${SECRET}@127.0.0.1:1/x`,
    ]);
    const elapsed = Date.now() - started;
    expect(run.code).toBe(5);
    expect(elapsed).toBeGreaterThanOrEqual(1_000);
    expect(elapsed).toBeLessThan(10_000);
    expect(run.stderr).toMatch(/retrying/);
    expectNoSecret(run);
  });

  test('a database that does not exist on a live server exits 5 without the password', async () => {
    const run = await runInProcess([
      'apply',
      '--dir',
      dir,
      '--url',
      `postgres://postgres:${SECRET}@127.0.0.1:${ADMIN_PORT}/tidemark_no_such_db`,
    ]);
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('tidemark_no_such_db');
    expectNoSecret(run);
  });
});

describe('a password in a usage error', () => {
  test.each([
    ['a URL passed as an argument instead of --url', ['apply', `postgres://postgres:${SECRET}@127.0.0.1:1/x`]],
    ['a URL after a misspelt flag', ['apply', '--urll', `postgres://postgres:${SECRET}@127.0.0.1:1/x`]],
    ['the same, with json logs', ['apply', '--log-format', 'json', `postgres://postgres:${SECRET}@127.0.0.1:1/x`]],
  ])('%s: exits 2 and the password appears nowhere', async (_label, args) => {
    const run = await runInProcess([...args, '--dir', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Unknown argument/);
    expectNoSecret(run);
  });
});

describe('naming the database', () => {
  const db = useTestDatabase();

  test('DATABASE_URL is used when there is no --url', async () => {
    const run = await runInProcess(['apply', '--dir', dir, '--target', '1'], { env: { DATABASE_URL: db.url } });
    expect(run.code).toBe(0);
    expect(await ledgerVersions(db)).toEqual(['1']);
  });

  test('the libpq PG* variables are used when there is neither', async () => {
    const url = new URL(db.url);
    const env = { PGHOST: url.hostname, PGPORT: url.port || '5432', PGUSER: 'postgres', PGDATABASE: db.name };
    const run = await runInProcess(['apply', '--dir', dir, '--target', '2'], { env });
    expect(run.code).toBe(0);
    expect(await ledgerVersions(db)).toEqual(['1', '2']);
    const status = await runInProcess(['status', '--dir', dir], { env });
    expect(status.stdout).toMatch(/2 applied, 1 pending/);
  });

  test('--url beats DATABASE_URL', async () => {
    const run = await runInProcess(['apply', '--dir', dir, '--url', db.url], {
      env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x' },
    });
    expect(run.code).toBe(0);
    expect(await ledgerVersions(db)).toEqual(['1', '2', '3']);
  });
});
