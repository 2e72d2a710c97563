/** connect(): which failures it retries, and that each attempt is logged with its reason. */
import { connect } from '../../lib/db/connection';
import { ConnectionError } from '../../lib/errors';
import { freePort } from '../helpers/cluster';
import { ADMIN_URL } from '../helpers/db';
import { captureLogger } from '../helpers/logger';

async function failure(promise: Promise<unknown>): Promise<ConnectionError> {
  const err = await promise.then(
    () => new Error('connected'),
    (e: unknown) => e,
  );
  if (err instanceof ConnectionError) return err;
  throw err;
}

test('retries a refused connection until --wait runs out, logging every attempt with its reason', async () => {
  const port = await freePort();
  const { logger, lines } = captureLogger();
  const started = Date.now();
  const err = await failure(connect({ url: `postgres://postgres:pw1234@127.0.0.1:${port}/x`, wait: 1 }, logger));
  expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
  expect(err).toMatchObject({ code: 'unreachable', exitCode: 5, target: `postgres@127.0.0.1:${port}/x` });
  expect(err.message).toContain('connection refused');
  expect(lines.length).toBeGreaterThanOrEqual(2);
  lines.forEach((line, i) => {
    expect(line).toMatchObject({ level: 30, attempt: i + 1, reason: expect.stringContaining('connection refused') });
    expect(line.msg).toContain('connection refused');
  });
  expect(JSON.stringify(lines)).not.toContain('pw1234');
});

test('does not retry a failure waiting cannot fix (a database that does not exist)', async () => {
  const url = new URL(ADMIN_URL);
  url.pathname = '/tidemark_no_such_database';
  const { logger, lines } = captureLogger();
  const started = Date.now();
  const err = await failure(connect({ url: url.toString(), wait: 10 }, logger));
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(err.message).toContain('tidemark_no_such_database');
  expect(lines).toEqual([]);
});

test('a reachable server connects on the first attempt, logging nothing', async () => {
  const { logger, lines } = captureLogger();
  const client = await connect({ url: ADMIN_URL, wait: 5 }, logger);
  await client.end();
  expect(lines).toEqual([]);
});
