/**
 * The config file through the built CLI: ./tidemark.config.json found in the
 * current directory, environments, precedence over it, `tidemark config`,
 * and the exit-2 errors naming the key and the file. No output may hold the
 * password.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { jsonLines, type CliOptions, type CliResult } from '../helpers/cli';
import { runInProcess } from '../helpers/in-process';
import { ADMIN_PORT, createTestDatabase, type TestDatabase } from '../helpers/db';
import { removeDir, tempDir, writeMigrations } from '../helpers/files';

const SECRET = 's3cretCFG';
const outputs: string[] = [];
let project: string;
let db: TestDatabase;
let prodUrl: string;

/** Runs the CLI in the project directory and keeps its output for the password check. */
async function cli(
  args: readonly string[],
  env: Record<string, string> = {},
  options: CliOptions = {},
): Promise<CliResult> {
  const run = await runInProcess(args, { cwd: project, env, ...options });
  outputs.push(run.stdout, run.stderr);
  return run;
}

function writeConfig(content: unknown, name = 'tidemark.config.json'): string {
  const file = path.join(project, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

const CONFIG = {
  dir: 'migrations',
  lockTimeout: '5s',
  environments: {
    staging: { url: `postgres://app:${SECRET}@staging.invalid/app`, retries: 2 },
    production: { url: { env: 'PROD_DATABASE_URL' }, table: 'prod_migrations', statementTimeout: '10min' },
  },
};

beforeAll(async () => {
  project = tempDir();
  writeMigrations(path.join(project, 'migrations'), {
    '001_a.up.sql': "CREATE TABLE a (env text DEFAULT current_setting('tidemark.environment'));",
    '001_a.down.sql': 'DROP TABLE a;',
  });
  db = await createTestDatabase();
  // Trust authentication ignores the password; it is there to prove it is never printed.
  prodUrl = db.url.replace('postgres@', `postgres:${SECRET}@`);
});
afterAll(async () => {
  await db.drop();
  removeDir(project);
});
beforeEach(() => writeConfig(CONFIG));

describe('tidemark config', () => {
  test('reads ./tidemark.config.json and prints each setting with its source, the password masked', async () => {
    const run = await cli(['config', '--env', 'staging']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('config file: tidemark.config.json (environment "staging")');
    expect(run.stdout).toMatch(
      /^url\s+postgres:\/\/app:\*\*\*@staging\.invalid\/app\s+file tidemark\.config\.json \(environments\.staging\.url\)$/m,
    );
    expect(run.stdout).toMatch(/^dir\s+migrations\s+file tidemark\.config\.json \(dir\)$/m);
    expect(run.stdout).toMatch(/^retries\s+2\s+file tidemark\.config\.json \(environments\.staging\.retries\)$/m);
    expect(run.stdout).toMatch(/^environment\s+staging\s+flag --env$/m);
    expect(run.stderr).toBe('');
  });

  test('--json, with the URL read from the variable the file names', async () => {
    const run = await cli(['config', '--json'], { TIDEMARK_ENV: 'production', PROD_DATABASE_URL: prodUrl });
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({ file: 'tidemark.config.json', section: 'production' });
    expect(doc.settings.url).toEqual({
      value: db.url.replace('postgres@', 'postgres:***@'),
      source: 'file',
      name: 'tidemark.config.json',
      key: 'environments.production.url',
      variable: 'PROD_DATABASE_URL',
    });
    expect(doc.settings.environment).toEqual({ value: 'production', source: 'env', name: 'TIDEMARK_ENV' });
  });

  test('flags, then TIDEMARK_*, then DATABASE_URL beat the file', async () => {
    const env = { DATABASE_URL: `postgres://du:${SECRET}@du/app`, TIDEMARK_LOCK_TIMEOUT: '9s' };
    const doc = JSON.parse((await cli(['config', '--json', '--env', 'staging', '--retries', '4'], env)).stdout);
    expect(doc.settings.url).toEqual({ value: 'postgres://du:***@du/app', source: 'env', name: 'DATABASE_URL' });
    expect(doc.settings.lockTimeout).toEqual({ value: '9s', source: 'env', name: 'TIDEMARK_LOCK_TIMEOUT' });
    expect(doc.settings.retries).toEqual({ value: 4, source: 'flag', name: '--retries' });
  });

  test("PG* variables beat the file's url", async () => {
    const run = await cli(['config', '--env', 'staging'], { PGHOST: 'elsewhere', PGPASSWORD: SECRET });
    expect(run.stdout).toMatch(/^url\s+\(libpq PG\* variables\)\s+env PGHOST$/m);
  });

  test('with --log-format json, one JSON line', async () => {
    const run = await cli(['config', '--log-format', 'json', '--env', 'staging']);
    const [line] = jsonLines(run.stdout);
    expect(line).toMatchObject({
      level: 30,
      file: 'tidemark.config.json',
      settings: { url: { value: 'postgres://app:***@staging.invalid/app' } },
    });
  });
});

describe('running with an environment', () => {
  test('apply --env production: URL from the variable, table and name from the file, environment recorded', async () => {
    const run = await cli(['apply', '--env', 'production'], { PROD_DATABASE_URL: prodUrl });
    expect(run.stderr).not.toMatch(/error/);
    expect(run.code).toBe(0);
    expect(await db.query('SELECT version::text, environment FROM public.prod_migrations')).toEqual([
      { version: '1', environment: 'production' },
    ]);
    expect(await db.query('SELECT env FROM a')).toEqual([]);
    const status = await cli(['status', '--json'], { TIDEMARK_ENV: 'production', PROD_DATABASE_URL: prodUrl });
    expect(JSON.parse(status.stdout).summary).toMatchObject({ applied: 1, pending: 0 });
  });

  test("PG* variables decide the connection over the file's url", async () => {
    writeConfig({ ...CONFIG, url: 'postgres://postgres@127.0.0.1:1/nowhere', environments: undefined });
    const pg = { PGHOST: '127.0.0.1', PGPORT: ADMIN_PORT, PGUSER: 'postgres', PGDATABASE: db.name, PGPASSWORD: SECRET };
    const run = await cli(['status', '--json', '--table', 'prod_migrations'], pg);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).summary).toMatchObject({ applied: 1 });
  });

  test('--config and TIDEMARK_CONFIG name another file; its relative dir is relative to that file', async () => {
    mkdirSync(path.join(project, 'deploy'), { recursive: true });
    const other = writeConfig(
      { dir: '../migrations', url: prodUrl, table: 'prod_migrations' },
      path.join('deploy', 'tidemark.json'),
    );
    const run = await cli(['status', '--json', '--config', other]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).summary).toMatchObject({ applied: 1 });
    const viaEnv = await cli(['config', '--json'], { TIDEMARK_CONFIG: 'deploy/tidemark.json' });
    expect(JSON.parse(viaEnv.stdout)).toMatchObject({
      file: 'deploy/tidemark.json',
      settings: { dir: { value: 'migrations', key: 'dir' } },
    });
  });
});

