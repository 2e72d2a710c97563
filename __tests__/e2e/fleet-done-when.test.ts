/**
 * Issue 17's "Done when", with the built CLI: one command migrates a list of
 * 200 tenant databases with a canary, waves and a JUnit report; the same
 * list runs as a Kubernetes Indexed Job of 4 shards (4 processes with
 * JOB_COMPLETION_INDEX=0..3 and --shard-count 4), every target migrated
 * exactly once; a run killed with kill -9 mid-fleet is resumed by running
 * the same command again, every target ending migrated exactly once. Every
 * URL holds a password, and no output, report or run file does.
 *
 * The 200 databases are made once, from a template, and each test uses its
 * own migrations (their own tables and ledger table) on them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, startCli, type CliResult } from '../helpers/cli';
import {
  createFleet,
  fleetMigrations,
  notMigratedOnce,
  passwordLeaks,
  targetName,
  writeTargets,
  type Fleet,
} from '../helpers/fleet';
import { removeDir, tempDir, writeMigrations } from '../helpers/files';
import { parseXml, type XmlElement } from '../helpers/xml';

const COUNT = 200;
let fleet: Fleet;
let dir: string;
let targets: string;
const outputs: Record<string, string> = {};

beforeAll(async () => {
  fleet = await createFleet(COUNT);
  dir = tempDir('tidemark-fleet-');
  targets = writeTargets(path.join(dir, 'targets.json'), fleet, 2);
}, 120_000);

afterAll(async () => {
  await fleet?.drop();
  if (dir) removeDir(dir);
}, 120_000);

/** Runs `tidemark fleet …` in the test folder and keeps its output for the password check. */
async function fleetRun(label: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const result = await runCli(['fleet', ...args], { cwd: dir, env, timeoutMs: 170_000 });
  outputs[`${label} stdout`] = result.stdout;
  outputs[`${label} stderr`] = result.stderr;
  return result;
}

const testcases = (root: XmlElement): XmlElement[] =>
  root.children.flatMap((c) => [...(c.name === 'testcase' ? [c] : []), ...testcases(c)]);

interface Doc {
  exit_code: number;
  counts: Record<string, number>;
  targets: { name: string; state: string; wave: string; versions: string[] }[];
}

