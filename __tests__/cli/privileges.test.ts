/**
 * Least privilege (issue 13): each command works for a role with exactly the
 * privileges the README's "Privileges" section lists, and a role that lacks
 * one is refused before anything runs — exit 2, naming the role, with the
 * GRANT that is missing — never a raw SQLSTATE 42501 or "internal error".
 *
 * Roles are cluster-wide: each test makes its own, with a random name, in
 * its own database, and drops it afterwards.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { type CliResult } from '../helpers/cli';
import { runInProcess } from '../helpers/in-process';
import { ADMIN_URL, useTestDatabase } from '../helpers/db';
import { useMigrationsDir } from '../helpers/files';
import { existing, ledgerVersions } from '../helpers/inspect';

const FILES = {
  '001_first.up.sql': 'CREATE TABLE first (id int);\n',
  '001_first.down.sql': 'DROP TABLE first;\n',
  '002_second.up.sql': 'CREATE TABLE second (id int);\n',
  '002_second.down.sql': 'DROP TABLE second;\n',
  '003_third.up.sql':
    '-- tidemark:no-transaction\nCREATE TABLE third (id int);\nCREATE INDEX CONCURRENTLY third_id ON third (id);\n',
  '003_third.down.sql': '-- tidemark:no-transaction\nDROP TABLE third;\n',
};
const LEDGER = 'public.tidemark_migrations';
const AUDIT = 'public.tidemark_migrations_audit';

function expectRefused(run: CliResult, ...mentions: string[]): void {
  expect(run.stderr).not.toContain('internal error');
  expect(run.stderr).not.toContain('SQLSTATE 42501');
  expect(run.stderr).not.toMatch(/^\s+at /m);
  for (const text of mentions) expect(run.stderr).toContain(text);
  expect(run.code).toBe(2);
}

function expectOk(run: CliResult): void {
  if (run.code !== 0) throw new Error(`exit ${run.code}\n${run.stderr}${run.stdout}`);
}

async function asAdmin(sql: string): Promise<void> {
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(sql).finally(() => admin.end());
}

const db = useTestDatabase();
let role: string;
let roleUrl: string;
const migrations = useMigrationsDir();
let dir: string;
/** As the owner (postgres). */
const owner = (...args: string[]) => runInProcess([...args, '--dir', dir, '--url', db.url]);
/** As the test's role. */
const least = (...args: string[]) => runInProcess([...args, '--dir', dir, '--url', roleUrl]);

beforeEach(async () => {
  role = `tidemark_lp_${randomBytes(4).toString('hex')}`;
  await asAdmin(`CREATE ROLE ${role} LOGIN`);
  // As PostgreSQL 15 does by default; older servers let PUBLIC create in public.
  await db.query(
    `REVOKE CREATE ON SCHEMA public FROM PUBLIC; REVOKE CREATE, TEMPORARY ON DATABASE ${db.name} FROM PUBLIC`,
  );
  const url = new URL(db.url);
  url.username = role;
  roleUrl = url.toString();
  dir = migrations(FILES);
});
afterEach(async () => {
  await db.drop(); // the role owns nothing, and holds no grant, once its database is gone
  await asAdmin(`DROP ROLE IF EXISTS ${role}`);
});

