/**
 * Ordinary conditions are not bugs (issue 12): each gets a typed error with
 * its exit code (2) and a message that names the file, object or setting and
 * the fix, and none prints "internal error (please report it)", which is
 * left for real bugs.
 *
 *   files:      an unreadable script, folder or migrations directory (EACCES),
 *               a symbolic link that loops (ELOOP), a folder where a script
 *               is expected (EISDIR)
 *   privileges: no CREATE on the schema or the database for the ledger, no
 *               USAGE on its schema, no SELECT on it: the missing GRANT
 *   the ledger: a view, materialized view, foreign table, sequence or
 *               another table at --table
 *   settings:   --schema pg_catalog and the other system schemas
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { jsonLines, runCli, type CliOptions, type CliResult } from '../helpers/cli';
import { Client } from 'pg';
import { ADMIN_URL, useTestDatabase } from '../helpers/db';
import { migrationsDir, tempDir, writeMigrations } from '../helpers/files';
import { relationExists } from '../helpers/inspect';

const PAIR = { '001_first.up.sql': 'CREATE TABLE first (id int);\n', '001_first.down.sql': 'DROP TABLE first;\n' };
const SECOND = {
  '002_second.up.sql': 'CREATE TABLE second (id int);\n',
  '002_second.down.sql': 'DROP TABLE second;\n',
};

/** Runs as nobody when the tests run as root, who may read any file whatever its mode. */
const UNPRIVILEGED: Pick<CliOptions, 'uid' | 'gid'> = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

function expectTyped(run: CliResult, code: number, ...mentions: string[]): void {
  expect(run.stderr).not.toContain('internal error');
  expect(run.stderr).not.toMatch(/^\s+at /m);
  for (const text of mentions) expect(run.stderr).toContain(text);
  expect(run.code).toBe(code);
}

const db = useTestDatabase();

/** A temp folder (and its parents) that another user may enter. */
function sharedDir(files: Record<string, string>): string {
  const dir = migrationsDir(files);
  chmodSync(dir, 0o755);
  return dir;
}

describe('files: exit 2, naming the file and what to do; nothing sent to the database', () => {
  test('a script the user may not read (EACCES)', async () => {
    const dir = sharedDir({ ...PAIR, ...SECOND });
    chmodSync(path.join(dir, '002_second.up.sql'), 0o000);
    const run = await runCli(['apply', '--dir', dir, '--url', db.url], UNPRIVILEGED);
    expectTyped(run, 2, '002_second.up.sql: cannot be read: permission denied (EACCES)', 'chmod a+r');
    expect(run.stderr).not.toContain('002_second.down.sql'); // its partner is not reported as an orphan
    expect(await relationExists(db, 'public.tidemark_migrations')).toBe(false);
  });

  test('a folder the user may not read (EACCES)', async () => {
    const dir = sharedDir({ ...PAIR, 'later/002_second.up.sql': SECOND['002_second.up.sql'] });
    chmodSync(path.join(dir, 'later'), 0o000);
    const run = await runCli(['status', '--dir', dir, '--url', db.url], UNPRIVILEGED);
    expectTyped(run, 2, 'later/: cannot be read: permission denied (EACCES)');
  });

  test('a migrations directory the user may not read (EACCES)', async () => {
    const dir = sharedDir(PAIR);
    chmodSync(dir, 0o000);
    const run = await runCli(['verify', '--dir', dir], UNPRIVILEGED);
    chmodSync(dir, 0o755);
    expectTyped(run, 2, `Migrations directory "${dir}" cannot be read: permission denied (EACCES)`);
  });

  test('a symbolic link that loops (ELOOP), with any name', async () => {
    const dir = migrationsDir(PAIR);
    symlinkSync('loop', path.join(dir, 'loop'));
    const run = await runCli(['apply', '--dir', dir, '--url', db.url]);
    expectTyped(run, 2, 'loop: is a symbolic link that loops (ELOOP)');
    expect(await relationExists(db, 'public.tidemark_migrations')).toBe(false);
  });

  test('a script that is a symbolic link that loops (ELOOP)', async () => {
    const dir = migrationsDir({ ...PAIR, '002_second.down.sql': SECOND['002_second.down.sql'] });
    symlinkSync('002_second.up.sql', path.join(dir, '002_second.up.sql'));
    const run = await runCli(['verify', '--dir', dir]);
    expectTyped(run, 2, '002_second.up.sql: is a symbolic link that loops (ELOOP)');
    expect(run.stderr).not.toContain('down script without an up script');
  });

  test('a folder where a script is expected (EISDIR), as a Docker bind mount of a missing file makes', async () => {
    const dir = migrationsDir({ ...PAIR, '002_second.down.sql': SECOND['002_second.down.sql'] });
    mkdirSync(path.join(dir, '002_second.up.sql'));
    const run = await runCli(['apply', '--dir', dir, '--url', db.url]);
    expectTyped(run, 2, '002_second.up.sql: is a folder, not a file (EISDIR)');
    expect(run.stderr).not.toContain('down script without an up script');
    expect(await relationExists(db, 'public.tidemark_migrations')).toBe(false);
  });

  test('a script that is a link to a folder (EISDIR)', async () => {
    const dir = migrationsDir({ ...PAIR, '002_second.down.sql': SECOND['002_second.down.sql'] });
    mkdirSync(path.join(dir, 'elsewhere'));
    symlinkSync('elsewhere', path.join(dir, '002_second.up.sql'));
    const run = await runCli(['verify', '--dir', dir]);
    expectTyped(run, 2, '002_second.up.sql: is a folder, not a file (EISDIR)');
  });
});

