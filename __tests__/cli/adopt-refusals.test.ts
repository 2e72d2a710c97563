/**
 * `tidemark adopt`: what it refuses (dirty, failed, a file edited after it
 * ran, a row without a file, a file skipped in the middle, a ledger in use,
 * the wrong tool's table) and how the histories' shapes are read (goose
 * rollbacks, Flyway baselines and undos, golang-migrate's one row), with
 * `--dry-run` and the ledger idempotence. Nothing is written on a refusal.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runInProcess } from '../helpers/in-process';
import { Client } from 'pg';
import { ADMIN_URL, useTestDatabase } from '../helpers/db';
import { useMigrationsDir } from '../helpers/files';
import {
  DDL,
  migrateWith,
  recordRun,
  sourceFile,
  threeMigrations,
  writeImported,
  type Tool,
} from '../helpers/foreign-tools';

const db = useTestDatabase();
const migrations = useMigrationsDir();

const cli = (dir: string, ...args: string[]) => runInProcess([...args, '--dir', dir, '--url', db.url]);
const ledgerExists = async () =>
  (await db.query<{ t: string | null }>("SELECT to_regclass('public.tidemark_migrations') AS t"))[0].t !== null;

/** The three migrations imported into a fresh folder, and the database migrated by `tool` with `applied` of them. */
async function project(tool: Tool, applied = 3): Promise<{ dir: string; three: ReturnType<typeof threeMigrations> }> {
  const three = threeMigrations(tool);
  const dir = migrations();
  writeImported(dir, tool, three);
  await migrateWith(db, tool, three.slice(0, applied));
  return { dir, three };
}

describe('the state of the other tool: refused with its own recovery command (exit 2)', () => {
  it('golang-migrate dirty = true', async () => {
    const { dir } = await project('golang-migrate', 2);
    await db.query('UPDATE schema_migrations SET dirty = true');
    const { code, stderr } = await cli(dir, 'adopt', '--from', 'golang-migrate');
    expect(code).toBe(2);
    expect(stderr).toContain('golang-migrate marks version 2 dirty in public.schema_migrations');
    expect(stderr).toContain('migrate -path SRC -database URL force 2');
    expect(await ledgerExists()).toBe(false);
  });

  it('Flyway success = false', async () => {
    const { dir } = await project('flyway', 2);
    await db.query('UPDATE flyway_schema_history SET success = false WHERE installed_rank = 2');
    const { code, stderr } = await cli(dir, 'adopt', '--from', 'flyway');
    expect(code).toBe(2);
    expect(stderr).toContain('Flyway records version 1.1 (V1.1__email.sql) as failed');
    expect(stderr).toContain('`flyway repair`');
    expect(await ledgerExists()).toBe(false);
  });

  it('sqlx success = false', async () => {
    const { dir } = await project('sqlx', 3);
    await db.query('UPDATE _sqlx_migrations SET success = false WHERE version = 20240103120000');
    const { code, stderr } = await cli(dir, 'adopt', '--from', 'sqlx');
    expect(code).toBe(2);
    expect(stderr).toContain('sqlx records version 20240103120000 (orders) as failed');
    expect(stderr).toContain('DELETE FROM public._sqlx_migrations WHERE version = 20240103120000');
    expect(await ledgerExists()).toBe(false);
  });
});

describe('checksums the tool stored: a file edited after it ran is refused, each listed (exit 3)', () => {
  it.each(['flyway', 'sqlx', 'postgrator'] as const)('%s', async (tool) => {
    const three = threeMigrations(tool);
    const dir = migrations();
    writeImported(dir, tool, three);
    await db.query(DDL[tool]('public'));
    // Versions 1 and 3 ran from other text than the files hold now (same schema, a comment then).
    for (const [i, m] of three.entries()) {
      await db.query(m.up);
      await recordRun(db, tool, m, i + 1, i === 1 ? m.up : `-- first draft\n${m.up}`);
    }
    const { code, stderr } = await cli(dir, 'adopt', '--from', tool);
    expect(code).toBe(3);
    expect(stderr).toContain('2 checksum(s) disagree');
    expect(stderr).toContain(`${three[0].sourceVersion}_users.sql: ${tool} recorded checksum`);
    expect(stderr).toContain(`${three[2].sourceVersion}_orders.sql: ${tool} recorded checksum`);
    expect(stderr).not.toContain('_email.sql');
    expect(await ledgerExists()).toBe(false);
  });
});

