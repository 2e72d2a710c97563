/**
 * Connection settings as psql reads them (issue 13), through the built CLI
 * against the local server, which has no SSL: service files (PGSERVICE,
 * service=, ?service=), every sslmode, host lists and target_session_attrs.
 * `tidemark test` goes where every other command goes.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { jsonLines, type CliResult } from '../helpers/cli';
import { runInProcess } from '../helpers/in-process';
import { freePort } from '../helpers/cluster';
import { ADMIN_PORT, useTestDatabase } from '../helpers/db';
import { removeDir, tempDir } from '../helpers/files';
import { fixture } from '../helpers/fixtures';
import { ledgerVersions } from '../helpers/inspect';

const dir = fixture('basic');
const db = useTestDatabase();
let home: string;
/** HOME and PGSYSCONFDIR are empty temp directories: no service file but the ones a test writes. */
let base: Record<string, string>;

beforeEach(async () => {
  home = tempDir('tidemark-conn-home-');
  base = { HOME: home, PGSYSCONFDIR: home };
});
afterEach(async () => {
  removeDir(home);
});

function serviceFile(text: string): string {
  const file = path.join(home, 'services.conf');
  writeFileSync(file, text);
  return file;
}

const run = (args: readonly string[], env: Record<string, string> = {}) =>
  runInProcess(args, { env: { ...base, ...env } });

