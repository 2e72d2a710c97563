/**
 * --log-format json: every line on stdout and stderr is one JSON object with
 * `level` and `msg`, whatever the outcome; a failure carries its facts as fields.
 */
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { jsonLines, runCli, type CliResult } from '../helpers/cli';
import { useTestDatabase } from '../helpers/db';
import { tempDir, useMigrationsDir } from '../helpers/files';
import { copyFixture, fixture } from '../helpers/fixtures';

const db = useTestDatabase();
const dirs = useMigrationsDir();

const json = (args: string[]) => runCli([...args, '--log-format', 'json']);

/** Every line of both streams, parsed; each must have a numeric level and a string msg. */
function allLines(run: CliResult): { out: Record<string, unknown>[]; err: Record<string, unknown>[] } {
  const out = jsonLines(run.stdout);
  const err = jsonLines(run.stderr);
  for (const line of [...out, ...err]) {
    expect(typeof line.level).toBe('number');
    expect(typeof line.msg).toBe('string');
  }
  return { out, err };
}

test('a failed migration: every line is JSON, and the failure carries file, sqlstate, line and column', async () => {
  const run = await json(['apply', '--dir', fixture('failing-second'), '--url', db.url]);
  expect(run.code).toBe(1);
  const { err } = allLines(run);
  const applied = err.find((l) => l.version === '1');
  expect(applied).toMatchObject({ level: 30, name: 'create_alpha', direction: 'up' });
  const failure = err.find((l) => (l.level as number) >= 50);
  expect(failure).toMatchObject({ file: '002_broken.up.sql', sqlstate: '42704', line: 7, column: 21, version: '2' });
  expect(failure?.msg).toContain('numerc');
});

test('a successful apply, status, dry run and rollback write only JSON lines', async () => {
  const dir = fixture('basic');
  const url = ['--dir', dir, '--url', db.url];
  const dry = await json(['apply', '--dry-run', ...url]);
  const apply = await json(['apply', ...url]);
  const [status, statusJson] = await Promise.all([json(['status', ...url]), json(['status', '--json', ...url])]);
  const rollback = await json(['rollback', ...url]);
  for (const run of [dry, apply, status, statusJson, rollback]) {
    expect(run.code).toBe(0);
    allLines(run);
  }
  expect(jsonLines(apply.stdout)).toHaveLength(1);
  expect(jsonLines(apply.stdout)[0]).toMatchObject({ direction: 'up', pending: 0 });
  expect(jsonLines(apply.stderr).map((l) => l.version)).toEqual(['1', '2', '3']);
  const doc = jsonLines(statusJson.stdout);
  expect(doc).toHaveLength(1);
  expect((doc[0].migrations as unknown[]).length).toBe(3);
});

test('every kind of error is one JSON line too: drift, files, lock, connection, usage', async () => {
  const edited = copyFixture('basic');
  const empty = tempDir();
  dirs.track(edited, empty);
  expect((await runCli(['apply', '--dir', edited, '--url', db.url])).code).toBe(0);
  appendFileSync(path.join(edited, '002_create_beta.up.sql'), 'SELECT 1; -- edited\n');

  const runs = await Promise.all([
    json(['apply', '--dir', edited, '--url', db.url]),
    json(['apply', '--dir', fixture('unpaired'), '--url', db.url]),
    json(['apply', '--dir', fixture('basic'), '--url', 'postgres://postgres:s3cretPW@127.0.0.1:1/x']),
    json(['apply', '--dir', '/does/not/exist', '--url', db.url]),
    json(['apply', '--bogus-flag', '--dir', empty]),
    json(['frobnicate']),
    json(['create', 'bad name', '--dir', empty]),
  ]);
  expect(runs.map((r) => r.code)).toEqual([3, 2, 5, 2, 2, 2, 2]);
  const [drift, files, unreachable] = runs.map((run) => {
    const { out, err } = allLines(run);
    expect(out).toEqual([]);
    expect(err.length).toBeGreaterThanOrEqual(1);
    return err[err.length - 1];
  });
  expect(drift).toMatchObject({ level: 50, code: 'drift' });
  expect(JSON.stringify(drift)).toContain('create_beta');
  expect(files).toMatchObject({ level: 50, code: 'scan' });
  expect(JSON.stringify(files)).toContain('002_orphan_up.up.sql');
  expect(unreachable).toMatchObject({ level: 50, code: 'unreachable' });
  expect(JSON.stringify(runs)).not.toContain('s3cretPW');
});

test('a lock timeout is a JSON line', async () => {
  const { lockKey } = await import('../../lib/db/lock');
  const client = await db.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1::bigint)', [
      lockKey({ schema: 'public', table: 'tidemark_migrations' }).toString(),
    ]);
    const run = await json(['apply', '--lock-wait', '0.5', '--dir', fixture('basic'), '--url', db.url]);
    expect(run.code).toBe(4);
    const { err } = allLines(run);
    expect(err[err.length - 1]).toMatchObject({ level: 50, code: 'lock-timeout' });
  } finally {
    await client.end();
  }
});
