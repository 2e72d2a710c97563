/**
 * No-transaction migrations cut short: the ledger says which statements took
 * effect and which one is in doubt, never more, never less. kill -9 during a
 * statement and during CREATE INDEX CONCURRENTLY, SIGTERM, a second process
 * looking at a running one, --resume with the user's word, and repair either
 * way.
 */
import type { Client } from 'pg';
import { jsonLines, runCli, startCli, type RunningCli } from '../helpers/cli';
import { useTestDatabase } from '../helpers/db';
import { useMigrationsDir } from '../helpers/files';

const db = useTestDatabase();
const migrations = useMigrationsDir();
let dir: string;
let blocker: Client | null = null;
afterEach(async () => {
  await blocker?.end().catch(() => {});
  blocker = null;
});

const SLOW = {
  '001_t.up.sql': 'CREATE TABLE t (i int);\n',
  '001_t.down.sql': 'DROP TABLE t;\n',
  '002_fill.up.sql':
    '-- tidemark:no-transaction\nINSERT INTO t VALUES (1);\nINSERT INTO t SELECT 2 FROM pg_sleep(1.5);\nINSERT INTO t VALUES (3);\n',
  '002_fill.down.sql':
    '-- tidemark:no-transaction\nDELETE FROM t WHERE i = 3;\nDELETE FROM t WHERE i = 2 AND pg_sleep(1.5) IS NOT NULL;\nDELETE FROM t WHERE i = 1;\n',
};

const cli = (...args: string[]) => runCli([...args, '--dir', dir, '--url', db.url]);
const start = (...args: string[]): RunningCli => startCli([...args, '--dir', dir, '--url', db.url]);
const values = async () => (await db.query<{ i: number }>('SELECT i FROM t ORDER BY i')).map((r) => r.i);
const row = async (version: number) =>
  (
    await db.query<{ state: string; statements_done: number; inflight: string | null }>(
      "SELECT state, statements_done, failure->>'inflight' AS inflight FROM tidemark_migrations WHERE version = $1",
      [version],
    )
  )[0];

/** Waits until tidemark's session in this database runs a query matching `like`. */
async function until(like: string): Promise<number> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const rows = await db.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'tidemark' AND state = 'active' AND query LIKE $1",
      [like],
    );
    if (rows.length > 0) return rows[0].pid;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`tidemark never ran ${like}`);
}

/** Waits until no server session of tidemark is left in this database. */
async function untilGone(): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const rows = await db.query(
      "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'tidemark'",
    );
    if (rows.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the orphaned session never ended');
}

test("kill -9 during a statement: status shows it running, then interrupted with the statement in doubt; --resume asks for the user's word", async () => {
  dir = migrations(SLOW);
  const run = start('apply');
  await until('%pg_sleep(1.5)%');
  run.child.kill('SIGKILL');
  expect((await run.done).code).toBeNull();

  // The server is still running the statement, holding the migration lock: running, not failed, not drift.
  const live = await cli('status', '--json');
  expect(live.code).toBe(0);
  const entry = (JSON.parse(live.stdout).migrations as Record<string, any>[]).find((m) => m.version === '2');
  expect(entry?.state).toBe('running');
  expect(entry?.progress).toMatchObject({ statements_done: 1, statements_total: 3, statement_running: 2 });
  expect(entry?.progress.holder_pid).toEqual(expect.any(Number));
  const verifying = await cli('verify');
  expect(verifying.code).toBe(0);
  expect(verifying.stdout + verifying.stderr).toMatch(/Running now \(not drift\)/);

  await untilGone(); // the statement finished on the server, then its session ended
  expect(await values()).toEqual([1, 2]); // statement 2 did take effect
  expect(await row(2)).toEqual({ state: 'running', statements_done: 1, inflight: '2' });

  const status = await cli('status');
  expect(status.code).toBe(0);
  expect(status.stdout).toMatch(/^2\s+fill\s+interrupted/m);
  expect(status.stdout).toContain(
    'Statement 2 (002_fill.up.sql:3: INSERT INTO t SELECT 2 FROM pg_sleep(1.5)) is IN DOUBT',
  );
  expect(status.stdout).toContain('tidemark apply --resume');

  const verify = await cli('verify');
  expect(verify.code).toBe(3);
  expect(verify.stdout).toContain('IN DOUBT');

  const plain = await cli('apply');
  expect(plain.code).toBe(3);

  const asked = await cli('apply', '--resume');
  expect(asked.code).toBe(2);
  expect(asked.stderr).toContain('statement 2 of version 2 is IN DOUBT');
  expect(asked.stderr).toContain('002_fill.up.sql:3, statement 2');
  expect(asked.stderr).toContain('tidemark apply --resume --assume-done');
  expect(asked.stderr).toContain('tidemark apply --resume --assume-not-done');
  expect(await values()).toEqual([1, 2]); // nothing ran

  const resumed = await cli('apply', '--resume', '--assume-done');
  expect(resumed.code).toBe(0);
  expect(resumed.stderr).toContain(
    'statement 2 was in doubt; it took effect (--assume-done): resuming from statement 3',
  );
  expect(await values()).toEqual([1, 2, 3]); // statement 2 did not run twice
  expect(await row(2)).toEqual({ state: 'applied', statements_done: 3, inflight: null });
});