it('a source file that cannot be read (a folder in its place): exit 2 naming it, nothing written', async () => {
  const three = threeMigrations('sqlx');
  const src = migrations(Object.fromEntries(three.map((m) => [sourceFile(m), m.up])));
  const dir = migrations();
  writeImported(dir, 'sqlx', three, path.relative(dir, src));
  await migrateWith(db, 'sqlx', three);
  const file = path.join(src, sourceFile(three[1]));
  rmSync(file);
  mkdirSync(file);
  const { code, stderr } = await cli(dir, 'adopt', '--from', 'sqlx');
  expect(code).toBe(2);
  expect(stderr).toContain(`${file} (a source file the mapping file names) is a directory`);
  expect(await ledgerExists()).toBe(false);
});

it('a source file edited since import is refused (exit 3): import again', async () => {
  const three = threeMigrations('sqlx');
  const src = migrations(Object.fromEntries(three.map((m) => [sourceFile(m), m.up])));
  const dir = migrations();
  writeImported(dir, 'sqlx', three, path.relative(dir, src));
  await migrateWith(db, 'sqlx', three);
  writeFileSync(path.join(src, sourceFile(three[1])), `${three[1].up}-- later\n`);
  const { code, stderr } = await cli(dir, 'adopt', '--from', 'sqlx');
  expect(code).toBe(3);
  expect(stderr).toContain(`${path.join(src, sourceFile(three[1]))}: changed since \`tidemark import\``);
  expect(await ledgerExists()).toBe(false);
  writeFileSync(path.join(src, sourceFile(three[1])), three[1].up);
  const adopted = await cli(dir, 'adopt', '--from', 'sqlx');
  expect(adopted.code).toBe(0);
  expect(adopted.stdout).toContain("Checksums: 3 matched sqlx's.");
  expect(adopted.stdout).not.toContain('no longer in');
});

describe('--prove', () => {
  it('catches a live schema missing a column the history says was added (exit 3), and writes nothing', async () => {
    const { dir } = await project('golang-migrate', 3);
    await db.query('ALTER TABLE users DROP COLUMN email');
    const { code, stderr } = await cli(dir, 'adopt', '--from', 'golang-migrate', '--prove');
    expect(code).toBe(3);
    expect(stderr).toContain(
      'adopt --prove refused: the live schema differs from the one the 3 imported migration(s) build',
    );
    expect(stderr).toContain(
      'column public.users.email is missing from the live database, though an imported migration creates it',
    );
    expect(await ledgerExists()).toBe(false);
    const json = await cli(dir, 'adopt', '--from', 'golang-migrate', '--prove', '--log-format', 'json');
    const record = json.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((r) => r.level === 50);
    expect(record).toMatchObject({
      code: 'drift',
      exit_code: 3,
      problems: expect.arrayContaining([
        'column public.users.email is missing from the live database, though an imported migration creates it',
      ]),
    });
  });

  it('passes when the live schema is what the files build, ignoring both history tables', async () => {
    const { dir } = await project('goose', 3);
    const { code, stdout } = await cli(dir, 'adopt', '--from', 'goose', '--prove');
    expect(code).toBe(0);
    expect(stdout).toContain('Proved: the 3 migration(s), replayed on scratch database tidemark_rt_');
    expect(await ledgerExists()).toBe(true);
  });

  it('passes with the ledger in a schema of its own (--schema), which only tidemark creates', async () => {
    const { dir } = await project('postgrator', 3);
    const { code, stderr } = await cli(dir, 'adopt', '--from', 'postgrator', '--prove', '--schema', 'ops');
    expect({ code, stderr: stderr.replace(/.*throwaway database.*\n/g, '') }).toEqual({ code: 0, stderr: '' });
    expect(await db.query('SELECT count(*)::int AS n FROM ops.tidemark_migrations')).toEqual([{ n: 3 }]);
  });
});

