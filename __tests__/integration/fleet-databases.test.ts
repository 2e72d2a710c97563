/**
 * runFleet over 30 databases (created from template0 and dropped within the
 * test file): one connection each, a failing one, the per-host cap, and the
 * library's fleet() with a target list.
 */
import { fleet } from '../../lib';
import type { FleetEvent } from '../../lib/fleet/types';
import { runFleet } from '../../lib/migrator';
import { ADMIN_PORT } from '../helpers/db';
import { tempDir, useMigrationsDir } from '../helpers/files';
import {
  admin,
  APPLIED_TABLE,
  createDatabases,
  dropDatabases,
  fleetContext,
  PASSWORD,
  policy,
  TENANT_MIGRATIONS,
  urlWithPassword,
} from '../helpers/fleet-core';

jest.setTimeout(180_000);
const migrations = useMigrationsDir();
let names: string[] = [];

beforeAll(async () => {
  names = await createDatabases(30);
  for (const name of names) await admin((c) => c.query(APPLIED_TABLE), name);
  await admin((c) => c.query('CREATE TABLE public.items (id int)'), names[17]); // 001 fails there: 42P07
});
afterAll(() => dropDatabases(names));

const targets = () => names.map((name, i) => ({ name, url: urlWithPassword(name), labels: { n: String(i) } }));

test('30 databases: 29 migrated, the failing one named with SQLSTATE and file:line, exit 7; the next run skips the migrated ones', async () => {
  const dir = migrations(TENANT_MIGRATIONS);
  const runDir = migrations.track(tempDir('tidemark-runs-'));
  const events: FleetEvent[] = [];
  let inFlight = 0;
  let most = 0;
  const report = await runFleet(fleetContext(undefined, dir), {
    command: 'apply',
    source: { kind: 'list', targets: targets() },
    policy: policy({ concurrency: 6, perHost: 3 }),
    runDir,
    onEvent: (e) => {
      events.push(e);
      if (e.kind === 'target-start') most = Math.max(most, ++inFlight);
      if (e.kind === 'target-end' && e.result.state !== 'not-started') inFlight--;
    },
  });
  expect(report.exitCode).toBe(7);
  expect(report.counts).toMatchObject({ migrated: 29, failed: 1 });
  const failed = report.results.find((r) => r.state === 'failed');
  expect(failed).toMatchObject({ name: names[17], host: `127.0.0.1:${ADMIN_PORT}/${names[17]}` });
  expect(failed?.failure).toMatchObject({ sqlstate: '42P07', location: '001_items.up.sql:1:1', exitCode: 1 });
  expect(most).toBeLessThanOrEqual(3); // one host: --per-host 3 caps --concurrency 6
  for (const name of [names[0], names[29]])
    expect(
      await admin((c) => c.query('SELECT count(*)::int AS n FROM public.tidemark_migrations'), name),
    ).toMatchObject({ rows: [{ n: 3 }] });
  expect(JSON.stringify(report) + JSON.stringify(events)).not.toContain(PASSWORD);

  const again = await runFleet(fleetContext(undefined, dir), {
    command: 'apply',
    source: { kind: 'list', targets: targets() },
    policy: policy({ concurrency: 6 }),
    runDir,
  });
  expect(again.counts).toMatchObject({ 'up-to-date': 29, failed: 1 });
  const applied = await admin(
    (c) => c.query('SELECT version, count(*)::int AS n FROM public.applied GROUP BY 1 ORDER BY 1'),
    names[3],
  );
  expect(applied.rows).toEqual([
    { version: 1, n: 1 },
    { version: 2, n: 1 },
    { version: 3, n: 1 },
  ]);
});

test("the library's fleet(): a target list, plan, and a bad policy refused with exit 2", async () => {
  const dir = migrations({
    ...TENANT_MIGRATIONS,
    '004_more.up.sql': 'ALTER TABLE items ADD COLUMN more int;',
    '004_more.down.sql': 'ALTER TABLE items DROP COLUMN more;',
  });
  const runDir = migrations.track(tempDir('tidemark-runs-'));
  const few = targets()
    .slice(0, 5)
    .map(({ name, url }) => ({ name, url }));
  const plan = await fleet({ dir, command: 'plan', targets: few, runDir });
  expect(plan.results.map((r) => r.versions.join())).toEqual(expect.arrayContaining(['4']));
  expect(plan.exitCode).toBe(0);
  const err = await fleet({ dir, targets: few, runDir, policy: { concurrency: 0 } }).catch((e) => e);
  expect(err.exitCode).toBe(2);
  expect(err.message).toMatch(/concurrency must be a whole number, 1 or more/);
});