test('--assume-not-done runs the statement in doubt again; --assume-* without --resume or without a doubt is refused', async () => {
  dir = migrations(SLOW);
  expect((await cli('apply', '--assume-done')).code).toBe(2);
  const run = start('apply');
  const pid = await until('%pg_sleep(1.5)%');
  run.child.kill('SIGKILL');
  await run.done;
  await db.query('SELECT pg_cancel_backend($1)', [pid]); // this time the statement does not finish
  await untilGone();
  expect(await values()).toEqual([1]);
  expect((await cli('apply', '--resume', '--assume-done', '--assume-not-done')).code).toBe(2);
  const resumed = await cli('apply', '--resume', '--assume-not-done');
  expect(resumed.code).toBe(0);
  expect(await values()).toEqual([1, 2, 3]);
  expect((await cli('apply', '--resume', '--assume-done')).code).toBe(2); // nothing to resume now
});

describe('kill -9 during CREATE INDEX CONCURRENTLY: --resume decides from the catalog', () => {
  const CIC = {
    '001_t.up.sql': 'CREATE TABLE t (i int);\nINSERT INTO t SELECT g FROM generate_series(1, 1000) g;\n',
    '001_t.down.sql': 'DROP TABLE t;\n',
    '002_idx.up.sql':
      '-- tidemark:no-transaction\nCREATE INDEX CONCURRENTLY t_i_idx ON t (i);\nCREATE INDEX CONCURRENTLY t_j_idx ON t ((i + 1));\n',
    '002_idx.down.sql':
      '-- tidemark:no-transaction\nDROP INDEX CONCURRENTLY t_j_idx;\nDROP INDEX CONCURRENTLY t_i_idx;\n',
  };
  const indexes = async () =>
    db.query<{ name: string; valid: boolean }>(
      "SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 't_%_idx' ORDER BY 1",
    );

  /** Applies 001, then starts 002 with a writer's open transaction holding the build in its wait phase, and kills tidemark. */
  async function killDuringBuild(): Promise<number> {
    expect((await cli('apply', '--target', '1')).code).toBe(0);
    blocker = await db.connect();
    await blocker.query('BEGIN');
    await blocker.query('INSERT INTO t VALUES (0)');
    const run = start('apply');
    const deadline = Date.now() + 10_000;
    let pid: number | null = null;
    while (pid === null && Date.now() < deadline) {
      const rows = await db.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE application_name = 'tidemark' AND datname = current_database() AND query LIKE 'CREATE INDEX CONCURRENTLY t_i_idx%' AND wait_event_type = 'Lock'",
      );
      pid = rows[0]?.pid ?? null;
      if (pid === null) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (pid === null) throw new Error('the build never waited');
    run.child.kill('SIGKILL');
    await run.done;
    return pid;
  }

  test('the build finishes valid on the server: status shows it in doubt; --resume counts it done and builds the next', async () => {
    dir = migrations(CIC);
    await killDuringBuild();
    await blocker!.query('COMMIT'); // the orphaned build goes on and finishes
    await untilGone();
    expect(await indexes()).toEqual([{ name: 't_i_idx', valid: true }]);
    const status = await cli('status');
    expect(status.stdout).toMatch(/^2\s+idx\s+interrupted/m);
    expect(status.stdout).toContain(
      'Statement 1 (002_idx.up.sql:2: CREATE INDEX CONCURRENTLY t_i_idx ON t (i)) is IN DOUBT',
    );
    const resumed = await cli('apply', '--resume');
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(
      /statement 1 was in doubt; it took effect \(the catalog says the index "public"\."t_i_idx" is valid\)/,
    );
    expect(await indexes()).toEqual([
      { name: 't_i_idx', valid: true },
      { name: 't_j_idx', valid: true },
    ]);
  });

  test('the build dies half-way: --resume names the INVALID index and its DROP command; after it, --resume builds it again', async () => {
    dir = migrations(CIC);
    const pid = await killDuringBuild();
    await db.query('SELECT pg_terminate_backend($1)', [pid]);
    await blocker!.query('COMMIT');
    await untilGone();
    expect(await indexes()).toEqual([{ name: 't_i_idx', valid: false }]);
    const refused = await cli('apply', '--resume');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('left the index "public"."t_i_idx" INVALID');
    expect(refused.stderr).toContain('DROP INDEX CONCURRENTLY IF EXISTS "public"."t_i_idx";');
    await db.query('DROP INDEX CONCURRENTLY IF EXISTS "public"."t_i_idx"');
    const resumed = await cli('apply', '--resume');
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain('it did not take effect');
    expect(await indexes()).toEqual([
      { name: 't_i_idx', valid: true },
      { name: 't_j_idx', valid: true },
    ]);
  });
});

