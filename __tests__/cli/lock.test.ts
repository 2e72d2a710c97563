/**
 * The advisory lock: a held lock makes a writing run give up with exit 4;
 * several runners started at once apply every migration exactly once.
 */
import type { Client } from 'pg';
import { lockKey } from '../../lib/db/lock';
import { runInProcess } from '../helpers/in-process';
import { useTestDatabase } from '../helpers/db';
import { fixture } from '../helpers/fixtures';
import { existing, ledgerVersions } from '../helpers/inspect';

const db = useTestDatabase();
let holder: Client | null = null;
afterEach(async () => {
  await holder?.end();
  holder = null;
});

/** Takes the advisory lock of a ledger from a test connection, as another tidemark run would. */
async function holdLock(
  ledger = { schema: 'public', table: 'tidemark_migrations' },
): Promise<{ release(): Promise<void> }> {
  const client = await db.connect();
  holder = client;
  const key = lockKey(ledger).toString();
  const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [key]);
  expect(rows[0].locked).toBe(true);
  return {
    async release() {
      const { rows: released } = await client.query<{ ok: boolean }>('SELECT pg_advisory_unlock($1::bigint) AS ok', [
        key,
      ]);
      expect(released[0].ok).toBe(true);
    },
  };
}

/** Waits until a tidemark session in this database has asked for the lock at least once (and so found it taken). */
async function untilTidemarkTriedTheLock(): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const rows = await db.query(
      "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'tidemark' AND query LIKE '%pg_try_advisory_lock%'",
    );
    if (rows.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('no tidemark session tried the advisory lock within 10 s');
}

describe('a held lock', () => {
  const dir = fixture('basic');
  const tidemark = (...args: string[]) => runInProcess([...args, '--dir', dir, '--url', db.url]);

  test('apply --lock-wait 1 exits 4 about another run, changes nothing; after release it applies', async () => {
    const lock = await holdLock();
    const started = Date.now();
    const blocked = await tidemark('apply', '--lock-wait', '1');
    const elapsed = Date.now() - started;
    expect(blocked.code).toBe(4);
    expect(blocked.stderr).toMatch(/another tidemark run holds the migration lock/i);
    expect(blocked.stderr).toMatch(/--lock-wait/);
    expect(blocked.stderr).not.toMatch(/^\s+at /m);
    expect(elapsed).toBeGreaterThanOrEqual(1_000);
    expect(elapsed).toBeLessThan(10_000);
    expect(await ledgerVersions(db)).toBeNull();
    expect(await existing(db, ['alpha'])).toEqual([]);

    await lock.release();
    const free = await tidemark('apply', '--lock-wait', '1');
    expect(free.code).toBe(0);
    expect(await ledgerVersions(db)).toEqual(['1', '2', '3']);
  });

  test('rollback waits for it too (exit 4), and status, which never writes, does not', async () => {
    expect((await tidemark('apply')).code).toBe(0);
    await holdLock();
    const [rollback, status] = await Promise.all([tidemark('rollback', '--lock-wait', '1'), tidemark('status')]);
    expect(rollback.code).toBe(4);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/3 applied/);
    expect(await ledgerVersions(db)).toEqual(['1', '2', '3']);
  });

  test('a run that gets the lock within --lock-wait goes ahead', async () => {
    const lock = await holdLock();
    const run = tidemark('apply', '--lock-wait', '10');
    await untilTidemarkTriedTheLock();
    await lock.release();
    const { code, stderr } = await run;
    expect(code).toBe(0);
    expect(stderr).toMatch(/waiting up to 10s/);
    expect(await ledgerVersions(db)).toEqual(['1', '2', '3']);
  });

  test('the lock belongs to one ledger: another --schema/--table is not blocked', async () => {
    await holdLock();
    const run = await tidemark('apply', '--lock-wait', '1', '--schema', 'other', '--table', 'ledger');
    expect(run.code).toBe(0);
    expect(await ledgerVersions(db, 'other.ledger')).toEqual(['1', '2', '3']);
  });
});

test('four apply runs started at once: all exit 0 and every migration runs exactly once', async () => {
  const dir = fixture('counter');
  const runs = await Promise.all([1, 2, 3, 4].map(() => runInProcess(['apply', '--dir', dir, '--url', db.url])));
  expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0]);
  const applied = runs.filter((r) => /Applied 5 migrations/.test(r.stdout));
  const idle = runs.filter((r) => /up to date/.test(r.stdout));
  expect([applied.length, idle.length]).toEqual([1, 3]);

  expect(await ledgerVersions(db)).toEqual(['1', '2', '3', '4', '5']);
  const counted = await db.query<{ version: number; runs: number }>(
    'SELECT version, count(*)::int AS runs FROM counter GROUP BY version ORDER BY version',
  );
  expect(counted).toEqual([2, 3, 4, 5].map((version) => ({ version, runs: 1 })));
  const backends = await db.query('SELECT DISTINCT backend FROM counter');
  expect(backends).toHaveLength(1); // one runner, one connection, applied them all
});
