/**
 * Pre-deploy operations: cancellation by the orchestrator (SIGTERM / SIGINT)
 * and lock_timeout retries. Uses the `interrupted` fixture: 002 sleeps 2 s
 * when the environment is `slow`; 003 alters table alpha.
 */
import type { Client } from 'pg';
import { jsonLines, runCli, startCli } from '../helpers/cli';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { fixture } from '../helpers/fixtures';
import { existing, ledgerVersions } from '../helpers/inspect';

const dir = fixture('interrupted');
let db: TestDatabase;
let other: Client | null = null;
beforeEach(async () => {
  db = await createTestDatabase();
});
afterEach(async () => {
  await other?.end();
  other = null;
  await db.drop();
});

const args = (...extra: string[]) => ['apply', '--dir', dir, '--url', db.url, ...extra];

async function untilSleeping(): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const rows = await db.query("SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'tidemark' AND query LIKE '%pg_sleep%' AND state = 'active'");
    if (rows.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('tidemark never started 002_slow');
}

const advisoryLocks = async () => (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"))[0].n;

test.each([
  ['SIGTERM', 143],
  ['SIGINT', 130],
] as const)('%s during a migration cancels it on the server, rolls it back, releases the lock and exits %i', async (signal, exitCode) => {
  const run = startCli(args('--env', 'slow'));
  await untilSleeping();
  const sent = Date.now();
  run.child.kill(signal);
  const { code, stderr } = await run.done;
  expect(code).toBe(exitCode);
  expect(Date.now() - sent).toBeLessThan(1_500); // the 2 s sleep was cancelled, not sat out
  expect(stderr).toContain(`Interrupted by ${signal}`);
  expect(stderr).toContain('This run completed 001_create_alpha before it');
  expect(stderr).toContain('002_slow was cancelled and rolled back');
  expect(await ledgerVersions(db)).toEqual(['1']);
  expect(await existing(db, ['alpha', 'slow_table'])).toEqual(['alpha']); // nothing partial
  expect(await advisoryLocks()).toBe(0);
  const next = await runCli(args());
  expect(next.code).toBe(0);
  expect(await ledgerVersions(db)).toEqual(['1', '2', '3']);
});

test('with --log-format json the interruption is one JSON line with its exit code', async () => {
  const run = startCli(args('--env', 'slow', '--log-format', 'json'));
  await untilSleeping();
  run.child.kill('SIGTERM');
  const { code, stderr } = await run.done;
  expect(code).toBe(143);
  const lines = jsonLines(stderr);
  expect(lines.find((l) => l.code === 'interrupted')).toMatchObject({ level: 50, exit_code: 143 });
  expect(lines.find((l) => l.signal === 'SIGTERM')).toMatchObject({ level: 40 });
});

describe('lock_timeout retries', () => {
  async function holdAlpha(): Promise<Client> {
    expect((await runCli(args('--target', '2'))).code).toBe(0);
    other = await db.connect();
    await other.query('BEGIN');
    await other.query('LOCK TABLE alpha IN ACCESS EXCLUSIVE MODE');
    return other;
  }

  test('a migration that hits lock_timeout is retried, each attempt logged, and succeeds once the lock is released', async () => {
    const holder = await holdAlpha();
    const run = startCli(args('--lock-timeout', '100ms', '--retries', '5', '--log-format', 'json'));
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    await holder.query('ROLLBACK');
    const { code, stderr } = await run.done;
    expect(code).toBe(0);
    const retries = jsonLines(stderr).filter((l) => l.outcome === 'retry');
    expect(retries.length).toBeGreaterThanOrEqual(1);
    expect(retries[0]).toMatchObject({ level: 40, version: '3', name: 'alter_alpha', sqlstate: '55P03', attempt: 1 });
    expect(typeof retries[0].delay_ms).toBe('number');
    expect(await ledgerVersions(db)).toEqual(['1', '2', '3']);
  });

  test('when the retries run out it fails with 55P03 and keeps what was applied', async () => {
    await holdAlpha();
    const { code, stderr } = await runCli(args('--lock-timeout', '50ms', '--retries', '1'));
    expect(code).toBe(1);
    expect(stderr).toContain('retry 1 of 1');
    expect(stderr).toContain('55P03');
    expect(await ledgerVersions(db)).toEqual(['1', '2']);
  });

  test('other errors are never retried', async () => {
    const { code, stderr } = await runCli(['apply', '--dir', fixture('failing-second'), '--url', db.url, '--retries', '3']);
    expect(code).toBe(1);
    expect(stderr).not.toContain('retry');
  });

  test('a script can set its own lock timeout with a header directive', async () => {
    const holder = await holdAlpha();
    void holder;
    const started = Date.now();
    const { code, stderr } = await runCli(['apply', '--dir', fixture('lock-timeout-directive'), '--url', db.url, '--lock-timeout', '30s']);
    expect(code).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000); // the file's 200ms beat the flag's 30s
    expect(stderr).toContain('55P03');
  });
});
