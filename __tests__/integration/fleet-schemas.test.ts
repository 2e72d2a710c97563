/**
 * runFleet over tenant schemas of one database: the ledger per schema, the
 * search_path, thresholds, the canary, retries, --only failed, shards,
 * per-target locks, and no password anywhere.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { lockKey } from '../../lib/db/lock';
import type { FleetEvent, FleetReport } from '../../lib/fleet/types';
import { runFleet } from '../../lib/migrator';
import { useTestDatabase } from '../helpers/db';
import { tempDir, useMigrationsDir } from '../helpers/files';
import {
  APPLIED_TABLE,
  fleetContext,
  PASSWORD,
  policy,
  schemaTargets,
  TENANT_MIGRATIONS,
  urlWithPassword,
} from '../helpers/fleet-core';

jest.setTimeout(120_000);
const db = useTestDatabase();
const migrations = useMigrationsDir();
let dir: string;
let runDir: string;
let url: string;

beforeEach(async () => {
  dir = migrations(TENANT_MIGRATIONS);
  runDir = migrations.track(tempDir('tidemark-runs-'));
  url = urlWithPassword(db.name);
  await db.query(APPLIED_TABLE);
});

const list = (targets: ReturnType<typeof schemaTargets>) => ({ kind: 'list' as const, targets });
const appliedCounts = async () =>
  db.query<{ schema_name: string; version: number; n: number }>(
    'SELECT schema_name, version, count(*)::int AS n FROM public.applied GROUP BY 1, 2 ORDER BY 1, 2',
  );
const byName = (r: FleetReport) => new Map(r.results.map((x) => [x.name, x]));

test('100 schemas: each gets its own ledger and its own tables (unqualified names land in the tenant schema); a second run finds them up to date', async () => {
  const events: FleetEvent[] = [];
  const targets = schemaTargets(100);
  const ctx = fleetContext(url, dir);
  const report = await runFleet(ctx, {
    command: 'apply',
    source: list(targets),
    policy: policy({ perHost: 3 }),
    runDir,
    onEvent: (e) => events.push(e),
  });
  expect(report.exitCode).toBe(0);
  expect(report.counts.migrated).toBe(100);
  expect(report.results.every((r) => r.versions.join() === '1,2,3' && r.host.endsWith(`/${db.name}`))).toBe(true);
  const ledgers = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'tidemark_migrations' AND schemaname LIKE 't\\_%'`,
  );
  expect(ledgers).toEqual([{ n: 100 }]);
  expect(await db.query(`SELECT owner FROM t_042.items`)).toEqual([{ owner: 't_042' }]);
  expect(await db.query(`SELECT count(*)::int AS n FROM t_007.tidemark_migrations`)).toEqual([{ n: 3 }]);
  expect(await db.query(`SELECT to_regclass('public.items') AS t`)).toEqual([{ t: null }]);
  const counts = await appliedCounts();
  expect(counts).toHaveLength(300);
  expect(counts.every((c) => c.n === 1)).toBe(true);

  const again = await runFleet(ctx, { command: 'apply', source: list(targets), policy: policy(), runDir });
  expect(again.counts['up-to-date']).toBe(100);
  expect(again.exitCode).toBe(0);

  const status = await runFleet(ctx, { command: 'status', source: list(targets), policy: policy(), runDir });
  expect(status.results[0].status).toEqual({ highestApplied: '3', pending: 0, drift: 0, failedRows: 0 });

  const everything = [
    JSON.stringify(report),
    JSON.stringify(events),
    JSON.stringify(ctx.lines),
    ...readdirSync(runDir).map((f) => readFileSync(path.join(runDir, f), 'utf8')),
  ];
  for (const text of everything) expect(text).not.toContain(PASSWORD);
});

/** t_002 has an items table already: 001 fails there with 42P07. */
async function breakSchema(name: string) {
  await db.query(`CREATE SCHEMA ${name}; CREATE TABLE ${name}.items (id int)`);
}

