/**
 * A migration cut short: the process killed or signalled, the connection
 * dropped, a statement or lock timeout, and lock_timeout retries. No partial
 * migration and no ledger row remain, and the next run simply applies it again.
 */
import type { Client } from 'pg';
import { jsonLines, runCli, startCli } from '../helpers/cli';
import { useTestDatabase } from '../helpers/db';
import { fixture } from '../helpers/fixtures';
import { existing, ledgerVersions } from '../helpers/inspect';

const dir = fixture('interrupted');
const db = useTestDatabase();
let other: Client | null = null;
afterEach(async () => {
  await other?.end();
  other = null;
});

const args = (...extra: string[]) => ['apply', '--dir', dir, '--url', db.url, ...extra];

/** Resolves once tidemark's session in this database is running 002's pg_sleep. */
async function untilSleeping(): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const rows = await db.query(
      "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'tidemark' AND state = 'active' AND query LIKE '%pg_sleep%'",
    );
    if (rows.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('tidemark never started 002_slow');
}

test('a killed process leaves no trace of the running migration; the next run applies it', async () => {
  const run = startCli(args('--env', 'slow'));
  await untilSleeping();
  run.child.kill('SIGKILL');
  const killed = await run.done;
  expect(killed.code).toBeNull(); // it died by the signal

  // The orphaned server session holds the lock until the server sees tidemark gone (client_connection_check_interval,
  // about a second) and rolls 002 back; the next run waits for the lock if it must.
  const next = await runCli(args());
  expect(next.code).toBe(0);
  expect(next.stdout).toMatch(/Applied 2 migrations/); // 002 and 003: 002 had left nothing behind
  expect(await ledgerVersions(db)).toEqual(['1', '2', '3']);
  expect(await db.query('SELECT id FROM slow_table')).toEqual([{ id: 1 }]); // 002 ran once, to the end
});

test('a dropped connection fails the run, leaves no row for the migration, and the next run applies it', async () => {
  const run = startCli(args('--env', 'slow'));
  await untilSleeping();
  await db.query(
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'tidemark'",
  );
  const dropped = await run.done;
  expect(dropped.code).toBe(5); // the connection was lost: exit 5, never 1 (no migration failed)
  expect(dropped.stderr).toContain('002_slow.up.sql');
  expect(await ledgerVersions(db)).toEqual(['1']);
  expect(await existing(db, ['alpha', 'slow_table'])).toEqual(['alpha']);

  expect((await runCli(args())).code).toBe(0);
  expect(await ledgerVersions(db)).toEqual(['1', '2', '3']);
});

test('--statement-timeout stops a slow migration: exit 1, SQLSTATE 57014, rolled back', async () => {
  const started = Date.now();
  const { code, stderr } = await runCli(args('--env', 'slow', '--statement-timeout', '200ms'));
  expect(code).toBe(1);
  expect(Date.now() - started).toBeLessThan(1_900); // it did not sit out the 2 s sleep
  expect(stderr).toContain('002_slow.up.sql');
  expect(stderr).toContain('57014');
  expect(await ledgerVersions(db)).toEqual(['1']);
  expect(await existing(db, ['slow_table'])).toEqual([]);
});

test('--lock-timeout gives up on a table another session holds: exit 1, SQLSTATE 55P03, earlier ones kept', async () => {
  expect((await runCli(args('--target', '1'))).code).toBe(0);
  other = await db.connect();
  await other.query('BEGIN');
  await other.query('LOCK TABLE alpha IN ACCESS SHARE MODE');
  const started = Date.now();
  const { code, stderr } = await runCli(args('--lock-timeout', '300ms'));
  expect(code).toBe(1);
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(stderr).toContain('003_alter_alpha.up.sql');
  expect(stderr).toContain('55P03');
  expect(await ledgerVersions(db)).toEqual(['1', '2']);
  await other.query('ROLLBACK');
  // The timeout was SET LOCAL: the ledger's own statements were not affected, and a free table applies.
  expect((await runCli(args('--lock-timeout', '300ms'))).code).toBe(0);
  expect(await ledgerVersions(db)).toEqual(['1', '2', '3']);
});

const advisoryLocks = async () =>
  (
    await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    )
  )[0].n;

test.each([
  ['SIGTERM', 143],
  ['SIGINT', 130],
] as const)(
  '%s during a migration cancels it on the server, rolls it back, releases the lock and exits %i',
  async (signal, exitCode) => {
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
  },
);

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
    const { code, stderr } = await runCli([
      'apply',
      '--dir',
      fixture('failing-second'),
      '--url',
      db.url,
      '--retries',
      '3',
    ]);
    expect(code).toBe(1);
    expect(stderr).not.toContain('retry');
  });

  test('a script can set its own lock timeout with a header directive', async () => {
    const holder = await holdAlpha();
    void holder;
    const started = Date.now();
    const { code, stderr } = await runCli([
      'apply',
      '--dir',
      fixture('lock-timeout-directive'),
      '--url',
      db.url,
      '--lock-timeout',
      '30s',
    ]);
    expect(code).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000); // the file's 200ms beat the flag's 30s
    expect(stderr).toContain('55P03');
  });
});