test.each([
  ['SIGTERM', 143],
  ['SIGINT', 130],
] as const)(
  '%s during a no-transaction migration: the summary says what took effect and the next command; exit %i',
  async (signal, exitCode) => {
    dir = migrations(SLOW);
    const run = start('apply');
    await until('%pg_sleep(1.5)%');
    run.child.kill(signal);
    const { code, stderr } = await run.done;
    expect(code).toBe(exitCode);
    expect(stderr).toContain(`Interrupted by ${signal}`);
    expect(stderr).toContain('This run completed 001_t before it.');
    expect(stderr).toContain(
      '002_fill.up.sql runs without a transaction: statement 1 of 3 took effect; statement 2 (line 3) was cancelled and did not take effect; 1 after it did not run.',
    );
    expect(stderr).toContain('Next: `tidemark apply --resume` continues from statement 2 (line 3).');
    expect(stderr).not.toMatch(/was cancelled and rolled back/);
    expect(await values()).toEqual([1]);
    expect(await row(2)).toMatchObject({ state: 'failed', statements_done: 1 });
    const resumed = await cli('apply', '--resume');
    expect(resumed.code).toBe(0);
    expect(await values()).toEqual([1, 2, 3]);
  },
);

test('an interrupted rollback says rollback --resume, and rollback --resume finishes it', async () => {
  dir = migrations(SLOW);
  expect((await cli('apply')).code).toBe(0);
  const run = start('rollback');
  await until('%pg_sleep(1.5)%');
  run.child.kill('SIGTERM');
  const { code, stderr } = await run.done;
  expect(code).toBe(143);
  expect(stderr).toContain('Next: `tidemark rollback --resume`');
  expect(stderr).not.toContain('apply --resume');
  const status = await cli('status');
  expect(status.stdout).toContain('tidemark rollback --resume');
  expect((await cli('apply', '--resume')).code).toBe(2); // it says which command instead
  expect((await cli('rollback', '--resume')).code).toBe(0);
  expect(await values()).toEqual([]); // 002's down finished: all three rows deleted
  expect(await db.query('SELECT version::int FROM tidemark_migrations')).toEqual([{ version: 1 }]); // and 001 is still applied
});

