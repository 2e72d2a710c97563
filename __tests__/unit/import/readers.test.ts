/**
 * Each tool's reader and the plan, pure: source files written here, the
 * migrations, problems, unsupported files and notes they give.
 */
import { planImport } from '../../../lib/import/plan';
import { fixTransactions } from '../../../lib/import/transactions';
import type { SourceFile, Tool } from '../../../lib/import/types';

const NONE = new Map<string, string>();

function plan(tool: Tool, files: Record<string, string>, placeholders = NONE) {
  const source: SourceFile[] = Object.entries(files).map(([path, text]) => ({ path, bytes: Buffer.from(text) }));
  return planImport(tool, source, { placeholders });
}

function file(p: ReturnType<typeof plan>, name: string): string {
  const found = p.files.find((f) => f.name === name);
  if (!found) throw new Error(`${name} not planned: ${p.files.map((f) => f.name).join(', ')}`);
  return found.content;
}

describe('golang-migrate', () => {
  it('pairs, and refuses a down without its up or two ups of one version', () => {
    const p = plan('golang-migrate', {
      '1_a.up.sql': 'SELECT 1;',
      '1_a.down.sql': 'SELECT 2;',
      '2_b.down.sql': 'SELECT 3;',
      '01_c.up.sql': 'SELECT 4;',
      'x.sql': 'SELECT 5;',
    });
    expect(p.migrations.map((m) => m.version)).toEqual(['1']);
    expect(p.problems.map((x) => [x.file, x.reason])).toEqual([
      ['01_c.up.sql', expect.stringMatching(/a second up script for version 01 \(1_a\.up\.sql\)/)],
      ['2_b.down.sql', 'a down script without its up script'],
      ['x.sql', expect.stringMatching(/not a golang-migrate name/)],
    ]);
  });
  it('marks a file with COMMIT in the middle no-transaction, with a note', () => {
    const p = plan('golang-migrate', { '1_a.up.sql': 'BEGIN;\nSELECT 1;\nCOMMIT;\nVACUUM t;\n', '1_a.down.sql': '' });
    expect(file(p, '1_a.up.sql')).toMatch(/^-- tidemark:no-transaction\n/);
    expect(p.notes.join('\n')).toMatch(/VACUUM at 1_a\.up\.sql:4 cannot run in a transaction/);
    expect(file(p, '1_a.down.sql')).toMatch(/^-- tidemark:irreversible\n.*\n-- its down migration is empty/);
  });
  it('writes an empty up as a no-op, with a note', () => {
    const p = plan('golang-migrate', { '1_a.up.sql': '-- nothing\n', '1_a.down.sql': 'SELECT 1;\n' });
    expect(file(p, '1_a.up.sql')).toMatch(/SELECT 1; -- empty in the source/);
    expect(p.notes.join('\n')).toMatch(/the up script is empty in the source/);
  });
});

describe('golang-migrate: Authelia', () => {
  it('reads the per-provider folder layout (V0001.Name.up.sql) and refuses two ups of one version', () => {
    const p = plan('golang-migrate', {
      'V0001.Initial_Schema.up.sql': 'SELECT 1;',
      'V0001.Initial_Schema.down.sql': 'SELECT 2;',
      'V0002.WebAuthn.all.up.sql': 'SELECT 3;',
      'V0002.WebAuthn.postgres.up.sql': 'SELECT 4;',
    });
    expect(p.migrations.map((m) => [m.version, m.name, m.irreversible])).toEqual([
      ['0001', 'Initial_Schema', false],
      ['0002', 'WebAuthn', true],
    ]);
    expect(p.problems.map((x) => x.reason)).toEqual([
      'a second up script for version 0002 (V0002.WebAuthn.all.up.sql)',
    ]);
  });
});

describe('dbmate', () => {
  it('refuses statements before -- migrate:up, and a file without it', () => {
    const p = plan('dbmate', {
      '1_a.sql': "CREATE TYPE s AS ENUM ('a');\n-- migrate:up\nSELECT 1;\n-- migrate:down\n",
      '2_b.sql': 'SELECT 1;\n',
    });
    expect(p.problems.map((x) => [x.file, x.line, x.reason])).toEqual([
      ['1_a.sql', 1, expect.stringMatching(/statements before "-- migrate:up"/)],
      ['2_b.sql', undefined, expect.stringMatching(/no "-- migrate:up" section/)],
    ]);
  });
  it('takes the options of each section on its own', () => {
    const p = plan('dbmate', { '1_a.sql': '-- migrate:up transaction:false\nSELECT 1;\n-- migrate:down\nSELECT 2;\n' });
    expect(p.migrations[0]).toMatchObject({ noTransaction: true, irreversible: false });
    expect(file(p, '1_a.down.sql')).not.toMatch(/no-transaction/);
  });
});

