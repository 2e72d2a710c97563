/**
 * A run whose terminal goes away, or whose process dies, must not leave the
 * server running its migration and holding its locks: SIGHUP and SIGQUIT
 * stop it as SIGTERM does (exit 129 / 131); a signal cancels any query, a
 * ledger read stuck behind a DBA's table lock too; and after `kill -9` the
 * server ends an orphaned transactional migration within about a second
 * (client_connection_check_interval), while a no-transaction statement is
 * left to finish (it is in doubt either way, and a concurrent index build
 * cut short would leave an INVALID index).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from 'pg';
import { BIN, runCli, startCli } from '../helpers/cli';
import { useTestDatabase } from '../helpers/db';
import { fixture } from '../helpers/fixtures';
import { migrationsDir, useMigrationsDir } from '../helpers/files';
import { existing, ledgerVersions } from '../helpers/inspect';

const db = useTestDatabase();
let other: Client | null = null;
const dirs = useMigrationsDir();
afterEach(async () => {
  await other?.end().catch(() => {});
  other = null;
});

const dirWith = (files: Record<string, string>) => {
  const dir = migrationsDir(files);
  dirs.track(dir);
  return dir;
};

/** Waits until tidemark's session in this database is active on a query matching `like` (and waiting on a lock, if asked). */
async function until(like: string, waitingOnLock = false): Promise<number> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const rows = await db.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'tidemark' AND state = 'active' AND query LIKE $1
          AND ($2::boolean IS FALSE OR wait_event_type = 'Lock')`,
      [like, waitingOnLock],
    );
    if (rows.length > 0) return rows[0].pid;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`tidemark never ran ${like}`);
}

/** Waits up to `ms` until server process `pid` is gone; false if it is still there. */
async function goneWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if ((await db.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).length === 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

const advisoryLocks = async () =>
  (
    await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    )
  )[0].n;

describe('SIGHUP and SIGQUIT stop a run as SIGTERM does', () => {
  const dir = fixture('interrupted');
  const args = (...extra: string[]) => ['apply', '--dir', dir, '--url', db.url, ...extra];

  test.each([
    ['SIGHUP', 129],
    ['SIGQUIT', 131],
  ] as const)(
    '%s during a migration cancels it on the server, rolls it back, releases the lock and exits %i',
    async (signal, exitCode) => {
      const run = startCli(args('--env', 'slow'));
      await until('%pg_sleep%');
      run.child.kill(signal);
      const { code, stderr } = await run.done;
      expect(code).toBe(exitCode);
      expect(stderr).toContain(`received ${signal}: stopping`);
      expect(stderr).toContain(`Interrupted by ${signal}`);
      expect(stderr).toContain('002_slow was cancelled and rolled back');
      expect(await ledgerVersions(db)).toEqual(['1']);
      expect(await existing(db, ['alpha', 'slow_table'])).toEqual(['alpha']);
      expect(await advisoryLocks()).toBe(0);
      expect((await runCli(args())).code).toBe(0);
      expect(await ledgerVersions(db)).toEqual(['1', '2', '3']);
    },
  );

  test('a hang-up sends SIGHUP more than once (kernel and shell): the second does not cut the clean-up short', async () => {
    const run = startCli(args('--env', 'slow'));
    await until('%pg_sleep%');
    run.child.kill('SIGHUP');
    run.child.kill('SIGHUP');
    const { code, stderr } = await run.done;
    expect(code).toBe(129);
    expect(stderr).not.toContain('exiting at once');
    expect(stderr).toContain('002_slow was cancelled and rolled back');
    expect(await existing(db, ['alpha', 'slow_table'])).toEqual(['alpha']);
    expect(await advisoryLocks()).toBe(0);
  });

  test('SIGHUP during a no-transaction statement cancels it; the summary says what took effect', async () => {
    const files = dirWith({
      '001_t.up.sql': 'CREATE TABLE t (i int);\n',
      '001_t.down.sql': 'DROP TABLE t;\n',
      '002_fill.up.sql':
        '-- tidemark:no-transaction\nINSERT INTO t VALUES (1);\nINSERT INTO t SELECT 2 FROM pg_sleep(30);\n',
      '002_fill.down.sql': '-- tidemark:no-transaction\nDELETE FROM t;\n',
    });
    const run = startCli(['apply', '--dir', files, '--url', db.url]);
    await until('%pg_sleep(30)%');
    run.child.kill('SIGHUP');
    const { code, stderr } = await run.done;
    expect(code).toBe(129);
    expect(stderr).toContain(
      'statement 1 of 2 took effect; statement 2 (line 3) was cancelled and did not take effect',
    );
    expect((await db.query('SELECT i FROM t')).map((r) => r.i)).toEqual([1]);
    expect(await advisoryLocks()).toBe(0);
  });
});

test('a real hang-up (the terminal goes away, as when ssh drops): the statement is cancelled, the run exits 129, not a crash', async () => {
  const files = dirWith({
    '001_fill.up.sql':
      '-- tidemark:no-transaction\nCREATE TABLE t (i int);\nINSERT INTO t SELECT 2 FROM pg_sleep(30);\n',
    '001_fill.down.sql': 'DROP TABLE t;\n',
  });
  const exitFile = path.join(files, 'exit');
  // In the terminal that `script` makes: a parent that, as a shell does, passes the hang-up on to tidemark and writes down how it ended.
  const parent = `const c = require('child_process').spawn(process.execPath, ${JSON.stringify([BIN, 'apply', '--dir', files, '--url', db.url])}, { stdio: 'inherit' });
