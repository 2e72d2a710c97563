/**
 * A fleet killed with SIGKILL mid-run (a child process calling the built
 * library, dist/lib/index.js) leaves a usable run file, and running the
 * same fleet again finishes it: every target migrated exactly once.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseRunFile } from '../../lib/fleet/run-file';
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
const LIBRARY = path.resolve(__dirname, '../../dist/lib/index.js');

const CHILD = `
const { fleet } = require(process.argv[2]);
const options = JSON.parse(process.argv[3]);
fleet(options).then((r) => process.exit(r.exitCode), (e) => { console.error(e.message); process.exit(1); });
`;

async function waitFor(check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('kill -9 mid-fleet, then the same fleet again: every target migrated exactly once', async () => {
  if (!existsSync(LIBRARY)) throw new Error('dist/lib/index.js is missing: run `npm run build` first.');
  await db.query(APPLIED_TABLE);
  const dir = migrations({
    ...TENANT_MIGRATIONS,
    '004_slow.up.sql': 'SELECT pg_sleep(0.2);',
    '004_slow.down.sql': 'SELECT 1;',
  });
  const runDir = migrations.track(tempDir('tidemark-runs-'));
  const script = path.join(runDir, 'child.js');
  writeFileSync(script, CHILD);
  const url = urlWithPassword(db.name);
  const targets = schemaTargets(24);
  const options = {
    url,
    dir,
    runDir,
    targets: targets.map(({ name, schema }) => ({ name, schema })),
    policy: { concurrency: 2 },
  };
  const child = spawn(process.execPath, [script, LIBRARY, JSON.stringify(options)], { stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const runFile = () => readdirSync(runDir).filter((f) => f.endsWith('.json'))[0];
  const finished = () =>
    runFile() ? readFileSync(path.join(runDir, runFile()), 'utf8').split('"kind":"target"').length - 1 : 0;
  await waitFor(() => finished() >= 4, 60_000);
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');

  const killed = parseRunFile(readFileSync(path.join(runDir, runFile()), 'utf8'), runFile());
  expect(killed.ended).toBe(false);
  expect(killed.results.size).toBeGreaterThanOrEqual(4);
  expect(killed.results.size).toBeLessThan(24);
  expect([...killed.results.values()].every((r) => r.state === 'migrated')).toBe(true);

  const report = await runFleet(fleetContext(url, dir), {
    command: 'apply',
    source: { kind: 'list', targets },
    policy: policy({ concurrency: 4 }),
    runDir,
  });
  expect(report.exitCode).toBe(0);
  expect(report.counts.migrated + report.counts['up-to-date']).toBe(24);
  expect(report.counts['up-to-date']).toBeGreaterThanOrEqual(killed.results.size);
  const counts = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM public.applied GROUP BY schema_name, version',
  );
  expect(counts).toHaveLength(24 * 3);
  expect(counts.every((c) => c.n === 1)).toBe(true);
  const ledgers = await db.query<{ s: string }>(
    `SELECT schemaname AS s FROM pg_tables WHERE tablename = 'tidemark_migrations'`,
  );
  expect(ledgers).toHaveLength(24);
  for (const { s } of ledgers)
    expect(await db.query(`SELECT count(*)::int AS n FROM ${s}.tidemark_migrations WHERE state = 'applied'`)).toEqual([
      { n: 4 },
    ]);
  for (const f of readdirSync(runDir)) expect(readFileSync(path.join(runDir, f), 'utf8')).not.toContain(PASSWORD);
});
