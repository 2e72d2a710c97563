/**
 * `tidemark fleet` on a terminal: the live line (done, failed, running, ETA)
 * instead of a line per target, and the summary on stdout. main() with a
 * stderr that says it is a TTY, as bin/tidemark runs it in a terminal.
 */
import path from 'node:path';
import { main } from '../../lib/cli/main';
import { createFleet, FLEET_PASSWORD, fleetMigrations, writeTargets, type Fleet } from '../helpers/fleet';
import { removeDir, tempDir, writeMigrations } from '../helpers/files';

let fleet: Fleet;
let dir: string;
const cwd = process.cwd();

beforeAll(async () => {
  fleet = await createFleet(3);
  dir = tempDir('tidemark-fleet-live-');
  process.chdir(dir); // the run file goes to ./.tidemark/runs
}, 60_000);

afterAll(async () => {
  process.chdir(cwd);
  await fleet?.drop();
  if (dir) removeDir(dir);
}, 60_000);

test('a terminal gets the live line with the counts, not a line per target; stdout the summary', async () => {
  const sql = writeMigrations(path.join(dir, 'sql'), fleetMigrations(2, 'l'));
  const targets = writeTargets(path.join(dir, 'targets.json'), fleet);
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk), isTTY: true },
    env: {},
  };
  const code = await main(['fleet', 'apply', '--dir', sql, '--targets', targets], io);
  expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
  expect(stderr).toMatch(/\r\x1b\[Kfleet apply: 3\/3 done, 0 failed, 0 running/);
  expect(stderr).not.toMatch(/✓ /); // no line per target on a terminal
  expect(stderr.endsWith('\r\x1b[K')).toBe(true); // the line is cleared at the end
  expect(stdout).toMatch(/^fleet apply: 3 targets: 3 migrated in /);
  expect(stdout + stderr).not.toContain(FLEET_PASSWORD);
});

test('--report before the action does not swallow it (a repeatable string flag, not a yargs array)', async () => {
  const { runInProcess } = await import('../helpers/in-process');
  const result = await runInProcess(
    ['fleet', '--report', 'json=out/a.json', '--report', 'junit=out/b.xml', 'apply', '--targets', 'missing.json'],
    { cwd: dir },
  );
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('missing.json');
  expect(result.stderr).not.toContain('Unknown');
});