test('one failing target: the others finish; its result names SQLSTATE and file:line; exit 7; the run file has it', async () => {
  await breakSchema('t_002');
  const report = await runFleet(fleetContext(url, dir), {
    command: 'apply',
    source: list(schemaTargets(10)),
    policy: policy(),
    runDir,
  });
  expect(report.exitCode).toBe(7);
  expect(report.counts).toMatchObject({ migrated: 9, failed: 1, 'not-started': 0 });
  const failed = byName(report).get('t_002');
  expect(failed?.failure).toMatchObject({
    sqlstate: '42P07',
    location: '001_items.up.sql:1:1',
    version: '1',
    exitCode: 1,
    transient: false,
  });
  const [file] = readdirSync(runDir);
  expect(readdirSync(runDir)).toHaveLength(1);
  const lines = readFileSync(path.join(runDir, file), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(lines[0]).toMatchObject({ kind: 'run', runId: report.runId, total: 10 });
  expect(lines.filter((l) => l.kind === 'target')).toHaveLength(10);
  expect(lines.at(-1)).toMatchObject({ kind: 'end', exitCode: 7 });

  // A read-only run in between (status) has nothing failed: --only failed still repairs the last apply.
  const between = await runFleet(fleetContext(url, dir), {
    command: 'status',
    source: list(schemaTargets(10)),
    policy: policy(),
    runDir,
  });
  expect(between.counts.failed).toBe(0);

  // A run killed before its header was written leaves an empty run file, the newest: it is passed over.
  writeFileSync(path.join(runDir, '99999999T999999999Z-killed.json'), '');

  // --only failed: the fix, then only t_002 runs.
  await db.query('DROP TABLE t_002.items');
  const rerun = await runFleet(fleetContext(url, dir), {
    command: 'apply',
    source: list(schemaTargets(10)),
    policy: policy({ onlyFailed: true }),
    runDir,
  });
  expect(rerun.results.map((r) => [r.name, r.state])).toEqual([['t_002', 'migrated']]);
  expect(rerun.exitCode).toBe(0);
});

test('a threshold stops starting targets: in-flight ones finish, nothing starts after, exit 8', async () => {
  await breakSchema('t_001');
  await breakSchema('t_003');
  const report = await runFleet(fleetContext(url, dir), {
    command: 'apply',
    source: list(schemaTargets(12)),
    policy: policy({ concurrency: 1, maxFailures: 2 }),
    runDir,
  });
  expect(report.exitCode).toBe(8);
  expect(report.stoppedBy).toMatch(/max-failures 2/);
  expect(report.results.map((r) => r.state)).toEqual([
    'migrated',
    'failed',
    'migrated',
    'failed',
    ...Array(8).fill('not-started'),
  ]);
  const ledgers = await db.query<{ s: string }>(
    `SELECT schemaname AS s FROM pg_tables WHERE tablename = 'tidemark_migrations' ORDER BY 1`,
  );
  // The failed targets created their ledgers; none of the targets after the stop has one.
  expect(ledgers.map((l) => l.s)).toEqual(['t_000', 't_001', 't_002', 't_003']);

  // --only failed takes the failed and the not-started: the 10 others, none of the 2 migrated.
  await db.query('DROP TABLE t_001.items; DROP TABLE t_003.items');
  const rest = await runFleet(fleetContext(url, dir), {
    command: 'apply',
    source: list(schemaTargets(12)),
    policy: policy({ onlyFailed: true }),
    runDir,
  });
  expect(rest.results.map((r) => r.name).sort()).toEqual(
    schemaTargets(12)
      .map((t) => t.name)
      .filter((n) => n !== 't_000' && n !== 't_002'),
  );
  expect(rest.counts.migrated).toBe(10);
});

test('fail-fast with concurrency: targets in flight finish, then the run stops', async () => {
  await breakSchema('t_000');
  // t_000 fails on its first statement; the others then sleep, so the failure comes before any of them finishes.
  const slow = migrations({
    ...TENANT_MIGRATIONS,
    '001_items.up.sql': `${TENANT_MIGRATIONS['001_items.up.sql']}\nSELECT pg_sleep(0.3);`,
  });
  const report = await runFleet(fleetContext(url, slow), {
    command: 'apply',
    source: list(schemaTargets(20)),
    policy: policy({ concurrency: 3, failFast: true }),
    runDir,
  });
  expect(report.exitCode).toBe(8);
  const started = report.results.filter((r) => r.state !== 'not-started');
  expect(started.length).toBeLessThanOrEqual(3);
  expect(report.counts['not-started']).toBe(20 - started.length);
});

test('fail-fast when the last target fails: nothing was left not started, so exit 7 (some failed), not 8 (stopped early)', async () => {
  await breakSchema('t_002');
  const report = await runFleet(fleetContext(url, dir), {
    command: 'apply',
    source: list(schemaTargets(3)),
    policy: policy({ concurrency: 1, failFast: true }),
    runDir,
  });
  expect(report.counts).toMatchObject({ migrated: 2, failed: 1, 'not-started': 0 });
  expect(report.exitCode).toBe(7);
  expect(report.stoppedBy).toBeUndefined();
});

test('a failing canary: nothing else runs, exit 8', async () => {
  await breakSchema('t_005');
  const targets = schemaTargets(9).map((t) => (t.name === 't_005' ? { ...t, labels: { tier: 'canary' } } : t));
  const report = await runFleet(fleetContext(url, dir), {
    command: 'apply',
    source: list(targets),
    policy: policy({ canary: 'tier=canary', waves: ['50%', '100%'] }),
    runDir,
  });
  expect(report.exitCode).toBe(8);
  expect(report.stoppedBy).toMatch(/canary failed \(t_005\)/);
  expect(report.counts).toMatchObject({ failed: 1, 'not-started': 8, migrated: 0 });
  expect(await db.query(`SELECT schemaname AS s FROM pg_tables WHERE tablename = 'tidemark_migrations'`)).toEqual([
    { s: 't_005' },
  ]);
  expect(await db.query(`SELECT count(*)::int AS n FROM public.applied`)).toEqual([{ n: 0 }]);
});

test('a canary that succeeds, then waves in order', async () => {
  const events: FleetEvent[] = [];
  const report = await runFleet(fleetContext(url, dir), {
    command: 'apply',
    source: list(schemaTargets(10)),
    policy: policy({ canary: '2', waves: ['ring=1', 'ring=2'] }),
    runDir,
    onEvent: (e) => events.push(e),
  });
  expect(report.exitCode).toBe(0);
  const waves = events.filter((e) => e.kind === 'wave').map((e) => (e.kind === 'wave' ? [e.wave, e.targets] : []));
  expect(waves).toEqual([
    ['canary', 2],
    ['wave 1 (ring=1)', 2],
    ['wave 2 (ring=2)', 3],
    ['wave 3 (the rest)', 3],
  ]);
  // Results come in the order targets finish; the canary's two finish before anything else starts.
  expect(
    report.results
      .slice(0, 2)
      .map((r) => [r.name, r.wave])
      .sort(),
  ).toEqual([
    ['t_000', 'canary'],
    ['t_001', 'canary'],
  ]);
  expect(report.results.slice(2).every((r) => r.wave !== 'canary')).toBe(true);
});

test('a transient failure (lock_timeout while another session holds the table) is retried and succeeds', async () => {
  const targets = schemaTargets(3);
  const ctx = fleetContext(url, dir, { lockTimeout: '100ms' });
  await runFleet(ctx, {
    command: 'apply',
    source: list(targets),
    policy: policy(),
    commandOptions: { target: 2n },
    runDir,
  });
  const holder = await db.connect();
  await holder.query('BEGIN; LOCK TABLE t_001.items IN ACCESS EXCLUSIVE MODE');
  const release = setTimeout(() => void holder.query('COMMIT'), 700);
  try {
    const report = await runFleet(ctx, {
      command: 'apply',
      source: list(targets),
      policy: policy({ retries: 5, retryDelayMs: 200 }),
      runDir,
    });
    const t1 = byName(report).get('t_001');
    expect(t1?.state).toBe('migrated');
    expect(t1?.attempts).toBeGreaterThan(1);
    expect(report.exitCode).toBe(0);
    expect(ctx.lines.some((l) => l.sqlstate === '55P03' && l.target === 't_001')).toBe(true);
  } finally {
    clearTimeout(release);
    await holder.query('COMMIT').catch(() => {});
  }
  expect((await appliedCounts()).filter((c) => c.schema_name === 't_001').map((c) => c.n)).toEqual([1, 1, 1]);
});

test('without retries the same lock failure is final, and marked transient', async () => {
  const targets = schemaTargets(2);
  const ctx = fleetContext(url, dir, { lockTimeout: '100ms' });
  await runFleet(ctx, {
    command: 'apply',
    source: list(targets),
    policy: policy(),
    commandOptions: { target: 2n },
    runDir,
  });
  const holder = await db.connect();
  await holder.query('BEGIN; LOCK TABLE t_000.items IN ACCESS EXCLUSIVE MODE');
  const report = await runFleet(ctx, { command: 'apply', source: list(targets), policy: policy(), runDir });
  await holder.query('COMMIT');
  expect(byName(report).get('t_000')?.failure).toMatchObject({
    sqlstate: '55P03',
    transient: true,
    location: '003_note.up.sql:1:1',
  });
  expect(report.exitCode).toBe(7);
});

test('the advisory lock is per target: a held lock on one schema blocks only that schema', async () => {
  const holder = await db.connect();
  await holder.query('SELECT pg_advisory_lock($1::bigint)', [
    lockKey({ schema: 't_001', table: 'tidemark_migrations' }).toString(),
  ]);
  try {
    const report = await runFleet(fleetContext(url, dir, { lockWait: 0.5 }), {
      command: 'apply',
      source: list(schemaTargets(3)),
      policy: policy(),
      runDir,
    });
    expect(report.results.map((r) => [r.name, r.state]).sort()).toEqual([
      ['t_000', 'migrated'],
      ['t_001', 'failed'],
      ['t_002', 'migrated'],
    ]);
    expect(byName(report).get('t_001')?.failure?.exitCode).toBe(4);
  } finally {
    await holder.end();
  }
});

test('shards: N runs with different indexes cover every target exactly once, in parallel', async () => {
  const targets = schemaTargets(40);
  const reports = await Promise.all(
    [0, 1, 2, 3].map((index) =>
      runFleet(fleetContext(url, dir), {
        command: 'apply',
        source: list(targets),
        policy: policy({ concurrency: 2, shard: { index, count: 4 } }),
        runDir,
      }),
    ),
  );
  const names = reports.flatMap((r) => r.results.map((x) => x.name)).sort();
  expect(names).toEqual(targets.map((t) => t.name));
  expect(reports.every((r) => r.results.length > 0 && r.exitCode === 0)).toBe(true);
  const counts = await appliedCounts();
  expect(counts).toHaveLength(120);
  expect(counts.every((c) => c.n === 1)).toBe(true);
});

test('plan and verify per target; a rollback of one step', async () => {
  const targets = schemaTargets(3);
  const ctx = fleetContext(url, dir);
  const plan = await runFleet(ctx, { command: 'plan', source: list(targets), policy: policy(), runDir });
  expect(plan.results.every((r) => r.state === 'checked' && r.versions.join() === '1,2,3')).toBe(true);
  expect(await db.query(`SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'tidemark_migrations'`)).toEqual([
    { n: 0 },
  ]);
  await runFleet(ctx, { command: 'apply', source: list(targets), policy: policy(), runDir });
  await db.query(
    `INSERT INTO t_001.tidemark_migrations (version, name, up_checksum, duration_ms, environment, tool_version) VALUES (99, 'gone', 'x', 0, 'test', '0')`,
  );
  const verify = await runFleet(ctx, { command: 'verify', source: list(targets), policy: policy(), runDir });
  expect(byName(verify).get('t_001')).toMatchObject({ state: 'failed', exitCode: 3 });
  expect(byName(verify).get('t_000')).toMatchObject({ state: 'checked', exitCode: 0 });
  expect(verify.exitCode).toBe(7);
  const back = await runFleet(ctx, {
    command: 'rollback',
    source: list([targets[0]]),
    policy: policy(),
    commandOptions: { steps: 1 },
    runDir,
  });
  expect(back.results[0]).toMatchObject({ state: 'migrated', versions: ['3'] });
});

test("a migration's session settings do not follow the connection to the next target", async () => {
  const leaky = migrations({
    '001_seen.up.sql':
      "INSERT INTO public.seen VALUES (current_schema(), current_setting('application_name'));\nSELECT set_config('application_name', 'leaked-from-' || current_schema(), false);",
    '001_seen.down.sql': 'SELECT 1;',
  });
  await db.query('CREATE TABLE public.seen (schema_name text, app text)');
  const report = await runFleet(fleetContext(url, leaky), {
    command: 'apply',
    source: list(schemaTargets(4)),
    policy: policy({ concurrency: 1 }),
    runDir,
  });
  expect(report.counts.migrated).toBe(4);
  const seen = await db.query<{ app: string }>('SELECT app FROM public.seen');
  expect(seen).toHaveLength(4);
  expect(seen.filter((r) => r.app.startsWith('leaked-from-'))).toEqual([]);
});

test('a no-transaction migration on a schema target runs with the tenant schema first, and the session is reset after it', async () => {
  const dirNoTx = migrations({
    ...TENANT_MIGRATIONS,
    '004_index.up.sql': '-- tidemark:no-transaction\nCREATE INDEX CONCURRENTLY items_owner ON items (owner);',
    '004_index.down.sql': '-- tidemark:no-transaction\nDROP INDEX CONCURRENTLY items_owner;',
  });
  const report = await runFleet(fleetContext(url, dirNoTx), {
    command: 'apply',
    source: list(schemaTargets(3)),
    policy: policy({ concurrency: 1 }),
    runDir,
  });
  expect(report.counts.migrated).toBe(3);
  const indexes = await db.query<{ s: string }>(
    `SELECT schemaname AS s FROM pg_indexes WHERE indexname = 'items_owner' ORDER BY 1`,
  );
  expect(indexes.map((i) => i.s)).toEqual(['t_000', 't_001', 't_002']);
});

test('a connection terminated mid-migration (57P01) is retried on a new connection; the migration lands once', async () => {
  const slow = migrations({
    ...TENANT_MIGRATIONS,
    '002_seed.up.sql': `SELECT pg_sleep(0.6);\n${TENANT_MIGRATIONS['002_seed.up.sql']}`,
  });
  const targets = schemaTargets(2);
  const watcher = await db.connect();
  let killed = 0;
  const watching = (async () => {
    for (let i = 0; i < 200 && killed === 0; i++) {
      const { rows } = await watcher.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(0.6)%' AND pid <> pg_backend_pid() LIMIT 1`,
      );
      if (rows.length > 0) {
        await watcher.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
        killed++;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  const report = await runFleet(fleetContext(url, slow), {
    command: 'apply',
    source: list(targets),
    policy: policy({ concurrency: 1, retries: 2, retryDelayMs: 50 }),
    runDir,
  });
  await watching;
  expect(killed).toBe(1);
  expect(report.exitCode).toBe(0);
  expect(report.results.map((r) => r.attempts).sort()).toEqual([1, 2]);
  const counts = await appliedCounts();
  expect(counts).toHaveLength(6);
  expect(counts.every((c) => c.n === 1)).toBe(true);
});

test("a signal stops starting targets; those in flight end; the exit code is the signal's", async () => {
  const slow = migrations({
    ...TENANT_MIGRATIONS,
    '002_seed.up.sql': `SELECT pg_sleep(0.3);\n${TENANT_MIGRATIONS['002_seed.up.sql']}`,
  });
  const controller = new AbortController();
  const ctx = { ...fleetContext(url, slow), signal: controller.signal };
  const report = await runFleet(ctx, {
    command: 'apply',
    source: list(schemaTargets(10)),
    policy: policy({ concurrency: 2 }),
    runDir,
    onEvent: (e) => {
      if (e.kind === 'target-end' && e.result.state === 'migrated') controller.abort('SIGTERM');
    },
  });
  expect(report.exitCode).toBe(143);
  expect(report.stoppedBy).toBe('interrupted by SIGTERM');
  expect(report.counts['not-started']).toBeGreaterThanOrEqual(7);
  const ledgers = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'tidemark_migrations'`,
  );
  expect(ledgers[0].n).toBeLessThanOrEqual(3);
});

test("a signal during a retry backoff ends the wait: the target is failed after the attempts made, the exit code is the signal's", async () => {
  const controller = new AbortController();
  const ctx = { ...fleetContext(url, dir), signal: controller.signal };
  const report = await runFleet(ctx, {
    command: 'apply',
    source: list([{ name: 'gone', url: 'postgres://postgres@127.0.0.1:1/none', labels: {} }]),
    policy: policy({ retries: 5, retryDelayMs: 30_000 }),
    runDir,
    onEvent: (e) => {
      if (e.kind === 'target-start' && e.attempt === 1) setTimeout(() => controller.abort('SIGTERM'), 300);
    },
  });
  expect(report.exitCode).toBe(143);
  expect(report.results[0]).toMatchObject({ name: 'gone', state: 'failed', attempts: 1 });
});

test('an up-to-date target costs one ledger read: no lock is taken (a held lock does not delay it)', async () => {
  const targets = schemaTargets(2);
  await runFleet(fleetContext(url, dir), { command: 'apply', source: list(targets), policy: policy(), runDir });
  const holder = await db.connect();
  await holder.query('SELECT pg_advisory_lock($1::bigint)', [
    lockKey({ schema: 't_000', table: 'tidemark_migrations' }).toString(),
  ]);
  try {
    const report = await runFleet(fleetContext(url, dir, { lockWait: 0 }), {
      command: 'apply',
      source: list(targets),
      policy: policy(),
      runDir,
    });
    expect(report.results.map((r) => r.state)).toEqual(['up-to-date', 'up-to-date']);
  } finally {
    await holder.end();
  }
});