describe('privileges: exit 2, naming the role, with the GRANT that is missing', () => {
  let role: string;
  let roleUrl: string;
  beforeEach(async () => {
    role = `tidemark_ro_${randomBytes(4).toString('hex')}`;
    await db.query(`CREATE ROLE ${role} LOGIN`);
    // As PostgreSQL 15 does by default; older servers let PUBLIC create in public.
    await db.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
    const url = new URL(db.url);
    url.username = role;
    roleUrl = url.toString();
  });
  afterEach(async () => {
    await db.drop(); // the role owns nothing once its database is gone
    const admin = new Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${role}`).finally(() => admin.end());
  });

  test('no CREATE on the schema: the ledger table cannot be created', async () => {
    const dir = migrationsDir(PAIR);
    const run = await runCli(['apply', '--dir', dir, '--url', roleUrl]);
    expectTyped(
      run,
      2,
      `The role ${role} may not create the ledger table public.tidemark_migrations`,
      `GRANT CREATE ON SCHEMA public TO ${role};`,
    );
    expect(await relationExists(db, 'public.first')).toBe(false);
  });

  test("no CREATE on the database: the ledger's schema cannot be created", async () => {
    const dir = migrationsDir(PAIR);
    const run = await runCli(['apply', '--dir', dir, '--url', roleUrl, '--schema', 'ops']);
    expectTyped(
      run,
      2,
      `The role ${role} may not create the schema ops`,
      `GRANT CREATE ON DATABASE ${db.name} TO ${role};`,
      `CREATE SCHEMA ops AUTHORIZATION ${role};`,
    );
  });

  test('the same inside --single-transaction', async () => {
    const dir = migrationsDir(PAIR);
    const run = await runCli(['apply', '--dir', dir, '--url', roleUrl, '--single-transaction']);
    expectTyped(run, 2, `GRANT CREATE ON SCHEMA public TO ${role};`);
  });

  test('no SELECT on the ledger: status names the table and the GRANT', async () => {
    const dir = migrationsDir(PAIR);
    expect((await runCli(['apply', '--dir', dir, '--url', db.url])).code).toBe(0);
    const run = await runCli(['status', '--dir', dir, '--url', roleUrl]);
    expectTyped(
      run,
      2,
      `The role ${role} may not read the ledger public.tidemark_migrations`,
      `GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE public.tidemark_migrations TO ${role};`,
    );
  });

  test("no USAGE on the ledger's schema: verify names the schema and the GRANT", async () => {
    const dir = migrationsDir(PAIR);
    expect((await runCli(['apply', '--dir', dir, '--url', db.url, '--schema', 'ops'])).code).toBe(0);
    const run = await runCli(['verify', '--dir', dir, '--url', roleUrl, '--schema', 'ops']);
    expectTyped(run, 2, `GRANT USAGE ON SCHEMA ops TO ${role};`);
  });

  test('as JSON lines, the role and the GRANT are fields', async () => {
    const dir = migrationsDir(PAIR);
    const run = await runCli(['apply', '--dir', dir, '--url', roleUrl, '--log-format', 'json']);
    expect(run.code).toBe(2);
    const error = jsonLines(run.stderr).find((line) => line.code === 'privilege');
    expect(error).toMatchObject({ exit_code: 2, role: role, grant: `GRANT CREATE ON SCHEMA public TO ${role};` });
  });

  test('(control) a role with only SELECT, INSERT, UPDATE, DELETE on an existing ledger is not refused', async () => {
    const dir = migrationsDir(PAIR);
    expect((await runCli(['apply', '--dir', dir, '--url', db.url])).code).toBe(0);
    await db.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON public.tidemark_migrations TO ${role}`);
    const run = await runCli(['status', '--dir', dir, '--url', roleUrl]);
    expect(run.code).toBe(0);
  });
});

