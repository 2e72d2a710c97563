/**
 * Other migration tools, simulated for `tidemark adopt`: each one's history
 * table created with the DDL the tool itself sends (taken from its source:
 * golang-migrate database/postgres/postgres.go, dbmate pkg/driver/postgres,
 * goose internal/dialect/dialectquery/postgres.go, Flyway's PostgreSQL
 * createMetaDataTable.sql, sqlx-postgres/src/migrate.rs, diesel
 * setup_migration_table.sql, node-pg-migrate src/runner.ts, postgrator
 * lib/Client.js + PostgresClient.js), its rows written as the tool writes
 * them, and its checksums computed as it computes them.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { MIGRATION_TOOLS, type MigrationTool } from '../../lib/types';
import type { TestDatabase } from './db';
import { writeMigrations } from './files';

/** The tools adopt and import know, as the product lists them. */
export type Tool = MigrationTool;
export const TOOLS: readonly Tool[] = MIGRATION_TOOLS;

/** Each tool's CREATE TABLE for its history, in schema `s` (as the tool sends it). */
export const DDL: Record<Tool, (s: string) => string> = {
  'golang-migrate': (s) =>
    `CREATE TABLE IF NOT EXISTS "${s}"."schema_migrations" (version bigint not null primary key, dirty boolean not null)`,
  dbmate: (s) => `create table if not exists "${s}".schema_migrations (version varchar(255) primary key)`,
  goose: (s) => `CREATE TABLE "${s}".goose_db_version (
		id serial NOT NULL,
		version_id bigint NOT NULL,
		is_applied boolean NOT NULL,
		tstamp timestamp NULL default now(),
		PRIMARY KEY(id)
	);
	INSERT INTO "${s}".goose_db_version (version_id, is_applied) VALUES (0, true)`,
  flyway: (s) => `CREATE TABLE "${s}"."flyway_schema_history" (
    "installed_rank" INT NOT NULL,
    "version" VARCHAR(50),
    "description" VARCHAR(200) NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "script" VARCHAR(1000) NOT NULL,
    "checksum" INTEGER,
    "installed_by" VARCHAR(100) NOT NULL,
    "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
    "execution_time" INTEGER NOT NULL,
    "success" BOOLEAN NOT NULL
);
ALTER TABLE "${s}"."flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank");
CREATE INDEX "flyway_schema_history_s_idx" ON "${s}"."flyway_schema_history" ("success")`,
  sqlx: (s) => `CREATE TABLE IF NOT EXISTS "${s}"._sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
    success BOOLEAN NOT NULL,
    checksum BYTEA NOT NULL,
    execution_time BIGINT NOT NULL
)`,
  diesel: (s) => `CREATE TABLE IF NOT EXISTS "${s}".__diesel_schema_migrations (
       version VARCHAR(50) PRIMARY KEY NOT NULL,
       run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
)`,
  'node-pg-migrate': (s) =>
    `CREATE TABLE "${s}"."pgmigrations" (id SERIAL PRIMARY KEY, name varchar(255) NOT NULL, run_on timestamp NOT NULL)`,
  postgrator: (s) => `CREATE TABLE ${s}.schemaversion (
            version BIGINT PRIMARY KEY
          );
          INSERT INTO ${s}.schemaversion (version)
            VALUES (0);
      ALTER TABLE ${s}.schemaversion ADD COLUMN name TEXT;
      ALTER TABLE ${s}.schemaversion ADD COLUMN md5 TEXT;
      ALTER TABLE ${s}.schemaversion ADD COLUMN run_at TIMESTAMP WITH TIME ZONE`,
};

/** Flyway's checksum: CRC32 over the UTF-8 bytes of each line, line breaks left out, BOM removed; a signed int. */
export function flywayChecksum(text: string): number {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  let crc = 0;
  for (const line of lines) crc = crc32(Buffer.from(line, 'utf8'), crc);
  return crc | 0;
}
export const sqlxChecksum = (text: string) => createHash('sha384').update(text).digest('hex');
export const postgratorChecksum = (text: string) => createHash('md5').update(text).digest('hex');

/** One migration of the other tool, imported as tidemark pair `version`_`name`. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** As the tool records it. */
  readonly sourceVersion: string;
  readonly up: string;
  readonly down: string;
}

/** The tool's own checksum of `m`'s up file, as import puts it in the mapping; undefined when the tool keeps none. */
export function toolChecksum(tool: Tool, up: string): number | string | undefined {
  if (tool === 'flyway') return flywayChecksum(up);
  if (tool === 'sqlx') return sqlxChecksum(up);
  if (tool === 'postgrator') return postgratorChecksum(up);
  return undefined;
}

/** The source file name of `m` in the tool's folder (a simplified name; what matters is that the mapping names it). */
export const sourceFile = (m: Migration) => `${m.sourceVersion}_${m.name}.sql`;

