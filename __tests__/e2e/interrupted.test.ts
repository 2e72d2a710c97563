/**
 * A migration cut short: the process killed, the connection dropped, a
 * statement or lock timeout. No partial migration and no ledger row remain,
 * and the next run simply applies it again.
 */
import type { Client } from 'pg';
import { startCli, runCli } from '../helpers/cli';
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

  // The orphaned server session still holds the lock until its sleep ends; the next run waits for it.
  const next = await runCli(args());
  expect(next.code).toBe(0);
  expect(next.stdout).toMatch(/Applied 2 migrations/); // 002 and 003: 002 had left nothing behind
  expect(await ledgerVersions(db)).toEqual(['1', '2', '3']);
  expect(await db.query('SELECT id FROM slow_table')).toEqual([{ id: 1 }]); // 002 ran once, to the end
});

test('a dropped connection fails the run, leaves no row for the migration, and the next run applies it', async () => {
  const run = startCli(args('--env', 'slow'));
  await untilSleeping();
  await db.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'tidemark'");
  const dropped = await run.done;
  expect([1, 5]).toContain(dropped.code);
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