describe('goose', () => {
  it('refuses a file without -- +goose Up, Down before Up, version 0; ENVSUBST is unsupported', () => {
    const p = plan('goose', {
      '0_z.sql': '-- +goose Up\nSELECT 1;\n',
      '1_a.sql': '-- comment\nSELECT 1;\n',
      '2_b.sql': '-- +goose Down\nSELECT 1;\n-- +goose Up\nSELECT 2;\n',
      '3_c.sql': '-- +goose ENVSUBST ON\n-- +goose Up\nSELECT ${X};\n',
    });
    expect(p.problems.map((x) => [x.file, x.line, x.reason])).toEqual([
      ['0_z.sql', undefined, 'goose versions start at 1'],
      ['1_a.sql', undefined, expect.stringMatching(/no "-- \+goose Up" section/)],
      ['2_b.sql', 1, '"-- +goose Down" before "-- +goose Up"'],
    ]);
    expect(p.unsupported).toEqual([{ file: '3_c.sql', reason: expect.stringMatching(/ENVSUBST/) }]);
  });
  it('keeps a line goose does not know as a comment, with a note', () => {
    const p = plan('goose', { '1_a.sql': '-- +goose Up\n-- +goose Whatever\nSELECT 1;\n' });
    expect(p.problems).toEqual([]);
    expect(file(p, '1_a.up.sql')).toContain('-- +goose Whatever\nSELECT 1;');
    expect(p.notes).toContain('1_a.sql:2: "-- +goose Whatever" is not a goose annotation; kept as a comment');
  });
  it('keeps the version as written and the goose_db_version id as sourceVersion', () => {
    const p = plan('goose', { '20240101120000_a.sql': '-- +goose Up\nSELECT 1;\n-- +goose Down\nSELECT 2;\n' });
    expect(p.migrations[0]).toMatchObject({ version: '20240101120000', sourceVersion: '20240101120000' });
    expect(file(p, '20240101120000_a.down.sql')).toContain('SELECT 2;');
    expect(file(p, '20240101120000_a.up.sql')).not.toContain('SELECT 2;');
  });
});

describe('flyway', () => {
  it('refuses a clash of 1 and 1.0, an undo without its version, and lists callbacks and baselines', () => {
    const p = plan('flyway', {
      'V1__a.sql': 'SELECT 1;',
      'V1.0__b.sql': 'SELECT 1;',
      'U3__c.sql': 'SELECT 1;',
      'afterMigrate.sql': 'SELECT 1;',
      'B5__base.sql': 'SELECT 1;',
    });
    expect(p.problems.map((x) => x.reason)).toEqual([
      expect.stringMatching(/undo \(U\) migration without its versioned/),
      expect.stringMatching(/version 1\.0 is also V1__a\.sql/),
    ]);
    expect(p.unsupported.map((u) => u.file).sort()).toEqual(['B5__base.sql', 'afterMigrate.sql']);
  });
  it('checksums the file before placeholders are replaced', () => {
    const p = plan('flyway', { 'V1__a.sql': 'SELECT ${x};\n' }, new Map([['x', '1']]));
    const other = plan('flyway', { 'V1__a.sql': 'SELECT ${x};\n' }, new Map([['x', '2']]));
    expect(p.migrations[0].checksums).toEqual(other.migrations[0].checksums);
    expect(file(p, '1_a.up.sql')).toContain('SELECT 1;');
  });
});

describe('sqlx', () => {
  it('refuses version 0 and a down without its up; a BOM turns -- no-transaction off as in sqlx', () => {
    const p = plan('sqlx', {
      '0_a.sql': 'SELECT 1;',
      '2_b.down.sql': 'SELECT 1;',
      '3_c.sql': '\uFEFF-- no-transaction\nSELECT 1;',
    });
    expect(p.problems.map((x) => x.reason)).toEqual(['sqlx versions start at 1', 'a .down.sql without its .up.sql']);
    expect(p.migrations[0]).toMatchObject({ version: '3', noTransaction: false });
  });
});

