/**
 * Where a fleet's targets come from (a file with {"env": …} urls, a query
 * against a control database, a command printing JSON lines), and the
 * library's migrateTarget (a tenant's sign-up; two racing calls).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { migrateTarget } from '../../lib';
import { ConfigError } from '../../lib/errors';
import { runFleet } from '../../lib/migrator';
import { useTestDatabase } from '../helpers/db';
import { tempDir, useMigrationsDir } from '../helpers/files';
import {
  APPLIED_TABLE,
  fleetContext,
  PASSWORD,
  policy,
  TENANT_MIGRATIONS,
  urlWithPassword,
} from '../helpers/fleet-core';

jest.setTimeout(60_000);
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

test('a targets file: url from {"env": …} at use; a missing variable fails that target only, naming the file, entry and variable', async () => {
  const file = path.join(runDir, 'targets.json');
  process.env.FLEET_TEST_URL_A = url;
  delete process.env.FLEET_TEST_URL_MISSING;
  writeFileSync(
    file,
    JSON.stringify([
      { name: 'a', url: { env: 'FLEET_TEST_URL_A' }, schema: 'tenant_a', labels: { tier: 'free' } },
      { name: 'b', url: { env: 'FLEET_TEST_URL_MISSING' }, schema: 'tenant_b' },
      { name: 'c', schema: 'tenant_c' },
    ]),
  );
  const report = await runFleet(fleetContext(url, dir), {
    command: 'apply',
    source: { kind: 'file', path: file },
    policy: policy(),
    runDir,
  });
  const states = Object.fromEntries(report.results.map((r) => [r.name, r.state]));
  expect(states).toEqual({ a: 'migrated', b: 'failed', c: 'migrated' });
  const b = report.results.find((r) => r.name === 'b');
  expect(b?.failure?.message).toBe(
    `${file} entry 2 ("b"): url names the environment variable FLEET_TEST_URL_MISSING, which is not set.`,
  );
  expect(b?.failure?.exitCode).toBe(2);
  expect(JSON.stringify(report)).not.toContain(PASSWORD);
  delete process.env.FLEET_TEST_URL_A;
});

test('a bad targets file is exit 2 naming the file and the entry', async () => {
  const file = path.join(runDir, 'targets.json');
  writeFileSync(
    file,
    JSON.stringify([
      { name: 'a', schema: 'a' },
      { name: 'a', schema: 'b' },
    ]),
  );
  const err = await runFleet(fleetContext(url, dir), {
    command: 'apply',
    source: { kind: 'file', path: file },
    policy: policy(),
    runDir,
  }).catch((e) => e);
  expect(err).toBeInstanceOf(ConfigError);
  expect(err.message).toBe(
    `${file} entry 2: the name "a" is already used by ${file} entry 1; every target needs its own name.`,
  );
  const missing = await runFleet(fleetContext(url, dir), {
    command: 'apply',
    source: { kind: 'file', path: path.join(runDir, 'nope.json') },
    policy: policy(),
    runDir,
  }).catch((e) => e);
  expect(missing.message).toMatch(/The targets file .*nope\.json \(--targets\) does not exist\./);
});

test('--targets-query: the rows of a control database, labels from jsonb', async () => {
  await db.query(
    `CREATE TABLE tenants (name text, schema text, tier text); INSERT INTO tenants VALUES ('x', 'tenant_x', 'canary'), ('y', 'tenant_y', 'paid')`,
  );
  const report = await runFleet(fleetContext(url, dir), {
    command: 'apply',
    source: {
      kind: 'query',
      sql: `SELECT name, schema, jsonb_build_object('tier', tier) AS labels FROM tenants ORDER BY name`,
    },
    policy: policy({ canary: 'tier=canary' }),
    runDir,
  });
  expect(report.results.map((r) => [r.name, r.wave, r.state, r.labels.tier])).toEqual([
    ['x', 'canary', 'migrated', 'canary'],
    ['y', 'wave 1', 'migrated', 'paid'],
  ]);
  const bad = await runFleet(fleetContext(url, dir), {
    command: 'apply',
    source: { kind: 'query', sql: 'SELECT nam FROM tenants' },
    policy: policy(),
    runDir,
  }).catch((e) => e);
  expect(bad).toBeInstanceOf(ConfigError);
  expect(bad.message).toMatch(
    /--targets-query failed on the control database: column "nam" does not exist \(SQLSTATE 42703\)/,
  );
});

test('--targets-cmd: JSON lines from a command; a failing command is a clear error', async () => {
  const command = `printf '%s\\n' '{"name": "p", "schema": "tenant_p"}' '' '{"name": "q", "schema": "tenant_q"}'`;
  const report = await runFleet(fleetContext(url, dir), {
    command: 'apply',
    source: { kind: 'command', command },
    policy: policy(),
    runDir,
  });
  expect(report.results.map((r) => r.name).sort()).toEqual(['p', 'q']);
  expect(report.counts.migrated).toBe(2);
  const failing = await runFleet(fleetContext(url, dir), {
    command: 'apply',
    source: { kind: 'command', command: 'echo "no tenants table" >&2; exit 3' },
    policy: policy(),
    runDir,
  }).catch((e) => e);
  expect(failing).toBeInstanceOf(ConfigError);
  expect(failing.message).toBe('--targets-cmd exited with 3: no tenants table. Fix the command; no target was run.');
  const garbage = await runFleet(fleetContext(url, dir), {
    command: 'apply',
    source: { kind: 'command', command: 'echo not-json' },
    policy: policy(),
    runDir,
  }).catch((e) => e);
  expect(garbage.message).toMatch(/^--targets-cmd line 1 is not a JSON object/);
});

test('migrateTarget: a new tenant at sign-up; two racing calls apply each migration once; a second call is a no-op', async () => {
  const tenant = { name: 'acme', url, schema: 'acme' };
  const [one, two] = await Promise.all([migrateTarget(tenant, { dir }), migrateTarget(tenant, { dir })]);
  expect(one.completed.length + two.completed.length).toBe(3);
  expect(await db.query('SELECT version, count(*)::int AS n FROM public.applied GROUP BY 1 ORDER BY 1')).toEqual([
    { version: 1, n: 1 },
    { version: 2, n: 1 },
    { version: 3, n: 1 },
  ]);
  expect(await db.query('SELECT owner FROM acme.items')).toEqual([{ owner: 'acme' }]);
  expect((await migrateTarget(tenant, { dir })).completed).toHaveLength(0);
  const bad = await migrateTarget({ name: 'x', schema: 'pg_x' }, { dir, url }).catch((e) => e);
  expect(bad.exitCode).toBe(2);
});