describe('repair ends the recovery either way', () => {
  const FAILING = {
    '001_t.up.sql': 'CREATE TABLE t (i int);\n',
    '001_t.down.sql': 'DROP TABLE t;\n',
    '002_fill.up.sql':
      "-- tidemark:no-transaction\nINSERT INTO t VALUES (1);\nINSERT INTO t VALUES ('two');\nINSERT INTO t VALUES (3);\n",
    '002_fill.down.sql': '-- tidemark:no-transaction\nDELETE FROM t;\n',
    '003_more.up.sql': 'INSERT INTO t VALUES (4);\n',
    '003_more.down.sql': 'DELETE FROM t WHERE i = 4;\n',
  };

  test('without --applied or --not-applied it asks which; --applied records it applied and the next apply goes on', async () => {
    dir = migrations(FAILING);
    const failed = await cli('apply');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('repair --version 2 --applied');
    expect(failed.stderr).toContain('repair --version 2 --not-applied');
    const asked = await cli('repair', '--version', '2', '--reason', 'fixed by hand');
    expect(asked.code).toBe(2);
    expect(asked.stderr).toContain('--applied if you finished it');
    await db.query('INSERT INTO t VALUES (2), (3)'); // finished by hand
    const repaired = await cli('repair', '--version', '2', '--applied', '--reason', 'finished by hand');
    expect(repaired.code).toBe(0);
    expect(await row(2)).toEqual({ state: 'applied', statements_done: 3, inflight: null });
    expect(await db.query('SELECT action, reason FROM tidemark_migrations_audit')).toEqual([
      { action: 'mark-applied', reason: 'finished by hand' },
    ]);
    const next = await cli('apply');
    expect(next.code).toBe(0);
    expect(next.stdout).toContain('Applied 1 migration'); // 003 only: 002 did not run again
    expect(await values()).toEqual([1, 2, 3, 4]);
  });

  test('--not-applied removes the row after the user undid it, and the next apply runs the whole file', async () => {
    dir = migrations({
      ...FAILING,
      '002_fill.up.sql': "-- tidemark:no-transaction\nINSERT INTO t VALUES (1);\nINSERT INTO t VALUES ('two');\n",
    });
    expect((await cli('apply')).code).toBe(1);
    await db.query('DELETE FROM t'); // undone by hand
    expect((await cli('repair', '--version', '2', '--not-applied', '--reason', 'undone')).code).toBe(0);
    expect(await db.query('SELECT action FROM tidemark_migrations_audit')).toEqual([{ action: 'mark-not-applied' }]);
    expect((await db.query('SELECT 1 FROM tidemark_migrations WHERE version = 2')).length).toBe(0);
    expect((await cli('apply')).code).toBe(1); // the file still fails: it ran again from the top
    expect(await values()).toEqual([1]);
  });

  test('--applied on an applied migration is refused', async () => {
    dir = migrations(FAILING);
    expect((await cli('apply', '--target', '1')).code).toBe(0);
    const refused = await cli('repair', '--version', '1', '--applied', '--reason', 'x');
    expect(refused.code).toBe(2);
  });
});

test('status --json of an interrupted migration lists the statement in doubt; json logs stay JSON', async () => {
  dir = migrations(SLOW);
  const run = start('apply');
  await until('%pg_sleep(1.5)%');
  run.child.kill('SIGKILL');
  await run.done;
  await untilGone();
  const status = await runCli(['status', '--json', '--log-format', 'json', '--dir', dir, '--url', db.url]);
  expect(status.code).toBe(0);
  const doc = jsonLines(status.stdout)[0] as { migrations: Record<string, any>[]; summary: Record<string, number> };
  const entry = doc.migrations.find((m) => m.version === '2');
  expect(entry?.state).toBe('interrupted');
  expect(entry?.progress.in_doubt).toEqual({
    statement: 2,
    line: 3,
    text: 'INSERT INTO t SELECT 2 FROM pg_sleep(1.5)',
  });
  expect(doc.summary.interrupted).toBe(1);
});