/** What `tidemark import` writes: the pairs and tidemark-import.json. */
export function writeImported(dir: string, tool: Tool, migrations: readonly Migration[], source = '.'): void {
  const files: Record<string, string> = {};
  for (const m of migrations) {
    files[`${m.version}_${m.name}.up.sql`] = m.up;
    files[`${m.version}_${m.name}.down.sql`] = m.down;
  }
  const mapping = {
    format: 1,
    tool,
    source,
    migrations: migrations.map((m) => {
      const checksum = toolChecksum(tool, m.up);
      return {
        version: String(m.version),
        name: m.name,
        sourceVersion: m.sourceVersion,
        sourceFiles: [sourceFile(m)],
        checksums: checksum === undefined ? {} : { [tool]: checksum },
        irreversible: false,
        noTransaction: false,
      };
    }),
    unsupported: [],
    notes: [],
  };
  files['tidemark-import.json'] = JSON.stringify(mapping, null, 2);
  writeMigrations(dir, files);
}

/** The history rows `tool` writes after running `m` (with `upText` as the file it ran, for its checksum). */
export async function recordRun(
  db: TestDatabase,
  tool: Tool,
  m: Migration,
  rank: number,
  upText = m.up,
): Promise<void> {
  const v = m.sourceVersion;
  switch (tool) {
    case 'golang-migrate':
      await db.query('TRUNCATE "public"."schema_migrations"');
      await db.query('INSERT INTO "public"."schema_migrations" (version, dirty) VALUES ($1, $2)', [v, false]);
      return;
    case 'dbmate':
      await db.query('insert into "public".schema_migrations (version) values ($1)', [v]);
      return;
    case 'goose':
      await db.query('INSERT INTO goose_db_version (version_id, is_applied) VALUES ($1, $2)', [v, true]);
      return;
    case 'flyway':
      await db.query(
        `INSERT INTO "public"."flyway_schema_history" (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
         VALUES ($1, $2, $3, 'SQL', $4, $5, 'postgres', 7, true)`,
        [rank, v, m.name.replace(/_/g, ' '), `V${v}__${m.name}.sql`, flywayChecksum(upText)],
      );
      return;
    case 'sqlx':
      await db.query(
        `INSERT INTO _sqlx_migrations ( version, description, success, checksum, execution_time ) VALUES ( $1, $2, TRUE, decode($3, 'hex'), 1234567 )`,
        [v, m.name.replace(/_/g, ' '), sqlxChecksum(upText)],
      );
      return;
    case 'diesel':
      await db.query('INSERT INTO __diesel_schema_migrations (version) VALUES ($1)', [v]);
      return;
    case 'node-pg-migrate':
      await db.query('INSERT INTO "public"."pgmigrations" (name, run_on) VALUES ($1, NOW())', [v]);
      return;
    case 'postgrator':
      await db.query(
        `INSERT INTO schemaversion (version, name, md5, run_at) VALUES (${Number(v)}, '${m.name}', '${postgratorChecksum(upText)}', '${new Date().toISOString().replace('T', ' ').replace('Z', '')}')`,
      );
      return;
  }
}

/** A database `tool` migrated: its table, then each migration's SQL and history rows, as the tool runs them. */
export async function migrateWith(db: TestDatabase, tool: Tool, migrations: readonly Migration[]): Promise<void> {
  await db.query(DDL[tool]('public'));
  for (const [i, m] of migrations.entries()) {
    await db.query(m.up);
    await recordRun(db, tool, m, i + 1);
  }
}

/** The three migrations every tool's test runs, with the version each tool would give them. */
export function threeMigrations(tool: Tool): Migration[] {
  const sources: Record<Tool, [string, string, string]> = {
    'golang-migrate': ['1', '2', '3'],
    dbmate: ['20240101120000', '20240102120000', '20240103120000'],
    goose: ['1', '2', '3'],
    flyway: ['1', '1.1', '2'],
    sqlx: ['20240101120000', '20240102120000', '20240103120000'],
    diesel: ['20240101120000', '20240102120000', '20240103120000'],
    'node-pg-migrate': ['1704110400000_users', '1704196800000_email', '1704283200000_orders'],
    postgrator: ['1', '2', '3'],
  };
  const [a, b, c] = sources[tool];
  return [
    {
      version: 1,
      name: 'users',
      sourceVersion: a,
      up: 'CREATE TABLE users (id int PRIMARY KEY);\n',
      down: 'DROP TABLE users;\n',
    },
    {
      version: 2,
      name: 'email',
      sourceVersion: b,
      up: 'ALTER TABLE users ADD COLUMN email text NOT NULL;\n',
      down: 'ALTER TABLE users DROP COLUMN email;\n',
    },
    {
      version: 3,
      name: 'orders',
      sourceVersion: c,
      up: 'CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users);\nCREATE INDEX orders_user ON orders (user_id);\n',
      down: 'DROP TABLE orders;\n',
    },
  ];
}