describe('--dry-run and an existing ledger', () => {
  it('--dry-run shows what it would record and writes nothing', async () => {
    const { dir } = await project('dbmate', 2);
    const { code, stdout } = await cli(dir, 'adopt', '--from', 'dbmate', '--dry-run');
    expect(code).toBe(0);
    expect(stdout).toContain("Dry run: adopt would record 2 migrations from dbmate's public.schema_migrations");
    expect(stdout).toContain('1_users  ← dbmate 20240101120000 (in the history)');
    expect(stdout).toContain('Pending (dbmate never ran them; `tidemark apply` will): 3_orders.');
    expect(stdout).toContain('drop it: DROP TABLE "public"."schema_migrations";');
    expect(await ledgerExists()).toBe(false);
  });

  it('a second adopt of the same history is a no-op (exit 0); a ledger with other rows is refused (exit 2)', async () => {
    const { dir } = await project('postgrator', 3);
    expect((await cli(dir, 'adopt', '--from', 'postgrator')).code).toBe(0);
    const again = await cli(dir, 'adopt', '--from', 'postgrator');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(
      'Already adopted: the ledger holds the 3 migrations postgrator applied; nothing was written.',
    );
    expect(await db.query('SELECT count(*)::int AS n FROM tidemark_migrations_audit')).toEqual([{ n: 3 }]);
    await db.query('DELETE FROM tidemark_migrations WHERE version = 3');
    const other = await cli(dir, 'adopt', '--from', 'postgrator');
    expect(other.code).toBe(2);
    expect(other.stderr).toContain(
      'the ledger public.tidemark_migrations already has 2 row(s), and they are not the 3',
    );
  });
});

describe('history and files that do not match (exit 2)', () => {
  it('a row no imported migration stands for, naming what import skipped', async () => {
    const { dir } = await project('flyway', 3);
    await db.query(
      `INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
       VALUES (4, '3', 'Java', 'JDBC', 'db.migration.V3__Java', NULL, 'postgres', 3, true)`,
    );
    const mappingFile = `${dir}/tidemark-import.json`;
    const mapping = JSON.parse(readFileSync(mappingFile, 'utf8')) as Record<string, unknown>;
    mapping.unsupported = [{ file: 'db/migration/V3__Java.java', reason: 'Java migration' }];
    writeFileSync(mappingFile, JSON.stringify(mapping));
    const { code, stderr } = await cli(dir, 'adopt', '--from', 'flyway');
    expect(code).toBe(2);
    expect(stderr).toContain(
      'flyway ran 3 (db.migration.V3__Java), but no imported migration has that version. Import skipped db/migration/V3__Java.java: Java migration.',
    );
    expect(await ledgerExists()).toBe(false);
  });

  it('a file skipped in the middle of the history', async () => {
    const three = threeMigrations('dbmate');
    const dir = migrations();
    writeImported(dir, 'dbmate', three);
    await migrateWith(db, 'dbmate', [three[0], three[2]]);
    const { code, stderr } = await cli(dir, 'adopt', '--from', 'dbmate');
    expect(code).toBe(2);
    expect(stderr).toContain(
      'dbmate 20240102120000 (tidemark 2_email) is not in public.schema_migrations, yet 20240103120000 after it ran',
    );
  });

  it('golang-migrate at a version no file has', async () => {
    const { dir } = await project('golang-migrate', 3);
    await db.query('UPDATE schema_migrations SET version = 7');
    const { code, stderr } = await cli(dir, 'adopt', '--from', 'golang-migrate');
    expect(code).toBe(2);
    expect(stderr).toContain(
      "golang-migrate's version 7: no imported migration has that version (the import mapping lists 1, 2, 3)",
    );
  });

  it("the wrong tool's table, a missing table, a missing mapping file", async () => {
    const { dir } = await project('golang-migrate', 1);
    const dbmateDir = migrations();
    writeImported(dbmateDir, 'dbmate', threeMigrations('dbmate'));
    const wrong = await cli(dbmateDir, 'adopt', '--from', 'dbmate');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('Its columns look like golang-migrate');
    const missing = await cli(dir, 'adopt', '--from', 'golang-migrate', '--history-table', 'app.schema_migrations');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      'no table schema_migrations in schema app (--history-table app.schema_migrations)',
    );
    const nowhere = await cli(migrations(), 'adopt', '--from', 'golang-migrate');
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toContain('no tidemark-import.json in');
    expect(await ledgerExists()).toBe(false);
  });
});