describe('service files', () => {
  test("PGSERVICE: apply connects to the service's server and database, and config says so", async () => {
    const file = serviceFile(
      `[other]\nhost=127.0.0.1\nport=1\n\n[app]\nhost=127.0.0.1\nport=${ADMIN_PORT}\nuser=postgres\ndbname=${db.name}\n`,
    );
    const env = { PGSERVICEFILE: file, PGSERVICE: 'app' };
    const applied = await run(['apply', '--dir', dir, '--target', '2'], env);
    expect(applied.code).toBe(0);
    expect(await ledgerVersions(db)).toEqual(['1', '2']);
    const config = await run(['config'], env);
    expect(config.code).toBe(0);
    expect(config.stdout).toMatch(
      new RegExp(
        `^server\\s+postgres@127\\.0\\.0\\.1:${ADMIN_PORT}/${db.name}\\s+host, port, dbname, user from service "app" \\(${file.replace(/[.]/g, '\\.')}\\)$`,
        'm',
      ),
    );
  });

  test('service= in a key=value string and ?service= in a URL, from ~/.pg_service.conf', async () => {
    writeFileSync(
      path.join(home, '.pg_service.conf'),
      `[app]\nhost=127.0.0.1\nport=${ADMIN_PORT}\nuser=postgres\ndbname=${db.name}\n`,
    );
    expect((await run(['apply', '--dir', dir, '--target', '1', '--url', 'service=app'])).code).toBe(0);
    expect((await run(['apply', '--dir', dir, '--target', '2', '--url', 'postgres://?service=app'])).code).toBe(0);
    expect(await ledgerVersions(db)).toEqual(['1', '2']);
  });

  test("tidemark test creates its throwaway database on the service's server, not on localhost:5432", async () => {
    const port = await freePort();
    const env = {
      PGSERVICEFILE: serviceFile(`[app]\nhost=127.0.0.1\nport=${port}\nuser=postgres\n`),
      PGSERVICE: 'app',
    };
    const result = await run(['test', '--dir', dir], env);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain(`Cannot connect to postgres@127.0.0.1:${port}/postgres: connection refused`);
    expect(result.stderr).not.toContain('created throwaway database');
  });

  test.each(['apply', 'status', 'verify', 'test', 'config'])(
    '%s: PGSERVICE=nonexistent is exit 2, naming the service and the files searched',
    async (command) => {
      writeFileSync(path.join(home, '.pg_service.conf'), '[app]\nhost=127.0.0.1\n');
      const result = await run([command, '--dir', dir], {
        PGSERVICE: 'nonexistent',
        PGHOST: '127.0.0.1',
        PGUSER: 'postgres',
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        'The connection service "nonexistent" (PGSERVICE) is not defined in any service file',
      );
      expect(result.stderr).toContain(`${path.join(home, '.pg_service.conf')} (no [nonexistent] section)`);
      expect(result.stderr).toContain(`${path.join(home, 'pg_service.conf')} (no such file)`);
    },
  );
});

describe('sslmode against a server without SSL', () => {
  /** The same sslmode given three ways: in a URL, in key=value, and as PGSSLMODE. */
  const ways = (mode: string): [string, string[], Record<string, string>][] => [
    ['URL', ['--url', `postgres://postgres@127.0.0.1:${ADMIN_PORT}/${db.name}?sslmode=${mode}`], {}],
    ['key=value', ['--url', `host=127.0.0.1 port=${ADMIN_PORT} user=postgres dbname=${db.name} sslmode=${mode}`], {}],
    [
      'PGSSLMODE',
      [],
      { PGHOST: '127.0.0.1', PGPORT: ADMIN_PORT, PGUSER: 'postgres', PGDATABASE: db.name, PGSSLMODE: mode },
    ],
  ];
  const statusEach = (mode: string, extra: string[] = []) =>
    Promise.all(
      ways(mode).map(
        async ([how, args, env]) =>
          [how, await run(['status', '--dir', dir, ...extra, ...args], env)] as [string, CliResult],
      ),
    );

  test.each(['disable', 'allow', 'prefer'])(
    '%s connects, in a URL, in key=value and as PGSSLMODE (as psql does)',
    async (mode) => {
      for (const [how, result] of await statusEach(mode)) {
        expect([how, result.code, result.stderr]).toEqual([how, 0, '']);
        expect(result.stdout).toContain('3 pending');
      }
    },
  );

  test.each(['require', 'verify-ca', 'verify-full'])(
    '%s is exit 5, saying the server has no SSL; every line JSON under --log-format json',
    async (mode) => {
      for (const [how, result] of await statusEach(mode, ['--log-format', 'json'])) {
        expect([how, result.code]).toEqual([how, 5]);
        const lines = [...jsonLines(result.stdout), ...jsonLines(result.stderr)];
        expect(lines).toEqual([expect.objectContaining({ code: 'unreachable', exit_code: 5 })]);
        expect(lines[0].msg).toBe(
          `Cannot connect to postgres@127.0.0.1:${ADMIN_PORT}/${db.name}: the server does not support SSL, which sslmode=${mode} requires (sslmode=prefer, allow or disable connect without it)`,
        );
      }
    },
  );
});

describe('host lists and target_session_attrs', () => {
  test('the first host that answers is used: key=value, URL and PGHOST/PGPORT lists', async () => {
    const down = await freePort();
    const viaKeyValue = await run([
      'apply',
      '--dir',
      dir,
      '--target',
      '1',
      '--url',
      `host=127.0.0.1,127.0.0.1 port=${down},${ADMIN_PORT} user=postgres dbname=${db.name}`,
    ]);
    expect(viaKeyValue.code).toBe(0);
    const viaUrl = await run([
      'apply',
      '--dir',
      dir,
      '--target',
      '2',
      '--url',
      `postgres://postgres@127.0.0.1:${down},127.0.0.1:${ADMIN_PORT}/${db.name}`,
    ]);
    expect(viaUrl.code).toBe(0);
    const viaVariables = await run(['apply', '--dir', dir], {
      PGHOST: '127.0.0.1,127.0.0.1',
      PGPORT: `${down},${ADMIN_PORT}`,
      PGUSER: 'postgres',
      PGDATABASE: db.name,
    });
    expect(viaVariables.code).toBe(0);
    expect(await ledgerVersions(db)).toEqual(['1', '2', '3']);
  });

  test('no host that answers: exit 5, each host with its reason', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const result = await run([
      'status',
      '--dir',
      dir,
      '--url',
      `host=127.0.0.1,127.0.0.1 port=${a},${b} user=postgres dbname=x`,
    ]);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain(
      `Cannot connect to any server of postgres@127.0.0.1:${a},127.0.0.1:${b}/x: 127.0.0.1:${a}: connection refused`,
    );
    expect(result.stderr).toContain(`127.0.0.1:${b}: connection refused`);
  });

  test('tidemark test uses the host that answered for its throwaway database', async () => {
    const down = await freePort();
    const result = await run([
      'test',
      '--dir',
      dir,
      '--url',
      `host=127.0.0.1,127.0.0.1 port=${down},${ADMIN_PORT} user=postgres dbname=${db.name}`,
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      new RegExp(`created throwaway database tidemark_rt_[0-9a-f]{12} on postgres@127\\.0\\.0\\.1:${ADMIN_PORT}`),
    );
  });

  const url = (attrs: string, readOnly = false) =>
    `postgres://postgres@127.0.0.1:${ADMIN_PORT}/${db.name}?target_session_attrs=${attrs}${readOnly ? '&options=-c%20default_transaction_read_only%3Don' : ''}`;

  test.each([
    ['read-write', true, 'the server is read-only, and target_session_attrs=read-write'],
    ['read-only', false, 'the server is not read-only, and target_session_attrs=read-only'],
    ['standby', false, 'the server is not a standby, and target_session_attrs=standby'],
  ])('target_session_attrs=%s against a server that is not: exit 5, saying so', async (attrs, readOnly, reason) => {
    const result = await run(['status', '--dir', dir, '--url', url(attrs, readOnly)]);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain(`Cannot connect to postgres@127.0.0.1:${ADMIN_PORT}/${db.name}: ${reason}`);
  });

  test.each([
    ['any', false],
    ['read-write', false],
    ['read-only', true],
    ['primary', false],
    ['prefer-standby', false],
  ])('target_session_attrs=%s against a server that is: connects', async (attrs, readOnly) => {
    const result = await run(['status', '--dir', dir, '--url', url(attrs, readOnly)]);
    expect([result.code, result.stderr]).toEqual([0, '']);
  });
});
