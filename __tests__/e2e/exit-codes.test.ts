/**
 * No run ends with exit 0 after a failure (issue 12): a port out of range or
 * not a number, from any source, is a configuration error (exit 2) naming
 * that source, raised before connecting; a connection whose goodbye never
 * ends still ends the run with its exit code; and bin/tidemark never exits 0
 * when main() did not resolve to 0.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, runCli } from '../helpers/cli';
import { ADMIN_PORT, createTestDatabase } from '../helpers/db';
import { startFakeServer, type FakeServer, type FakeServerMode } from '../helpers/fake-server';
import { tempDir } from '../helpers/files';
import { fixture } from '../helpers/fixtures';
import { ledgerVersions } from '../helpers/inspect';

const SECRET = 's3cretPW';
const dir = fixture('basic');
const COMMANDS = ['apply', 'verify', 'test'] as const;
const LOCAL = { PGHOST: '127.0.0.1', PGPORT: ADMIN_PORT, PGUSER: 'postgres', PGDATABASE: 'postgres' };

/** A folder holding only `tidemark.config.json` with `content`. */
function configDir(content: unknown): string {
  const folder = tempDir('tidemark-port-config-');
  writeFileSync(path.join(folder, 'tidemark.config.json'), JSON.stringify(content));
  return folder;
}

describe('a bad port is exit 2, naming where it came from, for apply, verify and test', () => {
  const variables = ['99999', '65536', '-1', 'abc', '0', '5432x'];
  test.each(COMMANDS.flatMap((command) => variables.map((port) => [command, port] as const)))(
    '%s with PGPORT=%s',
    async (command, port) => {
      const run = await runCli([command, '--dir', dir], { env: { ...LOCAL, PGPORT: port, PGPASSWORD: SECRET } });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`PGPORT=${port} is not a valid port (1–65535)`);
      expect(run.stderr).not.toContain('internal error');
      expect(run.stderr).not.toContain(SECRET);
    },
  );

  const url = (port: string) => `postgres://postgres:${SECRET}@127.0.0.1:${port}/postgres`;
  const sources: [
    label: string,
    args: string[],
    env: Record<string, string>,
    cwd: string | undefined,
    origin: string,
    port: string,
  ][] = [
    ['--url, postgres://', ['--url', url('99999')], {}, undefined, '--url', '99999'],
    ['--url, postgres:// port 65536', ['--url', url('65536')], {}, undefined, '--url', '65536'],
    [
      '--url, ?port= in the query',
      ['--url', `postgres://postgres:${SECRET}@127.0.0.1/postgres?port=70000`],
      {},
      undefined,
      '--url',
      '70000',
    ],
    [
      '--url, key=value port=99999',
      ['--url', `host=127.0.0.1 port=99999 user=postgres password=${SECRET}`],
      {},
      undefined,
      '--url',
      '99999',
    ],
    ['--url, key=value port=-1', ['--url', 'host=127.0.0.1 port=-1 user=postgres'], {}, undefined, '--url', '-1'],
    [
      '--url, key=value port=55433x',
      ['--url', 'host=127.0.0.1 port=55433x user=postgres'],
      {},
      undefined,
      '--url',
      '55433x',
    ],
    [
      '--url, key=value port=abc',
      ['--url', 'host=127.0.0.1 port=abc user=postgres dbname=postgres'],
      {},
      undefined,
      '--url',
      'abc',
    ],
    ['TIDEMARK_URL', [], { TIDEMARK_URL: url('99999') }, undefined, '$TIDEMARK_URL', '99999'],
    ['DATABASE_URL', [], { DATABASE_URL: url('65536') }, undefined, '$DATABASE_URL', '65536'],
    ['DATABASE_URL, key=value', [], { DATABASE_URL: 'host=127.0.0.1 port=abc' }, undefined, '$DATABASE_URL', 'abc'],
    ["the config file's url", [], {}, configDir({ url: url('99999') }), 'url in tidemark.config.json', '99999'],
    [
      "an environment's url in the config file",
      [],
      {},
      configDir({ environments: { development: { url: url('0') } } }),
      'environments.development.url in tidemark.config.json',
      '0',
    ],
    [
      'the config file\'s {"env"} url',
      [],
      { APP_DB: url('123456') },
      configDir({ url: { env: 'APP_DB' } }),
      '$APP_DB (named by url in tidemark.config.json)',
      '123456',
    ],
  ];
  test.each(COMMANDS.flatMap((command) => sources.map((s) => [command, ...s] as const)))(
    '%s with a bad port in %s',
    async (command, _label, args, env, cwd, origin, port) => {
      const run = await runCli([command, '--dir', dir, ...args], { env, cwd });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`${origin}: port "${port}" is not a valid port (1–65535)`);
      expect(run.stderr).not.toContain('internal error');
      expect(run.stderr).not.toContain(SECRET);
    },
  );

  test('a port that cannot be told apart from a password is not quoted', async () => {
    const run = await runCli(['apply', '--dir', dir, '--url', 'postgres://postgres:pa/99999@127.0.0.1/postgres']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--url: no valid port (1–65535) can be read from it');
    expect(run.stderr).not.toContain('99999');
  });

  test('a valid PGPORT, and a key=value port, still connect', async () => {
    const db = await createTestDatabase();
    try {
      const viaVariables = await runCli(['apply', '--dir', dir, '--target', '1'], {
        env: { ...LOCAL, PGDATABASE: db.name, PGPORT: ADMIN_PORT },
      });
      expect(viaVariables.code).toBe(0);
      const viaKeyValue = await runCli([
        'apply',
        '--dir',
        dir,
        '--url',
        `host=127.0.0.1 port=${ADMIN_PORT} user=postgres dbname=${db.name}`,
      ]);
      expect(viaKeyValue.code).toBe(0);
      expect(await ledgerVersions(db)).toEqual(['1', '2', '3']);
    } finally {
      await db.drop();
    }
  });
});