describe('how each history is read', () => {
  it('golang-migrate keeps one version: every file up to it is applied, and it says so', async () => {
    const { dir } = await project('golang-migrate', 2);
    const { code, stdout } = await cli(dir, 'adopt', '--from', 'golang-migrate');
    expect(code).toBe(0);
    expect(stdout).toContain(
      'golang-migrate records only its latest version (2): every imported migration up to it is taken as applied.',
    );
    expect(stdout).toContain('`tidemark apply` will): 3_orders.');
    expect((await cli(dir, 'apply')).code).toBe(0);
  });

  it('goose: the latest row of a version wins (a rollback leaves it pending)', async () => {
    const { dir, three } = await project('goose', 3);
    await db.query('DROP TABLE orders');
    await db.query('INSERT INTO goose_db_version (version_id, is_applied) VALUES (3, false)');
    const { code, stdout } = await cli(dir, 'adopt', '--from', 'goose', '--prove');
    expect(code).toBe(0);
    expect(stdout).toContain('Adopted 2 migrations');
    expect(stdout).toContain('`tidemark apply` will): 3_orders.');
    expect((await cli(dir, 'apply')).code).toBe(0);
    expect(await db.query("SELECT to_regclass('orders') IS NOT NULL AS made")).toEqual([{ made: three.length === 3 }]);
  });

  it('Flyway: a baseline counts everything up to it, an undo cancels an apply, in another schema with --history-table', async () => {
    const three = threeMigrations('flyway');
    const dir = migrations();
    writeImported(dir, 'flyway', three);
    await db.query('CREATE SCHEMA app');
    await db.query(DDL.flyway('app'));
    for (const m of three) await db.query(m.up);
    await db.query('DROP TABLE orders');
    await db.query(
      `INSERT INTO app.flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES
       (1, '1.1', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', NULL, 'postgres', 0, true),
       (2, '2', 'orders', 'SQL', 'V2__orders.sql', NULL, 'postgres', 5, true),
       (3, '2', 'orders', 'UNDO_SQL', 'U2__orders.sql', NULL, 'postgres', 5, true)`,
    );
    const { code, stdout } = await cli(
      dir,
      'adopt',
      '--from',
      'flyway',
      '--history-table',
      'app.flyway_schema_history',
      '--prove',
      '--json',
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      historyTable: 'app.flyway_schema_history',
      adopted: [
        { version: '1', because: 'below-baseline' },
        { version: '2', because: 'below-baseline' },
      ],
      pending: [{ version: '3' }],
      notes: expect.arrayContaining([
        "Flyway's baseline is version 1.1: every imported migration up to it is taken as applied, as Flyway does.",
      ]),
    });
  });
});

it('a role that may only read the history table adopts, reading it again unlocked, with a warning', async () => {
  const role = `tidemark_adopt_${Date.now().toString(36)}`;
  const { dir } = await project('dbmate', 3);
  await db.query(
    `CREATE ROLE ${role} LOGIN; GRANT CREATE ON SCHEMA public TO ${role}; GRANT SELECT ON schema_migrations TO ${role}`,
  );
  try {
    const url = new URL(db.url);
    url.username = role;
    const { code, stdout, stderr } = await runInProcess([
      'adopt',
      '--from',
      'dbmate',
      '--dir',
      dir,
      '--url',
      url.toString(),
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('Adopted 3 migrations');
    expect(stderr).toContain('may not lock public.schema_migrations against writes');
    expect(await db.query('SELECT count(*)::int AS n FROM tidemark_migrations')).toEqual([{ n: 3 }]);
  } finally {
    await db.drop(); // the role owns nothing, and holds no grant, once its database is gone
    const admin = new Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${role}`).finally(() => admin.end());
  }
});
