/**
 * No secret in any output (issue 13): every malformed connection-string
 * shape, and the well-formed ones, through every command and both log
 * formats; all output is searched for the password. A malformed string is
 * refused (exit 2) before anything connects: a listener standing in for
 * the server PG* points at sees no connection (pg used to send the whole
 * string to it as a database name).
 */
import { createServer, type Server } from 'node:net';
import { jsonLines, type CliResult } from '../helpers/cli';
import { runInProcess } from '../helpers/in-process';
import { freePort } from '../helpers/cluster';
import { ADMIN_PORT, createTestDatabase, type TestDatabase } from '../helpers/db';
import { fixture } from '../helpers/fixtures';

const SECRET = 's3cretPW';
const dir = fixture('basic');
const FORMATS = ['human', 'json'] as const;

/** Every command, with the arguments it needs to get as far as connecting. */
const COMMANDS: Record<string, string[]> = {
  apply: ['apply', '--dir', dir],
  rollback: ['rollback', '--dir', dir],
  status: ['status', '--dir', dir],
  verify: ['verify', '--dir', dir],
  test: ['test', '--dir', dir],
  config: ['config'],
  baseline: ['baseline', '--dir', dir, '--version', '1'],
  repair: ['repair', '--dir', dir],
};

const MALFORMED = [
  `postgres:/u:${SECRET}@127.0.0.1/db`,
  `postgresql:/u:${SECRET}@127.0.0.1/db`,
  `postgres//u:${SECRET}@127.0.0.1/db`,
  `postgres:u:${SECRET}@127.0.0.1/db`,
  `u:${SECRET}@127.0.0.1/db`,
  `postgres://u:ab/${SECRET}@127.0.0.1/db`,
];

/** A TCP listener that counts connections and closes each at once. */
let listener: Server;
let listenerPort: number;
let connections = 0;

beforeAll(async () => {
  listener = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  listenerPort = (listener.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((resolve) => listener.close(resolve));
});

function expectNoSecret(run: CliResult, format: string): void {
  expect(run.stdout).not.toContain(SECRET);
  expect(run.stderr).not.toContain(SECRET);
  if (format === 'json') {
    jsonLines(run.stdout);
    jsonLines(run.stderr);
  }
}

/** Runs `jobs` at most `limit` at a time (the machine is shared). */
async function limited<T>(jobs: (() => Promise<T>)[], limit = 4): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < jobs.length) {
        const i = next++;
        results[i] = await jobs[i]();
      }
    }),
  );
  return results;
}

describe('a malformed connection string is refused before connecting, and never printed', () => {
  // PG* point at the listener: if anything connected, it would go there.
  const pointAtListener = () => ({ PGHOST: '127.0.0.1', PGPORT: String(listenerPort), PGUSER: 'postgres' });

  // Every command gets each shape as --url; DATABASE_URL, the same code path after the flag, through two of them.
  test.each(MALFORMED.flatMap((shape) => (['--url', 'DATABASE_URL'] as const).map((how) => [shape, how] as const)))(
    '%s in %s',
    async (shape, how) => {
      const commands = Object.entries(COMMANDS).filter(
        ([name]) => how === '--url' || name === 'status' || name === 'config',
      );
      const jobs = commands.flatMap(([name, args]) =>
        FORMATS.map((format) => async () => {
          const argv = [...args, '--log-format', format, ...(how === '--url' ? ['--url', shape] : [])];
          const env = { ...pointAtListener(), ...(how === 'DATABASE_URL' ? { DATABASE_URL: shape } : {}) };
          return { name, format, run: await runInProcess(argv, { env }) };
        }),
      );
      for (const { name, format, run } of await limited(jobs)) {
        expect([name, format, run.code]).toEqual([name, format, 2]);
        expect(run.stderr).toMatch(/is neither a postgres:\/\/ URL nor a key=value connection string|percent-encode/);
        expect(run.stderr).toMatch(/nothing was sent to the database/i);
        expectNoSecret(run, format);
      }
      expect(connections).toBe(0);
    },
  );
});

describe('a well-formed connection string with a password is never printed either', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  const shapes = async (): Promise<[string, string][]> => [
    // Trust authentication ignores the password; it is there to prove it is never printed.
    ['a URL to the live server', `postgres://postgres:${SECRET}@127.0.0.1:${ADMIN_PORT}/${db.name}`],
    [
      'key=value to the live server',
      `host=127.0.0.1 port=${ADMIN_PORT} user=postgres password=${SECRET} dbname=${db.name}`,
    ],
    ['a URL to a refused port', `postgres://postgres:${SECRET}@127.0.0.1:${await freePort()}/x`],
    [
      'a host list, the first refused',
      `postgres://postgres:${SECRET}@127.0.0.1:${await freePort()},127.0.0.1:${ADMIN_PORT}/${db.name}`,
    ],
  ];

  test('every command, both log formats', async () => {
    for (const [label, url] of await shapes()) {
      // One at a time: apply, rollback and baseline take the same lock.
      for (const [name, args] of Object.entries(COMMANDS)) {
        for (const format of FORMATS) {
          const run = await runInProcess([...args, '--log-format', format, '--url', url]);
          expect([label, name, format, run.code === null ? 'killed' : run.code <= 5 ? 'exit code' : run.code]).toEqual([
            label,
            name,
            format,
            'exit code',
          ]);
          expectNoSecret(run, format);
        }
      }
    }
  }, 240_000);
});
