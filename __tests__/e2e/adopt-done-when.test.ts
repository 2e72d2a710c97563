/**
 * Issue 19's "Done when": a database migrated by golang-migrate, and one
 * migrated by Flyway, are each taken over with `tidemark import` +
 * `tidemark adopt --prove`, after which `tidemark apply` runs the next
 * migration. The built CLI, as a team switching would run it. The other
 * tools' runs are simulated as they run: golang-migrate sends each up file
 * whole and keeps one row (version, dirty); Flyway runs each V file with its
 * placeholders replaced and writes a flyway_schema_history row with the
 * CRC32 of the file (computed here independently of lib/import).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli';
import { useTestDatabase } from '../helpers/db';
import { useMigrationsDir } from '../helpers/files';
import { DDL, flywayChecksum } from '../helpers/foreign-tools';

const db = useTestDatabase();
const dirs = useMigrationsDir();

const GOLANG_MIGRATE = {
  '000001_users.up.sql': 'BEGIN;\nCREATE TABLE users (id int PRIMARY KEY, name text NOT NULL);\nCOMMIT;\n',
  '000001_users.down.sql': 'DROP TABLE users;\n',
  '000002_email.up.sql':
    'ALTER TABLE users ADD COLUMN email text;\nCREATE UNIQUE INDEX users_email ON users (email);\n',
  '000003_orders.up.sql': 'CREATE TABLE orders (id int PRIMARY KEY, user_id int NOT NULL REFERENCES users);\n',
  '000003_orders.down.sql': 'DROP TABLE orders;\n',
};

const FLYWAY = {
  'V1__init.sql': 'CREATE TABLE ${table} (id int PRIMARY KEY);\r\n',
  'V1.1__add_b.sql': 'ALTER TABLE ${table} ADD COLUMN b int;\n\n-- b is optional\n',
  'V1.2__add_c.sql': "ALTER TABLE ${table} ADD COLUMN c text DEFAULT 'x';\n",
  'U1.2__add_c.sql': 'ALTER TABLE ${table} DROP COLUMN c;\n',
  'V2__view.sql': 'CREATE VIEW ${table}_b AS SELECT id, b FROM ${table};\n',
};

/** `tidemark import` into a fresh OUT_DIR; its mapping file is there. */
async function importFolder(tool: string, src: string, ...extra: string[]): Promise<string> {
  const out = path.join(dirs(), 'migrations');
  const imported = await runCli(['import', '--from', tool, src, '--dir', out, ...extra]);
  expect({ code: imported.code, stderr: imported.stderr }).toMatchObject({ code: 0 });
  return out;
}

/** The next migration after the highest imported version, as a team would add it. */
async function addNext(out: string, up: string, down: string): Promise<string> {
  const mapping = JSON.parse(readFileSync(path.join(out, 'tidemark-import.json'), 'utf8')) as {
    migrations: { version: string }[];
  };
  const next = (mapping.migrations.map((m) => BigInt(m.version)).reduce((a, b) => (a > b ? a : b)) + 1n).toString();
  writeFileSync(path.join(out, `${next}_next.up.sql`), up);
  writeFileSync(path.join(out, `${next}_next.down.sql`), down);
  return next;
}

async function takeOver(tool: string, out: string, next: { up: string; down: string }): Promise<void> {
  const adopted = await runCli(['adopt', '--from', tool, '--prove', '--dir', out, '--url', db.url]);
  expect({ code: adopted.code, stderr: adopted.stderr }).toMatchObject({ code: 0 });
  expect(adopted.stdout).toContain('build the live schema exactly');
  expect(adopted.stdout).toContain('Nothing pending.');
  const status = await runCli(['status', '--json', '--dir', out, '--url', db.url]);
  const entries = (JSON.parse(status.stdout) as { migrations: { state: string }[] }).migrations;
  expect(entries.every((e) => e.state === 'applied')).toBe(true);
  const version = await addNext(out, next.up, next.down);
  const applied = await runCli(['apply', '--dir', out, '--url', db.url, '--log-format', 'json']);
  expect(applied.code).toBe(0);
  expect(JSON.parse(applied.stdout.trim())).toMatchObject({ completed: [{ version }], pending: 0 });
  expect((await runCli(['verify', '--dir', out, '--url', db.url])).code).toBe(0);
}

it('golang-migrate: import + adopt --prove, then apply runs the next migration', async () => {
  const src = dirs(GOLANG_MIGRATE);
  await db.query(
    'CREATE TABLE IF NOT EXISTS "public"."schema_migrations" (version bigint not null primary key, dirty boolean not null)',
  );
  for (const file of Object.keys(GOLANG_MIGRATE).filter((f) => f.endsWith('.up.sql'))) {
    await db.query(GOLANG_MIGRATE[file as keyof typeof GOLANG_MIGRATE]);
    // SetVersion: TRUNCATE and INSERT in one transaction.
    await db.query(
      `BEGIN; TRUNCATE "public"."schema_migrations"; INSERT INTO "public"."schema_migrations" (version, dirty) VALUES (${Number(file.slice(0, 6))}, false); COMMIT;`,
    );
  }
  const out = await importFolder('golang-migrate', src);
  await takeOver('golang-migrate', out, {
    up: 'ALTER TABLE orders ADD COLUMN total numeric NOT NULL DEFAULT 0;\n',
    down: 'ALTER TABLE orders DROP COLUMN total;\n',
  });
  expect(
    await db.query(
      "SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'total'",
    ),
  ).toEqual([{ n: 1 }]);
  expect(await db.query('SELECT version::int, dirty FROM schema_migrations')).toEqual([{ version: 3, dirty: false }]);
});

it('Flyway: import + adopt --prove, then apply runs the next migration', async () => {
  const src = dirs(FLYWAY);
  await db.query(DDL.flyway('public'));
  const runs = Object.keys(FLYWAY).filter((f) => f.startsWith('V'));
  for (const [i, file] of runs.entries()) {
    const text = FLYWAY[file as keyof typeof FLYWAY];
    await db.query(text.replace(/\$\{table\}/g, 'items'));
    const [, version, description] = /^V([\d.]+)__(.+)\.sql$/.exec(file)!;
    await db.query(
      `INSERT INTO "public"."flyway_schema_history" (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
       VALUES ($1, $2, $3, 'SQL', $4, $5, 'postgres', 4, true)`,
      [i + 1, version, description.replace(/_/g, ' '), file, flywayChecksum(text)],
    );
  }
  const out = await importFolder('flyway', src, '--placeholder', 'table=items');
  await takeOver('flyway', out, {
    up: 'CREATE INDEX items_b_idx ON items (b);\n',
    down: 'DROP INDEX items_b_idx;\n',
  });
  expect(await db.query("SELECT to_regclass('items_b_idx') IS NOT NULL AS made")).toEqual([{ made: true }]);
  expect(await db.query('SELECT count(*)::int AS n FROM flyway_schema_history')).toEqual([{ n: 4 }]);
});