process.on('SIGHUP', () => c.kill('SIGHUP'));
c.on('exit', (code, signal) => require('fs').writeFileSync(${JSON.stringify(exitFile)}, String(code ?? signal)));`;
  writeFileSync(path.join(files, 'parent.js'), parent);
  const terminal = spawn(
    'script',
    ['-qfec', `exec ${process.execPath} ${path.join(files, 'parent.js')}`, '/dev/null'],
    { stdio: 'ignore' },
  );
  const pid = await until('%pg_sleep(30)%');
  terminal.kill('SIGKILL'); // closes the terminal: the kernel hangs it up
  expect(await goneWithin(pid, 10_000)).toBe(true);
  const deadline = Date.now() + 10_000;
  while (!existsSync(exitFile) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(readFileSync(exitFile, 'utf8')).toBe('129'); // Node 20 would abort resetting the dead terminal (SIGABRT) without the workaround
  expect(await db.query('SELECT state, statements_done FROM tidemark_migrations')).toEqual([
    { state: 'failed', statements_done: 1 },
  ]);
  expect(await advisoryLocks()).toBe(0);
});

describe('a signal cancels any query, not only a migration step', () => {
  const files = {
    '001_a.up.sql': 'CREATE TABLE a (i int);\n',
    '001_a.down.sql': 'DROP TABLE a;\n',
    '002_b.up.sql': 'CREATE TABLE b (i int);\n',
    '002_b.down.sql': 'DROP TABLE b;\n',
  };

  /** Applies 001, then a DBA locks the ledger table in another session. */
  async function lockLedger(dir: string): Promise<void> {
    expect((await runCli(['apply', '--target', '1', '--dir', dir, '--url', db.url])).code).toBe(0);
    other = await db.connect();
    await other.query('BEGIN');
    await other.query('LOCK TABLE tidemark_migrations IN ACCESS EXCLUSIVE MODE');
  }

  test.each([
    ['apply', 'SIGTERM', 143, 'Stopped before any migration ran'],
    ['rollback', 'SIGINT', 130, 'Stopped before any migration ran'],
    ['status', 'SIGTERM', 143, 'Stopped while reading the ledger'],
  ] as const)(
    '%s waiting behind a LOCK TABLE on the ledger: %s cancels the wait and exits %i while the lock is still held',
    async (command, signal, exitCode, detail) => {
      const dir = dirWith(files);
      await lockLedger(dir);
      const run = startCli([command, '--dir', dir, '--url', db.url]);
      const pid = await until('%tidemark_migrations%', true);
      run.child.kill(signal);
      const { code, stderr } = await run.done;
      expect(code).toBe(exitCode);
      expect(stderr).toContain(`Interrupted by ${signal}. ${detail}`);
      expect(stderr).not.toContain('exiting at once');
      expect(await goneWithin(pid, 5_000)).toBe(true);
      await other!.query('ROLLBACK'); // only now is the table free
      expect(await ledgerVersions(db)).toEqual(['1']);
      expect(await existing(db, ['a', 'b'])).toEqual(['a']);
      expect(await advisoryLocks()).toBe(0);
    },
  );
});

describe('kill -9: what the orphaned server session does (client_connection_check_interval)', () => {
  /** A migration that sleeps `seconds` when the environment is 'slow', so a test can kill tidemark in it. */
  const sleepy = (seconds: number) =>
    `SELECT pg_sleep(CASE current_setting('tidemark.environment') WHEN 'slow' THEN ${seconds} ELSE 0 END);\n`;

  test('a transactional migration: the server ends the orphaned session within seconds, not when its 60 s statement ends; nothing of it remains', async () => {
    const dir = dirWith({
      '001_fill.up.sql': '-- tidemark:no-transaction\nCREATE TABLE t (i int);\nINSERT INTO t VALUES (1);\n', // the check is on again after a no-transaction migration
      '001_fill.down.sql': 'DROP TABLE t;\n',
      '002_slow.up.sql': `CREATE TABLE slow (i int);\nLOCK TABLE t IN ACCESS EXCLUSIVE MODE;\n${sleepy(60)}`,
      '002_slow.down.sql': 'DROP TABLE slow;\n',
    });
    const run = startCli(['apply', '--dir', dir, '--url', db.url, '--env', 'slow']);
    const pid = await until('%pg_sleep%');
    run.child.kill('SIGKILL');
    expect((await run.done).code).toBeNull();
    expect(await goneWithin(pid, 15_000)).toBe(true);
    expect(await advisoryLocks()).toBe(0); // the migration lock is free
    expect(await db.query('SELECT i FROM t')).toEqual([{ i: 1 }]); // and so is the table it had locked
    expect(await ledgerVersions(db)).toEqual(['1']);
    expect(await existing(db, ['slow'])).toEqual([]);
    expect((await runCli(['apply', '--dir', dir, '--url', db.url])).code).toBe(0);
    expect(await ledgerVersions(db)).toEqual(['1', '2']);
  });

  test('a no-transaction statement is left to finish on the server, well past the check interval: it is in doubt, never cut short', async () => {
    const dir = dirWith({
      '001_t.up.sql': 'CREATE TABLE t (i int);\n',
      '001_t.down.sql': 'DROP TABLE t;\n',
      '002_fill.up.sql':
        '-- tidemark:no-transaction\nINSERT INTO t VALUES (1);\nINSERT INTO t SELECT 2 FROM pg_sleep(3);\n',
      '002_fill.down.sql': '-- tidemark:no-transaction\nDELETE FROM t;\n',
    });
    const run = startCli(['apply', '--dir', dir, '--url', db.url]);
    const pid = await until('%pg_sleep(3)%');
    run.child.kill('SIGKILL');
    await run.done;
    expect(await goneWithin(pid, 15_000)).toBe(true);
    expect((await db.query('SELECT i FROM t ORDER BY i')).map((r) => r.i)).toEqual([1, 2]); // statement 2 ran to its end
    const status = await runCli(['status', '--dir', dir, '--url', db.url]);
    expect(status.stdout).toMatch(/^2\s+fill\s+interrupted/m);
  });
});