describe('diesel', () => {
  it('refuses a folder without up.sql and a version used twice', () => {
    const p = plan('diesel', {
      '2020-01-01-000000_a/down.sql': 'SELECT 1;',
      '2020-01-02-000000_b/up.sql': 'SELECT 1;',
      '20200102000000_c/up.sql': 'SELECT 1;',
    });
    expect(p.problems.map((x) => [x.file, x.reason])).toEqual([
      ['2020-01-01-000000_a', 'no up.sql'],
      ['20200102000000_c', 'version 20200102000000 is also 2020-01-02-000000_b'],
    ]);
  });
});

describe('node-pg-migrate', () => {
  it('takes the whole file as up without markers, and refuses a name without a number', () => {
    const p = plan('node-pg-migrate', { '1_a.sql': 'SELECT 1;\n', 'init.sql': 'SELECT 1;' });
    expect(p.migrations[0]).toMatchObject({ version: '1', sourceVersion: '1_a', irreversible: true });
    expect(p.problems).toEqual([{ file: 'init.sql', reason: expect.stringMatching(/does not start with a number/) }]);
  });
  it('reads the markers in any case and with dashes', () => {
    const p = plan('node-pg-migrate', { '1_a.sql': '---- up migration\nSELECT 1;\n-- DOWN MIGRATION\nSELECT 2;\n' });
    expect(file(p, '1_a.down.sql')).toContain('SELECT 2;');
    expect(file(p, '1_a.up.sql')).not.toContain('SELECT 2;');
  });
});

describe('postgrator', () => {
  it('refuses an undo without its do and a version used twice; JS migrations are unsupported', () => {
    const p = plan('postgrator', {
      '001.undo.a.sql': 'SELECT 1;',
      '002.do.b.sql': 'SELECT 1;',
      '02.do.c.sql': 'SELECT 1;',
      '003.do.d.js': 'module.exports = {}',
    });
    expect(p.problems.map((x) => x.reason)).toEqual([
      'an undo script without its do script',
      expect.stringMatching(/version 2 is also 002\.do\.b\.sql/),
    ]);
    expect(p.unsupported.map((u) => u.file)).toEqual(['003.do.d.js']);
  });
});

describe('what each tool reads', () => {
  it('ignores subfolders as the tool does, with a note; Flyway scans them', () => {
    const files = { '1_a.up.sql': 'SELECT 1;', 'seeds/2_b.up.sql': 'SELECT 2;', 'seeds/x.sql': 'SELECT 3;' };
    const p = plan('golang-migrate', files);
    expect(p.migrations.map((m) => m.version)).toEqual(['1']);
    expect(p.problems).toEqual([]);
    expect(p.notes).toContain(
      '2 file(s) in subfolders ignored, as golang-migrate ignores them (seeds/2_b.up.sql, seeds/x.sql)',
    );
    const flyway = plan('flyway', { 'V1__a.sql': 'SELECT 1;', 'sub/V2__b.sql': 'SELECT 2;' });
    expect(flyway.migrations.map((m) => m.sourceFiles[0])).toEqual(['V1__a.sql', 'sub/V2__b.sql']);
  });
});

describe('fixTransactions', () => {
  it('leaves SAVEPOINT and a plpgsql BEGIN alone', () => {
    const sql = 'SAVEPOINT a;\nDO $$ BEGIN PERFORM 1; END $$;\nRELEASE a;\n';
    expect(fixTransactions({ sql, noTransaction: false, file: 'f.sql' }, 'f')).toEqual({
      script: { sql, noTransaction: false, file: 'f.sql' },
      note: null,
    });
  });
  it('removes START TRANSACTION … END, keeping the lines', () => {
    const fix = fixTransactions(
      { sql: 'START TRANSACTION;\nSELECT 1;\nEND;\n', noTransaction: false, file: 'f.sql' },
      'f',
    );
    expect(fix.script.sql).toBe('\nSELECT 1;\n\n');
    expect(fix.note).toMatch(/START TRANSACTION\/END removed \(f\.sql:1, f\.sql:3\)/);
  });
});