describe("the ledger's name taken by something that is not a ledger: exit 2, naming it, its kind and --table", () => {
  const objects: [kind: string, sql: string][] = [
    ['view', 'CREATE VIEW taken AS SELECT 1 AS x'],
    ['materialized view', 'CREATE MATERIALIZED VIEW taken AS SELECT 1 AS x'],
    [
      'foreign table',
      "CREATE EXTENSION IF NOT EXISTS postgres_fdw; CREATE SERVER elsewhere FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', port '1'); CREATE FOREIGN TABLE taken (x int) SERVER elsewhere",
    ],
    ['sequence', 'CREATE SEQUENCE taken'],
    ["table without the ledger's columns (version, name, up_checksum)", 'CREATE TABLE taken (x int)'],
  ];
  test.each(
    objects.flatMap(([kind, sql]) => ['apply', 'status', 'verify'].map((command) => [kind, command, sql] as const)),
  )('a %s, for %s', async (kind, command, sql) => {
    await db.query(sql);
    const dir = migrationsDir(PAIR);
    const run = await runCli([command, '--dir', dir, '--url', db.url, '--table', 'taken']);
    expectTyped(run, 2, `"public"."taken" is a ${kind}, not a tidemark ledger`, '--table');
    expect(await relationExists(db, 'public.first')).toBe(false);
  });

  test('--single-transaction refuses it before anything runs', async () => {
    await db.query('CREATE VIEW taken AS SELECT 1 AS x');
    const run = await runCli([
      'apply',
      '--dir',
      migrationsDir(PAIR),
      '--url',
      db.url,
      '--table',
      'taken',
      '--single-transaction',
    ]);
    expectTyped(run, 2, '"public"."taken" is a view');
  });
});

describe('a system schema for the ledger: exit 2, naming the setting', () => {
  test.each([
    ['apply', '--schema', 'pg_catalog'],
    ['status', '--schema', 'pg_catalog'],
    ['apply', '--schema', 'pg_toast'],
    ['apply', '--schema', 'information_schema'],
  ])('%s %s %s', async (command, flag, schema) => {
    const run = await runCli([command, '--dir', migrationsDir(PAIR), '--url', db.url, flag, schema]);
    expectTyped(run, 2, `--schema "${schema}" is a system schema`);
    expect(await relationExists(db, 'public.first')).toBe(false);
  });

  test('TIDEMARK_SCHEMA and the config file are named too', async () => {
    const fromEnv = await runCli(['status', '--dir', migrationsDir(PAIR), '--url', db.url], {
      env: { TIDEMARK_SCHEMA: 'pg_catalog' },
    });
    expectTyped(fromEnv, 2, '$TIDEMARK_SCHEMA "pg_catalog" is a system schema');
    const folder = writeMigrations(tempDir(), {
      'tidemark.config.json': JSON.stringify({ schema: 'information_schema' }),
      ...Object.fromEntries(Object.entries(PAIR).map(([k, v]) => [`sql/${k}`, v])),
    });
    const fromFile = await runCli(['status', '--url', db.url], { cwd: folder });
    expectTyped(fromFile, 2, 'schema in tidemark.config.json "information_schema" is a system schema');
  });
});