describe('a server that never closes its side of the connection', () => {
  let server: FakeServer;
  const start = async (mode: FakeServerMode) => {
    server = await startFakeServer(mode);
  };
  afterEach(async () => {
    await server.close();
  });

  test.each(COMMANDS)('%s: a refused login still exits 5, soon', async (command) => {
    await start('refuse-login');
    const started = Date.now();
    const run = await runCli([command, '--dir', dir, '--url', `postgres://app@127.0.0.1:${server.port}/app`], {
      timeoutMs: 15_000,
    });
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('this role may not log in');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test.each(['apply', 'verify', 'status'])(
    '%s: a failed query still ends the run with a non-zero exit code, soon',
    async (command) => {
      await start('fail-queries');
      const started = Date.now();
      const run = await runCli([command, '--dir', dir, '--url', `postgres://app@127.0.0.1:${server.port}/app`], {
        timeoutMs: 15_000,
      });
      expect(run.code).not.toBeNull();
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain('fake server: no queries here');
      expect(Date.now() - started).toBeLessThan(10_000);
    },
  );
});

describe('bin/tidemark', () => {
  /** bin/ copied beside a dist/tidemark.js whose main() is `main`. */
  function shimWith(main: string): string {
    const root = tempDir('tidemark-shim-');
    mkdirSync(path.join(root, 'bin'));
    mkdirSync(path.join(root, 'dist'));
    for (const file of ['tidemark', 'load-bundle.js'])
      copyFileSync(path.join(ROOT, 'bin', file), path.join(root, 'bin', file));
    writeFileSync(
      path.join(root, 'dist', 'tidemark.js'),
      `exports.redactSecrets = (t) => t.replace(/:[^:@/]*@/g, ':***@');\nexports.main = ${main};\n`,
    );
    return path.join(root, 'bin', 'tidemark');
  }

  const run = (bin: string) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, [bin, 'apply'], { timeout: 10_000 }, (error, _stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stderr });
      });
    });

  test('main() that never settles: exit 1 and says so, never 0', async () => {
    const result = await run(shimWith('() => new Promise(() => {})'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('internal error (please report it): the run ended without a result');
  });

  test('main() that rejects: exit 1, "internal error", no password', async () => {
    const result = await run(shimWith(`async () => { throw new Error('boom at postgres://app:${SECRET}@db/app'); }`));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('internal error (please report it): Error: boom');
    expect(result.stderr).not.toContain(SECRET);
  });

  test.each([0, 2, 3])('main() that resolves to %d: that exit code, nothing more said', async (code) => {
    const result = await run(shimWith(`async () => ${code}`));
    expect(result.code).toBe(code);
    expect(result.stderr).toBe('');
  });
});
