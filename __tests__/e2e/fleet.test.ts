/**
 * `tidemark fleet` with the built CLI, on 30 databases and on 100 tenant
 * schemas of one database: a failing target (exit 7, named with SQLSTATE and
 * file:line in every report), `--only failed`, the canary and the thresholds
 * (exit 8, nothing started after), the status matrix, plan, the usage
 * errors (exit 2), and no password anywhere.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { runCli, type CliResult } from '../helpers/cli';
import {
  createFleet,
  FLEET_PASSWORD,
  fleetMigrations,
  passwordLeaks,
  targetName,
  writeTargets,
  type Fleet,
} from '../helpers/fleet';
import { ADMIN_PORT, createTestDatabase, type TestDatabase } from '../helpers/db';
import { removeDir, tempDir, writeMigrations } from '../helpers/files';
import { parseXml, type XmlElement } from '../helpers/xml';

let fleet: Fleet;
let dir: string;
let targets: string;
const outputs: Record<string, string> = {};

beforeAll(async () => {
  fleet = await createFleet(30);
  dir = tempDir('tidemark-fleet-');
  targets = writeTargets(path.join(dir, 'targets.json'), fleet, 0);
}, 60_000);

afterAll(async () => {
  await fleet?.drop();
  if (dir) removeDir(dir);
}, 60_000);

async function fleetRun(label: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const result = await runCli(['fleet', ...args], { cwd: dir, env, timeoutMs: 90_000 });
  outputs[`${label} stdout`] = result.stdout;
  outputs[`${label} stderr`] = result.stderr;
  return result;
}

interface Target {
  name: string;
  state: string;
  attempts: number;
  failure?: { sqlstate: string | null; location: string | null; message: string; exit_code: number };
  status?: { highest_applied: string | null; pending: number; drift: number; failed_rows: number };
}
interface Doc {
  exit_code: number;
  stopped_by: string | null;
  counts: Record<string, number>;
  targets: Target[];
  groups?: Record<string, string[]>;
}
const docOf = (r: CliResult) => JSON.parse(r.stdout) as Doc;
const byState = (doc: Doc, state: string) =>
  doc.targets
    .filter((t) => t.state === state)
    .map((t) => t.name)
    .sort();

describe('a failing target: exit 7, the others finish, the reports name it; --only failed reruns it', () => {
  const bad = () => fleet.names[7];

  test('exit 7 with SQLSTATE and file:line in the summary, --json, the JSON and JUnit reports', async () => {
    const sql = writeMigrations(path.join(dir, 'fail'), fleetMigrations(4, 'f'));
    await fleet.query(bad(), 'CREATE TABLE f3 (x int)'); // 003_f3.up.sql will fail there: 42P07
    const args = [
      'apply',
      '--dir',
      sql,
      '--table',
      'fail_ledger',
      '--targets',
      targets,
      '--report',
      'junit=out/f.xml',
      '--report',
      'json=out/f.json',
    ];
    const text = await fleetRun('fail text', args);
    expect(text.code).toBe(7);
    expect(text.stdout).toMatch(
      new RegExp(
        `007\\s+127\\.0\\.0\\.1:${ADMIN_PORT}\\/\\S+\\s+42P07\\s+\\S*003_f3\\.up\\.sql:1:\\d+\\s+relation "f3" already exists`,
      ),
    );
    expect(text.stderr).toMatch(/✗ 007 .*SQLSTATE 42P07/);

    const doc = JSON.parse(readFileSync(path.join(dir, 'out/f.json'), 'utf8')) as Doc;
    expect(doc.exit_code).toBe(7);
    expect(byState(doc, 'failed')).toEqual(['007']);
    expect(doc.counts.migrated).toBe(29);
    const failed = doc.targets.find((t) => t.name === '007')!;
    expect(failed.failure).toMatchObject({ sqlstate: '42P07', exit_code: 1 });
    expect(failed.failure!.location).toMatch(/003_f3\.up\.sql:1:\d+$/);
    expect(failed.attempts).toBe(1); // not transient: not retried

    const junit = parseXml(readFileSync(path.join(dir, 'out/f.xml'), 'utf8'));
    const cases = (function all(e: XmlElement): XmlElement[] {
      return e.children.flatMap((c) => [...(c.name === 'testcase' ? [c] : []), ...all(c)]);
    })(junit);
    const failures = cases.filter((c) => c.children.some((x) => x.name === 'failure'));
    expect(failures.map((c) => c.attrs.name)).toEqual(['007']);
    const failure = failures[0].children.find((x) => x.name === 'failure')!;
    expect(failure.attrs.type).toBe('42P07');
    expect(failure.attrs.message).toMatch(/^SQLSTATE 42P07: \S*003_f3\.up\.sql:1:\d+: relation "f3" already exists/);
  }, 120_000);

  test('--only failed runs only the failed target of the last run, which now succeeds', async () => {
    const sql = path.join(dir, 'fail');
    await fleet.query(bad(), 'DROP TABLE f3');
    const rerun = await fleetRun('only failed', [
      'apply',
      '--dir',
      sql,
      '--table',
      'fail_ledger',
      '--targets',
      targets,
      '--only',
      'failed',
      '--json',
    ]);
    expect(rerun.code).toBe(0);
    const doc = docOf(rerun);
    expect(doc.targets.map((t) => t.name)).toEqual(['007']);
    expect(byState(doc, 'migrated')).toEqual(['007']);
    const ledger = await fleet.query<{ n: string }>(bad(), 'SELECT count(*) AS n FROM public.fail_ledger');
    expect(ledger[0].n).toBe('4');
  }, 120_000);
});

describe('a transient failure: a lock held by another session, with a short --lock-timeout', () => {
  const migrations = () =>
    writeMigrations(path.join(dir, 'locked'), {
      '001_r_add.up.sql': 'ALTER TABLE r_locked ADD COLUMN note text;\n',
      '001_r_add.down.sql': 'ALTER TABLE r_locked DROP COLUMN note;\n',
    });
  const hold = async (name: string) => {
    const c = new Client({ connectionString: fleet.url(name) });
    await c.connect();
    await c.query('BEGIN; LOCK TABLE r_locked IN ACCESS EXCLUSIVE MODE');
    return c;
  };
  beforeAll(async () => {
    await fleet.queryAll('CREATE TABLE r_locked (id int)');
  }, 60_000);

  test('without --retries: exit 7, 55P03 named; with --retries: retried until the lock is released, exit 0', async () => {
    const sql = migrations();
    const base = [
      'apply',
      '--dir',
      sql,
      '--table',
      'lock_ledger',
      '--targets',
      targets,
      '--lock-timeout',
      '200ms',
      '--json',
    ];
    const holder = await hold(fleet.names[5]);
    try {
      const once = await fleetRun('locked once', base);
      expect(once.code).toBe(7);
      const failed = docOf(once).targets.find((t) => t.state === 'failed')!;
      expect(failed).toMatchObject({ name: '005', attempts: 1, failure: { sqlstate: '55P03' } });
      setTimeout(() => void holder.query('COMMIT'), 1500);
      const retried = await fleetRun('locked retried', [...base, '--retries', '5']);
      expect(retried.code).toBe(0);
      const target = docOf(retried).targets.find((t) => t.name === '005')!;
      expect(target.state).toBe('migrated');
      expect(target.attempts).toBeGreaterThan(1);
    } finally {
      await holder.end();
    }
    const columns = await fleet.queryAll<{ n: string }>(
      "SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'r_locked' AND column_name = 'note'",
    );
    expect([...columns.values()].every((rows) => rows[0].n === '1')).toBe(true);
  }, 120_000);
});

describe('stopping early: exit 8, and nothing starts after the stop', () => {
  test('a canary that fails: nothing else runs', async () => {
    const sql = writeMigrations(path.join(dir, 'canary'), fleetMigrations(2, 'c'));
    await fleet.query(fleet.names[0], 'CREATE TABLE c2 (x int)');
    const result = await fleetRun('canary', [
      'apply',
      '--dir',
      sql,
      '--table',
      'canary_ledger',
      '--targets',
      targets,
      '--canary',
      '1',
      '--json',
    ]);
    expect(result.code).toBe(8);
    const doc = docOf(result);
    expect(byState(doc, 'failed')).toEqual(['000']);
    expect(doc.counts.not_started).toBe(29);
    expect(doc.stopped_by).toMatch(/canary/);
    const ledgers = await fleet.queryAll<{ t: string | null }>("SELECT to_regclass('public.canary_ledger')::text AS t");
    const touched = [...ledgers].filter(([, rows]) => rows[0].t !== null).map(([name]) => targetName(name));
    expect(touched).toEqual(['000']);
  }, 120_000);

  test('--max-failures 1 at --concurrency 1: the targets after the failure are not started', async () => {
    const sql = writeMigrations(path.join(dir, 'threshold'), fleetMigrations(2, 'h'));
    await fleet.query(fleet.names[3], 'CREATE TABLE h2 (x int)');
    const result = await fleetRun('threshold', [
      'apply',
      '--dir',
      sql,
      '--table',
      'threshold_ledger',
      '--targets',
      targets,
      '--max-failures',
      '1',
      '--concurrency',
      '1',
      '--json',
      '--report',
      'junit=out/h.xml',
    ]);
    expect(result.code).toBe(8);
    const doc = docOf(result);
    expect(byState(doc, 'migrated')).toEqual(['000', '001', '002']);
    expect(byState(doc, 'failed')).toEqual(['003']);
    expect(doc.counts.not_started).toBe(26);
    const untouched = await fleet.queryAll<{ t: string | null }>(
      "SELECT to_regclass('public.threshold_ledger')::text AS t",
    );
    expect(fleet.names.slice(4).every((n) => untouched.get(n)![0].t === null)).toBe(true);
    const junit = readFileSync(path.join(dir, 'out/h.xml'), 'utf8');
    expect(parseXml(junit).children[0].attrs).toMatchObject({ tests: '30', failures: '1', skipped: '26' });
  }, 120_000);
});

describe('100 tenant schemas in one database, listed by --targets-cmd', () => {
  let db: TestDatabase;
  let cmd: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    const url = new URL(db.url);
    url.password = FLEET_PASSWORD;
    const lines = Array.from({ length: 100 }, (_, i) =>
      JSON.stringify({ name: `tenant${i}`, url: url.toString(), schema: `tenant_${i}` }),
    );
    writeFileSync(path.join(dir, 'tenants.jsonl'), `${lines.join('\n')}\n`);
    cmd = `cat ${path.join(dir, 'tenants.jsonl')}`;
  });
  afterAll(() => db?.drop());

  test('apply: each schema gets its own ledger and tables, from unqualified names', async () => {
    const sql = writeMigrations(path.join(dir, 'schemas'), fleetMigrations(3, 'x'));
    const result = await fleetRun('schemas', [
      'apply',
      '--dir',
      sql,
      '--targets-cmd',
      cmd,
      '--per-host',
      '4',
      '--concurrency',
      '8',
    ]);
    expect(result.code).toBe(0);
    const rows = await db.query<{ schema: string; tables: string }>(
      "SELECT table_schema AS schema, string_agg(table_name, ',' ORDER BY table_name) AS tables FROM information_schema.tables WHERE table_schema LIKE 'tenant\\_%' GROUP BY 1",
    );
    expect(rows).toHaveLength(100);
    expect(rows.filter((r) => r.tables !== 'tidemark_migrations,x2,x3,x_runs')).toEqual([]);
    const publicTables = await db.query("SELECT 1 FROM information_schema.tables WHERE table_schema = 'public'");
    expect(publicTables).toEqual([]);
  }, 120_000);

  test('status: the version matrix groups the tenants that are behind', async () => {
    const sql = path.join(dir, 'schemas');
    writeMigrations(sql, { '004_x4.up.sql': 'CREATE TABLE x4 (id int);\n', '004_x4.down.sql': 'DROP TABLE x4;\n' });
    const text = await fleetRun('status', ['status', '--dir', sql, '--targets-cmd', cmd]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Highest applied: 3 on 100 targets.');
    expect(text.stdout).toContain('Behind: migrations pending: 100');
    const json = docOf(await fleetRun('status json', ['status', '--dir', sql, '--targets-cmd', cmd, '--json']));
    expect(json.groups!.behind).toHaveLength(100);
    expect(json.targets[0].status).toEqual({ highest_applied: '3', pending: 1, drift: 0, failed_rows: 0 });
    const plan = docOf(await fleetRun('plan', ['plan', '--dir', sql, '--targets-cmd', cmd, '--json']));
    expect(
      plan.targets.every((t) => JSON.stringify((t as unknown as { versions: string[] }).versions) === '["4"]'),
    ).toBe(true);
  }, 120_000);

  test('apply --dry-run: every tenant would run 4, none is called up to date, nothing is applied', async () => {
    const sql = path.join(dir, 'schemas');
    const args = ['apply', '--dry-run', '--dir', sql, '--targets-cmd', cmd];
    const text = await fleetRun('dry run', args);
    expect(text.code).toBe(0);
    expect(text.stdout + text.stderr).not.toMatch(/: up to date/);
    expect(text.stderr).toContain('tenant0 (');
    expect(text.stderr).toMatch(/tenant0 \([^)]*\): would run 1 migration \(4\)/);
    const json = docOf(await fleetRun('dry run json', [...args, '--json']));
    expect(json.counts['up-to-date'] ?? 0).toBe(0);
    expect(json.targets.every((t) => t.state === 'checked')).toBe(true);
    expect(
      json.targets.every((t) => JSON.stringify((t as unknown as { versions: string[] }).versions) === '["4"]'),
    ).toBe(true);
    expect(await db.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'x4'")).toEqual([]);
  }, 120_000);
});

describe('usage errors: exit 2 before any target is touched', () => {
  test.each([
    [[], 'give exactly one of --targets FILE, --targets-query SQL or --targets-cmd CMD'],
    [['--targets', 't.json', '--targets-cmd', 'true'], 'give exactly one of'],
    [['--targets', 'missing.json'], 'missing.json'],
    [['--targets', 't.json', '--report', 'xml=a'], 'json=PATH or junit=PATH'],
  ])('fleet apply %j', async (args, message) => {
    const result = await runCli(['fleet', 'apply', ...args], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});

test('no password in any output, report or run file', () => {
  expect(Object.keys(outputs).length).toBeGreaterThanOrEqual(10);
  expect(passwordLeaks(outputs, [dir], [targets, path.join(dir, 'tenants.jsonl')])).toEqual([]);
});
