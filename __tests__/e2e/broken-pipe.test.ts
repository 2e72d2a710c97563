/**
 * `tidemark … | head`: the reader goes away mid-run. Node ignores SIGPIPE,
 * so the next write fails with EPIPE; unhandled, that error ended the
 * process at once (exit 1) and `tidemark test` left its throwaway database
 * on the server. A closed pipe now stops the run as SIGPIPE would, after
 * cleaning up: exit 141 (128 + 13, as a shell reports a SIGPIPE).
 */
import { spawn } from 'node:child_process';
import { BIN, ROOT } from '../helpers/cli';
import { useTestDatabase } from '../helpers/db';
import { useMigrationsDir } from '../helpers/files';

jest.setTimeout(60_000);
const db = useTestDatabase();
const migrations = useMigrationsDir();

/** 40 pairs, so the run is still going when the pipe closes. */
function manyPairs(): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 1; i <= 40; i++) {
    const v = String(i).padStart(3, '0');
    files[`${v}_t${v}.up.sql`] = `CREATE TABLE t${v} (id int PRIMARY KEY, name text);\nCREATE INDEX ON t${v} (name);\n`;
    files[`${v}_t${v}.down.sql`] = `DROP TABLE t${v};\n`;
  }
  return files;
}

test('tidemark test | head: the throwaway database is dropped and the exit code says SIGPIPE', async () => {
  const dir = migrations(manyPairs());
  const child = spawn(process.execPath, [BIN, 'test', '--verbose', '--dir', dir, '--url', db.url], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Read until the throwaway database is named and a migration has run, then close both pipes, as `head` does.
  const throwaway = await new Promise<string>((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const name = /created throwaway database (tidemark_rt_\w+)/.exec(text)?.[1];
      if (name && /round trip ok|applied/.test(text)) {
        child.stdout.destroy();
        child.stderr.destroy();
        resolve(name);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', () => reject(new Error(`tidemark exited before the pipe closed:\n${text}`)));
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  expect(code).toBe(141);
  const left = await db.query('SELECT datname FROM pg_database WHERE datname = $1', [throwaway]);
  expect(left).toEqual([]);
});

test('a reader gone before the last report is written: the run ended as it ended, no crash', async () => {
  const child = spawn(process.execPath, [BIN, 'config', '--url', db.url], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.destroy(); // `tidemark config | (exec 0<&-; true)`
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  expect(stderr).not.toMatch(/Unhandled|EPIPE|internal error/);
  expect(code).toBe(0);
});
