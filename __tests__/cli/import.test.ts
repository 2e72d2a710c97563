/**
 * `tidemark import --from TOOL SRC --dir OUT` through the CLI: for each
 * tool a source folder in its format (written here, with its quirks), the
 * pairs and mapping written, `verify --offline` passing on them; and the
 * refusals: unsupported files (exit 2, nothing written; --skip-unsupported),
 * Flyway placeholders without a value, a non-empty --dir.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { runInProcess } from '../helpers/in-process';
import { useMigrationsDir } from '../helpers/files';

const dirs = useMigrationsDir();

async function importAndVerify(tool: string, files: Record<string, string>, extra: string[] = []) {
  const src = dirs(files);
  const out = path.join(dirs(), 'out');
  const result = await runInProcess(['import', '--from', tool, src, '--dir', out, ...extra]);
  const verify = await runInProcess(['verify', '--offline', '--dir', out]);
  const mapping = existsSync(path.join(out, 'tidemark-import.json'))
    ? JSON.parse(readFileSync(path.join(out, 'tidemark-import.json'), 'utf8'))
    : null;
  const read = (name: string) => readFileSync(path.join(out, name), 'utf8');
  return { src, out, result, verify, mapping, read, listing: existsSync(out) ? readdirSync(out).sort() : [] };
}

describe('import: each tool, verified offline', () => {
  it('golang-migrate: a missing down is irreversible, BEGIN/COMMIT removed, CONCURRENTLY made no-transaction', async () => {
    const r = await importAndVerify('golang-migrate', {
      '000001_create_users.up.sql': 'BEGIN;\nCREATE TABLE users (id int PRIMARY KEY);\nCOMMIT;\n',
      '000001_create_users.down.sql': 'DROP TABLE users;\n',
      '000002_add_email.up.sql': 'ALTER TABLE users ADD COLUMN email text;\n',
      '000003_index.up.sql': 'CREATE INDEX CONCURRENTLY users_email ON users (email);\n',
      '000003_index.down.sql': 'DROP INDEX CONCURRENTLY users_email;\n',
      'README.md': 'not a migration\n',
    });
    expect(r.result.code).toBe(0);
    expect(r.verify.code).toBe(0);
    expect(r.listing).toEqual([
      '000001_create_users.down.sql',
      '000001_create_users.up.sql',
      '000002_add_email.down.sql',
      '000002_add_email.up.sql',
      '000003_index.down.sql',
      '000003_index.up.sql',
      'tidemark-import.json',
    ]);
    expect(r.read('000001_create_users.up.sql')).not.toMatch(/BEGIN|COMMIT/);
    expect(r.read('000002_add_email.down.sql')).toMatch(/^-- tidemark:irreversible\n/);
    expect(r.read('000003_index.up.sql')).toMatch(/^-- tidemark:no-transaction\n/);
    expect(r.result.stdout).toMatch(
      /1 \(000001_create_users\.up\.sql\) up: its own BEGIN\/COMMIT removed \(000001_create_users\.up\.sql:1, 000001_create_users\.up\.sql:3\)/,
    );
    expect(r.result.stdout).toMatch(/no down migration; written as -- tidemark:irreversible/);
    expect(r.mapping).toMatchObject({ format: 1, tool: 'golang-migrate', unsupported: [] });
    expect(r.mapping.migrations[1]).toEqual({
      version: '000002',
      name: 'add_email',
      sourceVersion: '2',
      sourceFiles: ['000002_add_email.up.sql'],
      irreversible: true,
      noTransaction: false,
    });
  });

  it('golang-migrate also reads Authelia’s V0001.Name.postgres.up.sql, skipping mysql/sqlite scripts', async () => {
    const r = await importAndVerify('golang-migrate', {
      'V0001.Initial_Schema.postgres.up.sql': 'CREATE TABLE a (id int);\n',
      'V0001.Initial_Schema.postgres.down.sql': 'DROP TABLE a;\n',
      'V0001.Initial_Schema.mysql.up.sql': 'CREATE TABLE a (id int) ENGINE=InnoDB;\n',
      'V0002.Add_B.all.up.sql': 'CREATE TABLE b (id int);\n',
    });
    expect(r.result.code).toBe(0);
    expect(r.verify.code).toBe(0);
    expect(
      r.mapping.migrations.map((m: { version: string; name: string; sourceVersion: string }) => [
        m.version,
        m.name,
        m.sourceVersion,
      ]),
    ).toEqual([
      ['0001', 'Initial_Schema', '1'],
      ['0002', 'Add_B', '2'],
    ]);
    expect(r.result.stdout).toMatch(/V0001\.Initial_Schema\.mysql\.up\.sql: skipped/);
  });

  it('dbmate: sections, transaction:false, an empty down', async () => {
    const r = await importAndVerify('dbmate', {
      '20240101120000_create_users.sql':
        '-- migrate:up\nCREATE TABLE users (id int);\n\n-- migrate:down\nDROP TABLE users;\n',
      '20240102120000_index.sql':
        '-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY u_id ON users (id);\n-- migrate:down transaction:false\nDROP INDEX CONCURRENTLY u_id;\n',
      '20240103120000_seed.sql': '-- migrate:up\nINSERT INTO users VALUES (1);\n-- migrate:down\n',
    });
    expect(r.result.code).toBe(0);
    expect(r.verify.code).toBe(0);
    expect(r.read('20240101120000_create_users.up.sql')).toContain('CREATE TABLE users (id int);');
    expect(r.read('20240101120000_create_users.up.sql')).not.toContain('DROP TABLE');
    expect(r.read('20240102120000_index.up.sql')).toMatch(/^-- tidemark:no-transaction\n/);
    expect(r.read('20240102120000_index.down.sql')).toMatch(/^-- tidemark:no-transaction\n/);
    expect(r.read('20240103120000_seed.down.sql')).toMatch(/^-- tidemark:irreversible\n/);
    expect(r.mapping.migrations[0].sourceFiles).toEqual(['20240101120000_create_users.sql']);
  });

  it('dbmate: several up/down sections in one file are refused with the line, nothing written', async () => {
    const r = await importAndVerify('dbmate', {
      '20240101120000_two.sql':
        '-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n-- migrate:up\nCREATE TABLE b (id int);\n-- migrate:down\nDROP TABLE b;\n',
    });
    expect(r.result.code).toBe(2);
    expect(r.result.stdout).toMatch(/20240101120000_two\.sql:5: several "-- migrate:up"\/"-- migrate:down" sections/);
    expect(r.result.stdout).toMatch(/Nothing was written/);
    expect(existsSync(r.out)).toBe(false);
  });

  it('goose: Up/Down, StatementBegin/End removed, NO TRANSACTION; a Go migration refused then skipped', async () => {
    const files = {
      '00001_create_fn.sql': [
        '-- +goose Up',
        '-- +goose StatementBegin',
        'CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END; $$;',
        '-- +goose StatementEnd',
        '',
        '-- +goose Down',
        'DROP FUNCTION f();',
        '',
      ].join('\n'),
      '00002_index.sql': '-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY i ON t (c);\n',
      '00003_backfill.go': 'package migrations\n',
    };
    const refused = await importAndVerify('goose', files);
    expect(refused.result.code).toBe(2);
    expect(refused.result.stdout).toMatch(/00003_backfill\.go: Go migration/);
    expect(existsSync(refused.out)).toBe(false);
    const r = await importAndVerify('goose', files, ['--skip-unsupported']);
    expect(r.result.code).toBe(0);
    expect(r.verify.code).toBe(0);
    expect(r.read('00001_create_fn.up.sql')).not.toMatch(/\+goose/);
    expect(r.read('00001_create_fn.up.sql')).toContain('CREATE FUNCTION f()');
    expect(r.read('00002_index.up.sql')).toMatch(/^-- tidemark:no-transaction\n/);
    expect(r.read('00002_index.down.sql')).toMatch(/^-- tidemark:irreversible\n/);
    expect(r.mapping.unsupported).toEqual([
      { file: '00003_backfill.go', reason: expect.stringMatching(/Go migration/) },
    ]);
  });

  it('flyway: dotted versions keep their order, U files are downs, placeholders replaced, checksums recorded', async () => {
    const r = await importAndVerify(
      'flyway',
      {
        'V1__init.sql': 'CREATE TABLE ${table} (id int);\n',
        'V1.2__Add_name.sql': 'ALTER TABLE ${table} ADD COLUMN name text;\n',
        'U1.2__Add_name.sql': 'ALTER TABLE ${table} DROP COLUMN name;\n',
        'V1.2.1__fix.sql': 'SELECT 1;\n',
        'V1.10__later.sql': "COMMENT ON TABLE ${table} IS '${flyway:filename}';\n",
        'V2__two.sql': 'SELECT 2;\n',
        'V1.2.1__fix.sql.conf': 'executeInTransaction=false\n',
      },
      ['--placeholder', 'table=items'],
    );
    expect(r.result.code).toBe(0);
    expect(r.verify.code).toBe(0);
    const rows = r.mapping.migrations.map((m: { sourceVersion: string; version: string }) => [
      m.sourceVersion,
      m.version,
    ]);
    expect(rows).toEqual([
      ['1', '1000'],
      ['1.2', '1020'],
      ['1.2.1', '1021'],
      ['1.10', '1100'],
      ['2', '2000'],
    ]);
    expect(r.read('1000_init.up.sql')).toContain('CREATE TABLE items (id int);');
    expect(r.read('1100_later.up.sql')).toContain("IS 'V1.10__later.sql'");
    expect(r.read('1020_Add_name.down.sql')).toContain('DROP COLUMN name');
    expect(r.read('1021_fix.up.sql')).toMatch(/^-- tidemark:no-transaction\n/);
    expect(typeof r.mapping.migrations[0].checksums.flyway).toBe('number');
    expect(r.result.stdout).toMatch(/flyway version\s+tidemark version/);
  });

  it('flyway: placeholders without a value, repeatables and Java migrations are refused, listed', async () => {
    const r = await importAndVerify('flyway', {
      'V1__init.sql': 'CREATE SCHEMA ${flyway:defaultSchema};\nCREATE TABLE ${schema}.t (id int);\n',
      'R__views.sql': 'CREATE OR REPLACE VIEW v AS SELECT 1;\n',
      'V2__Backfill.java': 'class V2__Backfill {}\n',
    });
    expect(r.result.code).toBe(2);
    expect(r.result.stdout).toMatch(
      /V1__init\.sql:1: placeholders with no value: \$\{flyway:defaultSchema\} \(line 1\), \$\{schema\} \(line 2\); give each with --placeholder NAME=VALUE/,
    );
    expect(r.result.stdout).toMatch(/R__views\.sql: repeatable migration/);
    expect(r.result.stdout).toMatch(/V2__Backfill\.java: Java migration/);
    expect(existsSync(r.out)).toBe(false);
  });

  it('sqlx: reversible pairs and simple files, -- no-transaction, SHA-384 checksums', async () => {
    const r = await importAndVerify('sqlx', {
      '20240101000000_users.up.sql': 'CREATE TABLE users (id int);\n',
      '20240101000000_users.down.sql': 'DROP TABLE users;\n',
      '20240102000000_index.sql': '-- no-transaction\nCREATE INDEX CONCURRENTLY i ON users (id);\n',
    });
    expect(r.result.code).toBe(0);
    expect(r.verify.code).toBe(0);
    expect(r.mapping.migrations[0].checksums.sqlx).toMatch(/^[0-9a-f]{96}$/);
    expect(r.mapping.migrations[1]).toMatchObject({ name: 'index', irreversible: true, noTransaction: true });
  });

  it('diesel: folders, metadata.toml run_in_transaction = false, dashed versions', async () => {
    const r = await importAndVerify('diesel', {
      '00000000000000_diesel_initial_setup/up.sql':
        'CREATE FUNCTION diesel_set() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\n',
      '00000000000000_diesel_initial_setup/down.sql': 'DROP FUNCTION diesel_set();\n',
      '2017-12-06-180925_create_posts/up.sql': 'CREATE TABLE posts (id int);\n',
      '2017-12-06-180925_create_posts/down.sql': 'DROP TABLE posts;\n',
      '2018-01-01-000000_idx/up.sql': 'CREATE INDEX CONCURRENTLY p ON posts (id);\n',
      '2018-01-01-000000_idx/down.sql': 'DROP INDEX p;\n',
      '2018-01-01-000000_idx/metadata.toml': 'run_in_transaction = false\n',
    });
    expect(r.result.code).toBe(0);
    expect(r.verify.code).toBe(0);
    expect(r.listing).toContain('20171206180925_create_posts.up.sql');
    expect(r.mapping.migrations.map((m: { sourceVersion: string }) => m.sourceVersion)).toEqual([
      '00000000000000',
      '20171206180925',
      '20180101000000',
    ]);
    expect(r.read('20180101000000_idx.up.sql')).toMatch(/^-- tidemark:no-transaction\n/);
  });

  it('node-pg-migrate: Up/Down Migration sections; a JS migration refused', async () => {
    const files = {
      '1700000000000_create-users.sql':
        '-- Up Migration\nCREATE TABLE users (id int);\n\n-- Down Migration\nDROP TABLE users;\n',
      '1700000000001_seed.sql': '-- Up Migration\nINSERT INTO users VALUES (1);\n',
      '1700000000002_js.js': 'exports.up = (pgm) => {};\n',
    };
    const r = await importAndVerify('node-pg-migrate', files, ['--skip-unsupported']);
    expect(r.result.code).toBe(0);
    expect(r.verify.code).toBe(0);
    expect(r.mapping.migrations[0]).toMatchObject({
      version: '1700000000000',
      name: 'create-users',
      sourceVersion: '1700000000000_create-users',
    });
    expect(r.read('1700000000000_create-users.down.sql')).toContain('DROP TABLE users;');
    expect(r.read('1700000000000_create-users.up.sql')).not.toContain('DROP TABLE');
    expect(r.read('1700000000001_seed.down.sql')).toMatch(/^-- tidemark:irreversible/);
  });

  it('postgrator: do/undo, a name-less file, MD5 checksums', async () => {
    const r = await importAndVerify('postgrator', {
      '001.do.create-users.sql': 'CREATE TABLE users (id int);\n',
      '001.undo.create-users.sql': 'DROP TABLE users;\n',
      '002.do.sql': 'ALTER TABLE users ADD COLUMN name text;\n',
    });
    expect(r.result.code).toBe(0);
    expect(r.verify.code).toBe(0);
    expect(r.listing).toEqual(expect.arrayContaining(['001_create-users.up.sql', '002_migration.up.sql']));
    // md5sum of 'CREATE TABLE users (id int);\n'
    expect(r.mapping.migrations[0].checksums).toEqual({ postgrator: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(r.mapping.migrations[0].sourceVersion).toBe('1');
  });
});

describe('import: refusals', () => {
  it('refuses a --dir that is not empty, naming it, and writes nothing', async () => {
    const src = dirs({ '1_a.up.sql': 'SELECT 1;\n' });
    const out = dirs({ 'keep.txt': 'mine\n' });
    const r = await runInProcess(['import', '--from', 'golang-migrate', src, '--dir', out]);
    expect(r.code).toBe(2);
    expect(r.stderr + r.stdout).toMatch(/is not empty \(keep\.txt\).*--into-existing/s);
    expect(readdirSync(out)).toEqual(['keep.txt']);
    const again = await runInProcess(['import', '--from', 'golang-migrate', src, '--dir', out, '--into-existing']);
    expect(again.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['1_a.down.sql', '1_a.up.sql', 'keep.txt', 'tidemark-import.json']);
    const clash = await runInProcess(['import', '--from', 'golang-migrate', src, '--dir', out, '--into-existing']);
    expect(clash.code).toBe(2);
    expect(clash.stderr + clash.stdout).toMatch(/already holds tidemark-import\.json, 1_a\.up\.sql/);
  });

  it('refuses SRC_DIR that is not a folder, and --placeholder for another tool', async () => {
    const out = path.join(dirs(), 'out');
    const missing = await runInProcess(['import', '--from', 'sqlx', '/nonexistent/x', '--dir', out]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/\/nonexistent\/x is not a directory/);
    const src = dirs({ '1_a.sql': 'SELECT 1;\n' });
    const bad = await runInProcess(['import', '--from', 'sqlx', src, '--dir', out, '--placeholder', 'a=b']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--placeholder is for --from flyway only/);
  });

  it('checks the written folder as verify --offline does before moving it into place: a refusal leaves nothing', async () => {
    const src = dirs({ '1_a.up.sql': '-- tidemark:bogus\nSELECT 1;\n', '1_a.down.sql': 'SELECT 1;\n' });
    const parent = dirs();
    const out = path.join(parent, 'out');
    const r = await runInProcess(['import', '--from', 'golang-migrate', src, '--dir', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/1_a\.up\.sql: unknown directive "-- tidemark:bogus"/);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('prints the report as JSON', async () => {
    const src = dirs({ '1_a.up.sql': 'SELECT 1;\n' });
    const out = path.join(dirs(), 'out');
    const r = await runInProcess(['import', '--from', 'golang-migrate', src, '--dir', out, '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ written: true, refused: false, tool: 'golang-migrate', format: 1 });
    expect(doc.migrations[0]).toMatchObject({ version: '1', name: 'a', irreversible: true });
    const logged = await runInProcess([
      'import',
      '--from',
      'golang-migrate',
      src,
      '--dir',
      `${out}2`,
      '--log-format',
      'json',
    ]);
    expect(logged.code).toBe(0);
    const record = JSON.parse(logged.stdout);
    expect(record.msg).toMatch(/^Imported 1 migration from golang-migrate into /);
    expect(record).toMatchObject({ level: 30, written: true, tool: 'golang-migrate' });
  });
});

it('a new --dir gets the mode any new folder gets here (the umask), not the 0700 of a temporary folder', async () => {
  const src = dirs({ '1_a.up.sql': 'CREATE TABLE a (id int);\n', '1_a.down.sql': 'DROP TABLE a;\n' });
  const parent = dirs();
  const out = path.join(parent, 'out');
  const sibling = path.join(parent, 'sibling');
  mkdirSync(sibling);
  expect((await runInProcess(['import', '--from', 'golang-migrate', src, '--dir', out])).code).toBe(0);
  expect(statSync(out).mode & 0o777).toBe(statSync(sibling).mode & 0o777);
});

it('golang-migrate: a .go file beside the SQL (an embed.go) is ignored, as golang-migrate ignores it, with a note', async () => {
  const src = dirs({
    '1_a.up.sql': 'CREATE TABLE a (id int);\n',
    '1_a.down.sql': 'DROP TABLE a;\n',
    'embed.go': 'package migrations\n',
  });
  const out = path.join(dirs(), 'out');
  const result = await runInProcess(['import', '--from', 'golang-migrate', src, '--dir', out]);
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/embed\.go: ignored/);
  expect(readdirSync(out).sort()).toEqual(['1_a.down.sql', '1_a.up.sql', 'tidemark-import.json']);
});