describe('apply and rollback', () => {
  test('a schema that exists: CREATE on it is enough to create the ledger there (no CREATE on the database)', async () => {
    await db.query(
      `CREATE SCHEMA ops; GRANT USAGE, CREATE ON SCHEMA ops TO ${role}; GRANT CREATE ON SCHEMA public TO ${role}`,
    );
    expectOk(await least('apply', '--schema', 'ops'));
    expect(await ledgerVersions(db, 'ops.tidemark_migrations')).toEqual(['1', '2', '3']);
  });

  test('an existing ledger: SELECT, INSERT, UPDATE, DELETE on it are enough for apply, status, verify and rollback', async () => {
    expectOk(await owner('apply', '--target', '1'));
    await db.query(
      `GRANT CREATE ON SCHEMA public TO ${role}; GRANT SELECT, INSERT, UPDATE, DELETE ON ${LEDGER} TO ${role}; ALTER TABLE first OWNER TO ${role}`,
    );
    expectOk(await least('apply'));
    expect(await ledgerVersions(db)).toEqual(['1', '2', '3']);
    expectOk(await least('status'));
    expectOk(await least('verify'));
    expectOk(await least('rollback', '--target', '0'));
    expect(await ledgerVersions(db)).toEqual([]);
    expect(await existing(db, ['public.first', 'public.second', 'public.third'])).toEqual([]);
  });

  test('no INSERT on the ledger: apply is refused before any script runs, with the GRANT', async () => {
    expectOk(await owner('apply', '--target', '1'));
    await db.query(`GRANT CREATE ON SCHEMA public TO ${role}; GRANT SELECT ON ${LEDGER} TO ${role}`);
    const run = await least('apply');
    expectRefused(
      run,
      `The role ${role} may not write the ledger ${LEDGER}`,
      `GRANT INSERT, UPDATE ON TABLE ${LEDGER} TO ${role};`,
    );
    expect(await existing(db, ['public.second', 'public.third'])).toEqual([]);
    expect(await ledgerVersions(db)).toEqual(['1']);
  });

  test('the same with --single-transaction, and for a no-transaction script (no UPDATE)', async () => {
    expectOk(await owner('apply', '--target', '1'));
    await db.query(`GRANT CREATE ON SCHEMA public TO ${role}; GRANT SELECT, INSERT ON ${LEDGER} TO ${role}`);
    expectRefused(
      await least('apply', '--single-transaction', '--target', '2'),
      `GRANT UPDATE ON TABLE ${LEDGER} TO ${role};`,
    );
    expectRefused(await least('apply'), `GRANT UPDATE ON TABLE ${LEDGER} TO ${role};`);
    expect(await existing(db, ['public.second', 'public.third'])).toEqual([]);
    expect(await ledgerVersions(db)).toEqual(['1']);
  });

  test('no DELETE on the ledger: rollback is refused before the down script runs (a no-transaction one too)', async () => {
    expectOk(await owner('apply'));
    await db.query(`GRANT SELECT, INSERT, UPDATE ON ${LEDGER} TO ${role}; ALTER TABLE third OWNER TO ${role}`);
    const run = await least('rollback');
    expectRefused(run, `GRANT DELETE ON TABLE ${LEDGER} TO ${role};`, 'rollback also deletes rows');
    expect(await existing(db, ['public.third'])).toEqual(['public.third']);
    expect(await ledgerVersions(db)).toEqual(['1', '2', '3']);
  });

  test('--json log lines carry the role and the GRANT', async () => {
    expectOk(await owner('apply', '--target', '1'));
    await db.query(`GRANT SELECT ON ${LEDGER} TO ${role}`);
    const run = await least('apply', '--log-format', 'json');
    expect(run.code).toBe(2);
    const lines = run.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.find((line) => line.code === 'privilege')).toMatchObject({
      role,
      grant: `GRANT INSERT, UPDATE ON TABLE ${LEDGER} TO ${role};`,
    });
  });
});

describe('status and verify: read-only', () => {
  test('SELECT on the ledger is enough; once an audit table exists, status needs SELECT on it too', async () => {
    expectOk(await owner('apply'));
    await db.query(`GRANT SELECT ON ${LEDGER} TO ${role}`);
    expectOk(await least('status'));
    expectOk(await least('verify'));
    appendFileSync(path.join(dir, '001_first.up.sql'), '-- reviewed\n');
    expectOk(await owner('repair', '--version', '1', '--reason', 'comment added'));
    expectRefused(
      await least('status'),
      `The role ${role} may not read the audit table ${AUDIT}`,
      `GRANT SELECT ON TABLE ${AUDIT} TO ${role};`,
    );
    expectOk(await least('verify'));
    await db.query(`GRANT SELECT ON ${AUDIT} TO ${role}`);
    const status = await least('status', '--json');
    expectOk(status);
    expect(JSON.parse(status.stdout).audit).toHaveLength(1);
  });
});