test('one command: 200 databases, a canary, waves and a JUnit report; then again, nothing to do', async () => {
  const sql = writeMigrations(path.join(dir, 'main'), fleetMigrations(5, 'm'));
  const result = await fleetRun('apply', [
    'apply',
    '--dir',
    sql,
    '--targets',
    targets,
    '--canary',
    'tier=canary',
    '--waves',
    '10%,50%,100%',
    '--concurrency',
    '8',
    '--report',
    'junit=reports/fleet.xml',
    '--report',
    'json=reports/fleet.json',
  ]);
  expect({ code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({ code: 0, stderr: '' });
  expect(result.stdout).toMatch(/^fleet apply: 200 targets: 200 migrated in /m);

  const junit = parseXml(readFileSync(path.join(dir, 'reports/fleet.xml'), 'utf8'));
  const cases = testcases(junit);
  expect(cases).toHaveLength(COUNT);
  expect(new Set(cases.map((c) => c.attrs.name))).toEqual(new Set(fleet.names.map(targetName)));
  expect(junit.children[0].attrs).toMatchObject({ tests: '200', failures: '0', skipped: '0' });

  const doc = JSON.parse(readFileSync(path.join(dir, 'reports/fleet.json'), 'utf8')) as Doc;
  const waveOf = (name: string) => doc.targets.find((t) => t.name === name)?.wave;
  expect([waveOf('000'), waveOf('001')]).toEqual(['canary', 'canary']);
  expect(new Set(doc.targets.map((t) => t.wave)).size).toBe(4); // the canary and three waves
  expect(doc.targets.every((t) => t.versions.length === 5)).toBe(true);
  expect(await notMigratedOnce(fleet, 'm', 5)).toEqual({});

  const again = await fleetRun('again', ['apply', '--dir', sql, '--targets', targets, '--json']);
  expect(again.code).toBe(0);
  expect((JSON.parse(again.stdout) as Doc).counts).toMatchObject({ up_to_date: COUNT, migrated: 0 });
  expect(await notMigratedOnce(fleet, 'm', 5)).toEqual({});
}, 180_000);

test('the same list as an Indexed Job of 4 shards: 4 processes, every target migrated exactly once', async () => {
  const sql = writeMigrations(path.join(dir, 'sharded'), fleetMigrations(3, 's'));
  const runs = [0, 1, 2, 3].map((index) =>
    fleetRun(
      `shard ${index}`,
      [
        'apply',
        '--dir',
        sql,
        '--table',
        'shard_ledger',
        '--targets',
        targets,
        '--shard-count',
        '4',
        '--concurrency',
        '4',
        '--report',
        `json=reports/shard-${index}.json`,
      ],
      { JOB_COMPLETION_INDEX: String(index) },
    ),
  );
  const results = await Promise.all(runs);
  expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);
  const shards = [0, 1, 2, 3].map(
    (i) => JSON.parse(readFileSync(path.join(dir, `reports/shard-${i}.json`), 'utf8')) as Doc & { shard: unknown },
  );
  expect(shards.map((s) => s.shard)).toEqual([0, 1, 2, 3].map((index) => ({ index, count: 4 })));
  const names = shards.flatMap((s) => s.targets.map((t) => t.name));
  expect(names).toHaveLength(COUNT); // disjoint …
  expect(new Set(names)).toEqual(new Set(fleet.names.map(targetName))); // … and complete
  expect(shards.every((s) => s.targets.length > 20)).toBe(true); // a spread, not one shard with everything
  expect(await notMigratedOnce(fleet, 's', 3)).toEqual({});
  const ledgers = await fleet.queryAll<{ n: string }>('SELECT count(*) AS n FROM public.shard_ledger');
  expect([...ledgers.values()].every((rows) => rows[0].n === '3')).toBe(true);
}, 180_000);

test('kill -9 mid-fleet, then the same command again: every target ends migrated exactly once', async () => {
  const sql = writeMigrations(path.join(dir, 'killed'), fleetMigrations(3, 'k', 20));
  const args = ['fleet', 'apply', '--dir', sql, '--table', 'kill_ledger', '--targets', targets, '--concurrency', '4'];
  const running = startCli(args, { cwd: dir, timeoutMs: 170_000 });
  let finished = 0;
  await new Promise<void>((resolve) => {
    running.child.stderr?.on('data', (chunk: Buffer) => {
      finished += (chunk.toString().match(/^✓ /gm) ?? []).length;
      if (finished >= 30) resolve();
    });
    void running.done.then(() => resolve());
  });
  running.child.kill('SIGKILL');
  const killed = await running.done;
  outputs['killed stderr'] = killed.stderr;
  expect(killed.code).toBeNull(); // killed mid-run, not finished
  const before = await notMigratedOnce(fleet, 'k', 3);
  expect(Object.keys(before).length).toBeGreaterThan(0);
  expect(Object.keys(before).length).toBeLessThan(COUNT - 25);

  const resumed = await fleetRun('resumed', [
    'apply',
    '--dir',
    sql,
    '--table',
    'kill_ledger',
    '--targets',
    targets,
    '--concurrency',
    '8',
    '--json',
  ]);
  expect(resumed.code).toBe(0);
  const doc = JSON.parse(resumed.stdout) as Doc;
  expect(doc.counts.up_to_date).toBeGreaterThanOrEqual(25);
  expect(doc.counts.migrated + doc.counts.up_to_date).toBe(COUNT);
  expect(await notMigratedOnce(fleet, 'k', 3)).toEqual({});
}, 180_000);

test('no password in any output, report or run file', () => {
  expect(Object.keys(outputs).length).toBeGreaterThanOrEqual(8);
  expect(passwordLeaks(outputs, [dir], [targets])).toEqual([]);
  // The check itself finds a password where there is one.
  expect(passwordLeaks({ probe: readFileSync(targets, 'utf8') }, [], [])).toEqual(['probe']);
});
