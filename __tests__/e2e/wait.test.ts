/**
 * --wait against a server that is not listening yet: a second cluster is
 * created (initdb) once, and started only after the CLI has begun retrying.
 */
import { jsonLines, runCli, startCli } from '../helpers/cli';
import { createCluster, type Cluster } from '../helpers/cluster';
import { migrationsDir, removeDir } from '../helpers/files';

const SECRET = 's3cretWAIT';
let cluster: Cluster | undefined;
let dir: string | undefined;
let url: string;

beforeAll(async () => {
  dir = migrationsDir({ '001_a.up.sql': 'CREATE TABLE a (id int);', '001_a.down.sql': 'DROP TABLE a;' });
  cluster = await createCluster();
  // Trust authentication ignores the password; it is there to prove it is never printed.
  url = cluster.url.replace('postgres@', `postgres:${SECRET}@`);
}, 60_000);

afterAll(async () => {
  await cluster?.destroy();
  if (dir) removeDir(dir);
}, 60_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('without enough --wait: retries, logging the reason, then exits 5', async () => {
  const started = Date.now();
  const run = await runCli(['status', '--dir', dir!, '--wait', '1', '--url', url]);
  expect(run.code).toBe(5);
  expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  const attempts = run.stderr.split('\n').filter((line) => line.includes('retrying'));
  expect(attempts.length).toBeGreaterThanOrEqual(2);
  for (const line of attempts) expect(line).toContain('connection refused');
  expect(run.stderr).toContain(`127.0.0.1:${cluster!.port}`);
  expect(run.stdout + run.stderr).not.toContain(SECRET);
});

test('--wait 20 started before the server listens: connects once it does and exits 0', async () => {
  const running = startCli(['status', '--dir', dir!, '--wait', '20', '--log-format', 'json', '--url', url], {
    timeoutMs: 40_000,
  });
  await sleep(1_500);
  await cluster!.start();
  const run = await running.done;
  expect(run.code).toBe(0);
  const attempts = jsonLines(run.stderr).filter((line) => line.attempt !== undefined);
  expect(attempts.length).toBeGreaterThanOrEqual(2);
  expect(attempts[0]).toMatchObject({ level: 30, attempt: 1, reason: expect.stringContaining('connection refused') });
  // While it starts, the server may also answer "the database system is starting up".
  for (const line of attempts) expect(line.reason).toMatch(/connection refused|starting up/);
  expect(attempts.map((line) => line.attempt)).toEqual(attempts.map((_, i) => i + 1));
  expect(jsonLines(run.stdout).at(-1)).toMatchObject({ summary: expect.objectContaining({ pending: 1 }) });
  expect(run.stdout + run.stderr).not.toContain(SECRET);
}, 60_000);
