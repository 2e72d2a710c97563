/**
 * `tidemark test` checks the ledger's privileges once per run (issue 16: the
 * executor, called once per script, no longer checks them before each one).
 * A template that brings a ledger the role may not write is still refused
 * before anything runs, exit 2, with the GRANT; with the grants, it passes.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createLedgerSql } from '../../lib/db/ledger';
import { runInProcess } from '../helpers/in-process';
import { ADMIN_URL, createTestDatabase, type TestDatabase } from '../helpers/db';
import { useMigrationsDir } from '../helpers/files';

const FILES = {
  '001_first.up.sql': 'CREATE TABLE first (id int PRIMARY KEY);\n',
  '001_first.down.sql': 'DROP TABLE first;\n',
  '002_second.up.sql': 'CREATE TABLE second (id int REFERENCES first);\n',
  '002_second.down.sql': 'DROP TABLE second;\n',
};
const LEDGER = 'public.tidemark_migrations';

async function asAdmin(sql: string): Promise<void> {
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(sql).finally(() => admin.end());
}

const migrations = useMigrationsDir();
let role: string;
let template: TestDatabase;

beforeEach(async () => {
  role = `tidemark_tl_${randomBytes(4).toString('hex')}`;
  await asAdmin(`CREATE ROLE ${role} LOGIN CREATEDB`);
  template = await createTestDatabase();
  await template.query(createLedgerSql({ schema: 'public', table: 'tidemark_migrations' }));
  // The role may copy the database it owns; the ledger in it stays the admin's.
  await template.query(`GRANT CREATE ON SCHEMA public TO ${role}; GRANT SELECT ON ${LEDGER} TO ${role}`);
  await asAdmin(`ALTER DATABASE ${template.name} OWNER TO ${role}`);
});
afterEach(async () => {
  await template.drop();
  await asAdmin(`DROP ROLE IF EXISTS ${role}`);
});

function asRole(...args: string[]) {
  const url = new URL(ADMIN_URL);
  url.username = role;
  return runInProcess([
    'test',
    '--dir',
    migrations(FILES),
    '--url',
    url.toString(),
    '--template',
    template.name,
    ...args,
  ]);
}

test('a ledger the role may only read: refused before any script runs, exit 2, with the GRANT', async () => {
  const run = await asRole();
  expect(run.stderr).toContain(`may not write the ledger ${LEDGER}`);
  expect(run.stderr).toContain(`GRANT INSERT, UPDATE, DELETE ON TABLE ${LEDGER} TO ${role};`);
  expect(run.stderr).not.toContain('SQLSTATE 42501');
  expect(run.code).toBe(2);
});

test('with INSERT, UPDATE and DELETE on it: every migration is round-trip tested', async () => {
  await template.query(`GRANT INSERT, UPDATE, DELETE ON ${LEDGER} TO ${role}`);
  const run = await asRole('--json');
  if (run.code !== 0) throw new Error(`exit ${run.code}\n${run.stderr}${run.stdout}`);
  const doc = JSON.parse(run.stdout) as { ok: boolean; summary: { passed: number } };
  expect(doc.ok).toBe(true);
  expect(doc.summary.passed).toBe(2);
});
