/**
 * The import/adopt contract, tool by tool: a folder in the tool's own
 * format, run as the tool runs it (its history rows with the version as the
 * tool records it, and its checksum of the file), then the real
 * `tidemark import` + `tidemark adopt --prove`, `status` and `apply` of the
 * next migration. Catches a mapping whose sourceVersion is not spelled as
 * the history spells it.
 */
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { runInProcess } from '../helpers/in-process';
import { useTestDatabase } from '../helpers/db';
import { useMigrationsDir } from '../helpers/files';
import { DDL, recordRun, TOOLS, type Tool } from '../helpers/foreign-tools';

const db = useTestDatabase();
const dirs = useMigrationsDir();

const USERS = 'CREATE TABLE users (id int PRIMARY KEY);\n';
const EMAIL = 'ALTER TABLE users ADD COLUMN email text;\n';

/** The tool's folder, and what its runs record: the version as stored, and the file its checksum is of. */
const FOLDERS: Record<Tool, { files: Record<string, string>; runs: [string, string][] }> = {
  'golang-migrate': {
    files: {
      '000001_users.up.sql': USERS,
      '000001_users.down.sql': 'DROP TABLE users;\n',
      '000002_email.up.sql': EMAIL,
    },
    runs: [
      ['1', '000001_users.up.sql'],
      ['2', '000002_email.up.sql'],
    ],
  },
  dbmate: {
    files: {
      '20240101120000_users.sql': `-- migrate:up\n${USERS}\n-- migrate:down\nDROP TABLE users;\n`,
      '20240102120000_email.sql': `-- migrate:up\n${EMAIL}\n-- migrate:down\n`,
    },
    runs: [
      ['20240101120000', '20240101120000_users.sql'],
      ['20240102120000', '20240102120000_email.sql'],
    ],
  },
  goose: {
    files: {
      '00001_users.sql': `-- +goose Up\n${USERS}\n-- +goose Down\nDROP TABLE users;\n`,
      '00002_email.sql': `-- +goose Up\n-- +goose StatementBegin\n${EMAIL}-- +goose StatementEnd\n`,
    },
    runs: [
      ['1', '00001_users.sql'],
      ['2', '00002_email.sql'],
    ],
  },
  flyway: {
    files: {
      'V1__users.sql': USERS,
      'V1.1__email.sql': EMAIL,
      'U1.1__email.sql': 'ALTER TABLE users DROP COLUMN email;\n',
    },
    runs: [
      ['1', 'V1__users.sql'],
      ['1.1', 'V1.1__email.sql'],
    ],
  },
  sqlx: {
    files: {
      '20240101120000_users.up.sql': USERS,
      '20240101120000_users.down.sql': 'DROP TABLE users;\n',
      '20240102120000_email.up.sql': EMAIL,
      '20240102120000_email.down.sql': 'ALTER TABLE users DROP COLUMN email;\n',
    },
    runs: [
      ['20240101120000', '20240101120000_users.up.sql'],
      ['20240102120000', '20240102120000_email.up.sql'],
    ],
  },
  diesel: {
    files: {
      '2024-01-01-120000_users/up.sql': USERS,
      '2024-01-01-120000_users/down.sql': 'DROP TABLE users;\n',
      '2024-01-02-120000_email/up.sql': EMAIL,
      '2024-01-02-120000_email/down.sql': 'ALTER TABLE users DROP COLUMN email;\n',
    },
    runs: [
      ['20240101120000', '2024-01-01-120000_users/up.sql'],
      ['20240102120000', '2024-01-02-120000_email/up.sql'],
    ],
  },
  'node-pg-migrate': {
    files: {
      '1704110400000_users.sql': `-- Up Migration\n${USERS}\n-- Down Migration\nDROP TABLE users;\n`,
      '1704196800000_email.sql': `-- Up Migration\n${EMAIL}\n-- Down Migration\nALTER TABLE users DROP COLUMN email;\n`,
    },
    runs: [
      ['1704110400000_users', '1704110400000_users.sql'],
      ['1704196800000_email', '1704196800000_email.sql'],
    ],
  },
  postgrator: {
    files: { '001.do.users.sql': USERS, '001.undo.users.sql': 'DROP TABLE users;\n', '002.do.email.sql': EMAIL },
    runs: [
      ['1', '001.do.users.sql'],
      ['2', '002.do.email.sql'],
    ],
  },
};

describe.each(TOOLS)('import + adopt --from %s', (tool) => {
  it('maps every history row to its imported pair, proves the schema, and apply runs the next migration', async () => {
    const { files, runs } = FOLDERS[tool];
    const src = dirs(files);
    await db.query(DDL[tool]('public'));
    for (const [i, [sourceVersion, file]] of runs.entries()) {
      await db.query(i === 0 ? USERS : EMAIL);
      const migration = { version: i + 1, name: path.basename(file), sourceVersion, up: files[file], down: '' };
      await recordRun(db, tool, migration, i + 1);
    }
    const out = path.join(dirs(), 'sql');
    const imported = await runInProcess(['import', '--from', tool, src, '--dir', out]);
    expect({ code: imported.code, stderr: imported.stderr }).toMatchObject({ code: 0 });

    const adopted = await runInProcess(['adopt', '--from', tool, '--prove', '--json', '--dir', out, '--url', db.url]);
    expect({ code: adopted.code, stderr: adopted.stderr.replace(/.*throwaway database.*\n/g, '') }).toEqual({
      code: 0,
      stderr: '',
    });
    const report = JSON.parse(adopted.stdout) as { adopted: unknown[]; pending: unknown[]; checksums: unknown };
    expect(report).toMatchObject({ adopted: runs.map(([v]) => ({ sourceVersion: v })), pending: [] });
    const stored = tool === 'flyway' || tool === 'sqlx' || tool === 'postgrator' ? 2 : 0;
    expect(report.checksums).toEqual({ verified: stored, unverified: 0 });

    const status = await runInProcess(['status', '--json', '--dir', out, '--url', db.url]);
    const states = (JSON.parse(status.stdout) as { migrations: { state: string }[] }).migrations.map((m) => m.state);
    expect(states).toEqual(['applied', 'applied']);
    writeFileSync(path.join(out, '99999999999999_next.up.sql'), 'CREATE INDEX users_email ON users (email);\n');
    writeFileSync(path.join(out, '99999999999999_next.down.sql'), 'DROP INDEX users_email;\n');
    const applied = await runInProcess(['apply', '--dir', out, '--url', db.url]);
    expect(applied.code).toBe(0);
    expect(await db.query("SELECT to_regclass('users_email') IS NOT NULL AS made")).toEqual([{ made: true }]);
  });
});