describe('configuration errors exit 2 and name the key and the file', () => {
  test.each([
    ['an unknown key', { ...CONFIG, lockwait: 5 }, [], {}, ['lockwait', 'tidemark.config.json', 'lockWait']],
    [
      'an unknown key in an environment',
      { environments: { production: { url: 'postgres://db/app', schemas: 'x' } } },
      [],
      {},
      ['environments.production.schemas'],
    ],
    [
      'a wrong type',
      { environments: { production: { lockWait: 'x' } } },
      [],
      {},
      ['environments.production.lockWait', 'must be a number'],
    ],
    ['a URL that is a number', { url: 5 }, [], {}, ['url in tidemark.config.json']],
    ['an invalid duration', { statementTimeout: 'forever' }, [], {}, ['statementTimeout in tidemark.config.json']],
    [
      'a missing URL variable',
      CONFIG,
      ['--env', 'production'],
      {},
      ['environments.production.url', 'tidemark.config.json', 'PROD_DATABASE_URL'],
    ],
    [
      'an unknown environment',
      CONFIG,
      ['--env', 'prod'],
      {},
      ['tidemark.config.json', 'no environment "prod"', 'staging, production'],
    ],
    [
      'an unknown environment from TIDEMARK_ENV',
      CONFIG,
      [],
      { TIDEMARK_ENV: 'qa' },
      ['$TIDEMARK_ENV', 'staging, production'],
    ],
    [
      'invalid JSON',
      `{\n  "url": "postgres://app:${SECRET}@db/app",\n  "lockWait": 5,\n}\n`,
      [],
      {},
      ['tidemark.config.json:4:1', 'trailing comma'],
    ],
    [
      'a missing --config file',
      CONFIG,
      ['--config', 'missing.json'],
      {},
      ['missing.json', '--config', 'does not exist'],
    ],
    ['a missing TIDEMARK_CONFIG file', CONFIG, [], { TIDEMARK_CONFIG: 'gone.json' }, ['gone.json', '$TIDEMARK_CONFIG']],
  ])('%s', async (_label, content, args, env, expected) => {
    writeConfig(content);
    for (const command of [['config'], ['status'], ['apply']]) {
      const run = await cli([...command, ...(args as string[])], env as Record<string, string>);
      expect(run.code).toBe(2);
      for (const text of expected) expect(run.stderr).toContain(text);
      expect(run.stdout).toBe('');
      expect(run.stderr).not.toMatch(/^\s+at /m);
      expect(run.stderr).not.toContain('Run "tidemark --help"');
    }
  });

  test('with --log-format json the error line carries the file and the key as fields', async () => {
    writeConfig({ environments: { production: { retries: -1 } } });
    const run = await cli(['config', '--log-format', 'json']);
    expect(run.code).toBe(2);
    expect(jsonLines(run.stderr)).toEqual([
      expect.objectContaining({
        level: 50,
        code: 'config',
        exit_code: 2,
        file: 'tidemark.config.json',
        key: 'environments.production.retries',
      }),
    ]);
  });

  test('no config file in the directory is fine', async () => {
    removeDir(path.join(project, 'tidemark.config.json'));
    const run = await cli(['config']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^config file: none$/m);
  });
});

test('no output above contains the password', () => {
  expect(outputs.length).toBeGreaterThan(30);
  for (const output of outputs) expect(output).not.toContain(SECRET);
});