describe('repair and baseline', () => {
  beforeEach(async () => {
    expectOk(await owner('apply'));
    appendFileSync(path.join(dir, '001_first.up.sql'), 'COMMENT ON TABLE first IS NULL;\n'); // an edit, not a cosmetic one: verify fails until it is repaired
  });

  test('an existing audit table: UPDATE on the ledger and INSERT on the audit table are enough (no CREATE on the schema)', async () => {
    appendFileSync(path.join(dir, '002_second.up.sql'), '-- reviewed\n');
    expectOk(await owner('repair', '--version', '2', '--reason', 'first repair creates the audit table'));
    await db.query(`GRANT SELECT, UPDATE ON ${LEDGER} TO ${role}; GRANT INSERT ON ${AUDIT} TO ${role}`);
    expectOk(await least('repair', '--version', '1', '--reason', 'by the least-privileged role'));
    const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${AUDIT} WHERE performed_by = $1`, [
      role,
    ]);
    expect(row.n).toBe(1);
  });

  test('no audit table and no CREATE on the schema: refused with the GRANT, the ledger unchanged', async () => {
    await db.query(`GRANT SELECT, UPDATE ON ${LEDGER} TO ${role}`);
    expectRefused(
      await least('repair', '--version', '1', '--reason', 'x'),
      `may not create the audit table ${AUDIT}`,
      `GRANT CREATE ON SCHEMA public TO ${role};`,
    );
    expect((await least('verify')).code).toBe(3);
  });

  test('no INSERT on the audit table, or no UPDATE on the ledger: refused with the GRANT', async () => {
    appendFileSync(path.join(dir, '002_second.up.sql'), '-- reviewed\n');
    expectOk(await owner('repair', '--version', '2', '--reason', 'creates the audit table'));
    await db.query(`GRANT SELECT ON ${LEDGER} TO ${role}`);
    expectRefused(
      await least('repair', '--version', '1', '--reason', 'x'),
      `GRANT UPDATE ON TABLE ${LEDGER} TO ${role};`,
    );
    await db.query(`GRANT UPDATE ON ${LEDGER} TO ${role}`);
    expectRefused(
      await least('repair', '--version', '1', '--reason', 'x'),
      `GRANT SELECT, INSERT ON TABLE ${AUDIT} TO ${role};`,
    );
    expect((await least('verify')).code).toBe(3);
  });

  test('baseline on an empty ledger: INSERT on it and on the audit table', async () => {
    expectOk(await owner('repair', '--version', '1', '--reason', 'creates the audit table'));
    expectOk(await owner('rollback', '--target', '0'));
    await db.query(`GRANT SELECT ON ${LEDGER} TO ${role}; GRANT INSERT ON ${AUDIT} TO ${role}`);
    expectRefused(await least('baseline', '--version', '2'), `GRANT INSERT ON TABLE ${LEDGER} TO ${role};`);
    await db.query(`GRANT INSERT ON ${LEDGER} TO ${role}`);
    expectOk(await least('baseline', '--version', '2'));
    expect(await ledgerVersions(db)).toEqual(['1', '2']);
  });
});

describe('test: CREATEDB, and a template it may copy', () => {
  let template: string | null = null;
  afterEach(async () => {
    if (template) {
      await asAdmin(`ALTER DATABASE ${template} IS_TEMPLATE false`);
      await asAdmin(`DROP DATABASE IF EXISTS ${template}`);
    }
    template = null;
  });

  test('without CREATEDB: exit 2 naming the role, with the ALTER ROLE that fixes it', async () => {
    expectRefused(await least('test'), `The role ${role} may not create databases`, `ALTER ROLE ${role} CREATEDB;`);
  });

  test('with CREATEDB: the round trip runs (the role owns the throwaway database)', async () => {
    await asAdmin(`ALTER ROLE ${role} CREATEDB`);
    expectOk(await least('test'));
  });

  test('a --template that is neither a template nor its own: exit 2 with the ALTER DATABASE that fixes it', async () => {
    await asAdmin(`ALTER ROLE ${role} CREATEDB`);
    template = `${db.name}_tpl`;
    await asAdmin(`CREATE DATABASE ${template} TEMPLATE template0`);
    expectRefused(
      await least('test', '--template', template),
      `--template ${template}: the role ${role} may not copy it`,
      `ALTER DATABASE "${template}" IS_TEMPLATE true;`,
    );
    await asAdmin(`ALTER DATABASE ${template} IS_TEMPLATE true`);
    expectOk(await least('test', '--template', template));
  });
});
