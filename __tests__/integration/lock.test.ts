import { apply } from '../../lib/migrator';
import { LockTimeoutError } from '../../lib/errors';
import { lockKey } from '../../lib/db/lock';
import { useTestDatabase } from '../helpers/db';
import { contextFor } from '../helpers/context';
import { useMigrationsDir } from '../helpers/files';

const db = useTestDatabase();
const migrations = useMigrationsDir();
let dir: string;
beforeEach(async () => {
  const files: Record<string, string> = {
    '000_counter.up.sql': 'CREATE TABLE runs (version int);',
    '000_counter.down.sql': 'DROP TABLE runs;',
  };
  for (let v = 1; v <= 20; v++) {
    files[`${String(v).padStart(3, '0')}_m${v}.up.sql`] = `INSERT INTO runs VALUES (${v}); SELECT pg_sleep(0.01);`;
    files[`${String(v).padStart(3, '0')}_m${v}.down.sql`] = `DELETE FROM runs WHERE version = ${v};`;
  }
  dir = migrations(files);
});

test('concurrent runs apply each migration exactly once', async () => {
  const results = await Promise.all(Array.from({ length: 5 }, () => apply(contextFor(db.url, dir))));
  const total = results.reduce((n, r) => n + r.completed.length, 0);
  expect(total).toBe(21);
  expect(results.filter((r) => r.completed.length > 0)).toHaveLength(1);
  const runs = await db.query<{ version: number; n: string }>(
    'SELECT version, count(*) AS n FROM runs GROUP BY version ORDER BY version',
  );
  expect(runs).toHaveLength(20);
  expect(runs.every((r) => r.n === '1')).toBe(true);
  expect(await db.query('SELECT count(*)::int AS n FROM tidemark_migrations')).toEqual([{ n: 21 }]);
});

test('a runner that cannot get the lock in time gives up with exit 4 and changes nothing', async () => {
  const holder = await db.connect();
  try {
    await holder.query('SELECT pg_advisory_lock($1::bigint)', [
      lockKey({ schema: 'public', table: 'tidemark_migrations' }).toString(),
    ]);
    const ctx = contextFor(db.url, dir, { lockWait: 0.5 });
    const err = await apply(ctx).catch((e) => e);
    expect(err).toBeInstanceOf(LockTimeoutError);
    expect(err.exitCode).toBe(4);
    expect(err.holderPid).toBe((holder as unknown as { processID: number }).processID);
    expect(ctx.lines.some((l) => l.holder_pid === (holder as unknown as { processID: number }).processID)).toBe(true);
    expect(await db.query(`SELECT to_regclass('public.tidemark_migrations') AS t`)).toEqual([{ t: null }]);
  } finally {
    await holder.end();
  }
  const result = await apply(contextFor(db.url, dir, { lockWait: 0.5 }));
  expect(result.completed).toHaveLength(21);
});

test('a waiting runner proceeds when the lock is released, and then finds nothing to do', async () => {
  const first = apply(contextFor(db.url, dir));
  const second = apply(contextFor(db.url, dir, { lockWait: 30 }));
  const [a, b] = await Promise.all([first, second]);
  expect(a.completed.length + b.completed.length).toBe(21);
  expect(Math.min(a.completed.length, b.completed.length)).toBe(0);
});

test('the lock is released after the run', async () => {
  await apply(contextFor(db.url, dir));
  expect(
    await db.query(
      `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    ),
  ).toEqual([{ n: 0 }]);
});

test('ledgers in different tables use different locks', () => {
  expect(lockKey({ schema: 'public', table: 'a' })).not.toBe(lockKey({ schema: 'public', table: 'b' }));
  expect(lockKey({ schema: 'public', table: 'a' })).toBe(lockKey({ schema: 'public', table: 'a' }));
});
