/**
 * `tidemark repair`: list, accept one edit on purpose (audited), accept all,
 * and clear a failed row.
 */
import { createHash } from 'node:crypto';
import { runInProcess } from '../helpers/in-process';
import { useTestDatabase } from '../helpers/db';
import { removeDir, useMigrationsDir, writeMigrations } from '../helpers/files';

const FILES = {
  '001_items.up.sql': "CREATE TABLE items (id int, state text DEFAULT 'a');\n",
  '001_items.down.sql': 'DROP TABLE items;\n',
  '002_notes.up.sql': '-- notes\nCREATE TABLE notes (id int);\n',
  '002_notes.down.sql': 'DROP TABLE notes;\n',
  '003_tags.up.sql': 'CREATE TABLE IF NOT EXISTS tags (id int);\n',
  '003_tags.down.sql': 'DROP TABLE tags;\n',
};
const EDITED_1 = "CREATE TABLE items (id int, state text DEFAULT 'b');\n";
const COSMETIC_2 = '-- notes: free text\nCREATE TABLE notes (id int);\n';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface LedgerRow {
  version: string;
  name: string;
  up_checksum: string;
  down_checksum: string;
  up_sql: string | null;
  state: string;
}
interface AuditRow {
  version: string;
  action: string;
  reason: string;
  performed_by: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

const db = useTestDatabase();
const migrations = useMigrationsDir();
let dir: string;
beforeEach(async () => {
  dir = migrations(FILES);
  expect((await runInProcess(['apply', '--dir', dir, '--url', db.url])).code).toBe(0);
});

const cli = (command: string, ...args: string[]) => runInProcess([command, '--dir', dir, '--url', db.url, ...args]);
const ledger = () =>
  db.query<LedgerRow>(
    'SELECT version, name, up_checksum, down_checksum, up_sql, state FROM tidemark_migrations ORDER BY version',
  );
const auditTableExists = async () =>
  (await db.query<{ t: string | null }>("SELECT to_regclass('public.tidemark_migrations_audit') AS t"))[0].t !== null;
const audit = () =>
  db.query<AuditRow>(
    'SELECT version, action, reason, performed_by, before, after FROM tidemark_migrations_audit ORDER BY id',
  );
const verifyJson = async (...args: string[]) => {
  const { code, stdout } = await cli('verify', '--json', ...args);
  return { code, doc: JSON.parse(stdout) };
};

describe('with an edited and a cosmetically edited migration', () => {
  beforeEach(() => {
    writeMigrations(dir, { '001_items.up.sql': EDITED_1, '002_notes.up.sql': COSMETIC_2 });
  });

  it('plain repair lists what it would change and changes nothing', async () => {
    const before = await ledger();
    const { code, stdout } = await cli('repair', '--log-format', 'json');
    expect(code).toBe(0);
    const [result] = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(result).toMatchObject({
      candidates: [
        { version: '1', name: 'items', action: 'accept-edit', kind: 'edited' },
        { version: '2', name: 'notes', action: 'accept-edit', kind: 'cosmetic' },
      ],
      repaired: [],
    });
    expect(await ledger()).toEqual(before);
    expect(await auditTableExists()).toBe(false);
  });

  it('refuses --version without --reason (exit 2) and --version with --all, changing nothing', async () => {
    const before = await ledger();
    expect((await cli('repair', '--version', '1')).code).toBe(2);
    expect((await cli('repair', '--version', '1', '--reason', '   ')).code).toBe(2);
    expect((await cli('repair', '--version', '1', '--all', '--reason', 'x')).code).toBe(2);
    expect((await cli('repair', '--version', '3', '--reason', 'nothing to accept there')).code).toBe(2);
    expect(await ledger()).toEqual(before);
    expect(await auditTableExists()).toBe(false);
  });

  it('--version V --reason accepts that one file, audited, and verify passes for it afterwards', async () => {
    const [row1, row2] = await ledger();
    const { code } = await cli('repair', '--version', '1', '--reason', 'hotfix INC-42 applied by hand');
    expect(code).toBe(0);
    const [after1, after2] = await ledger();
    expect(after1).toEqual({ ...row1, up_checksum: sha256(EDITED_1), up_sql: EDITED_1 });
    expect(after1.up_checksum).not.toBe(row1.up_checksum);
    expect(after2).toEqual(row2);

    const [{ user }] = await db.query<{ user: string }>('SELECT current_user AS user');
    expect(user).toBe('postgres');
    expect(await audit()).toEqual([
      {
        version: '1',
        action: 'accept-edit',
        reason: 'hotfix INC-42 applied by hand',
        performed_by: user,
        before: { name: 'items', up_checksum: row1.up_checksum, down_checksum: row1.down_checksum },
        after: { name: 'items', up_checksum: sha256(EDITED_1), down_checksum: row1.down_checksum },
      },
    ]);

    const status = JSON.parse((await cli('status', '--json')).stdout);
    expect(status.audit).toEqual([
      expect.objectContaining({
        version: '1',
        action: 'accept-edit',
        reason: 'hotfix INC-42 applied by hand',
        by: user,
        at: expect.any(String),
      }),
    ]);
    expect(status.migrations.map((m: { state: string }) => m.state)).toEqual(['applied', 'cosmetic', 'applied']); // 2 is a comment-only edit

    const lax = await verifyJson();
    expect(lax.code).toBe(0);
    expect(lax.doc.discrepancies).toEqual([expect.objectContaining({ kind: 'cosmetic', version: '2' })]);
    expect((await verifyJson('--strict')).code).toBe(3);
  });

  it('--all --reason accepts every repairable discrepancy', async () => {
    expect((await cli('repair', '--all', '--reason', 'reviewed in PR 7')).code).toBe(0);
    const rows = await ledger();
    expect(rows.map((r) => [r.version, r.up_checksum, r.up_sql])).toEqual([
      ['1', sha256(EDITED_1), EDITED_1],
      ['2', sha256(COSMETIC_2), COSMETIC_2],
      ['3', sha256(FILES['003_tags.up.sql']), FILES['003_tags.up.sql']],
    ]);
    expect((await audit()).map((a) => [a.version, a.action, a.reason])).toEqual([
      ['1', 'accept-edit', 'reviewed in PR 7'],
      ['2', 'accept-edit', 'reviewed in PR 7'],
    ]);
    const strict = await verifyJson('--strict');
    expect(strict.code).toBe(0);
    expect(strict.doc.discrepancies).toEqual([]);
  });
});

it('accepts a rename on purpose', async () => {
  removeDir(dir);
  const renamed = Object.entries(FILES).map(([file, sql]) => [file.replace('002_notes', '002_memos'), sql]);
  dir = migrations(Object.fromEntries(renamed));
  expect((await verifyJson()).doc.discrepancies).toEqual([
    expect.objectContaining({ kind: 'renamed', version: '2', ledger_name: 'notes' }),
  ]);
  expect((await cli('repair', '--version', '2', '--reason', 'naming convention')).code).toBe(0);
  expect((await ledger())[1].name).toBe('memos');
  expect(await audit()).toEqual([
    expect.objectContaining({
      version: '2',
      action: 'accept-rename',
      before: expect.objectContaining({ name: 'notes' }),
      after: expect.objectContaining({ name: 'memos' }),
    }),
  ]);
  expect((await verifyJson('--strict')).code).toBe(0);
});

it('removes a failed row with --not-applied: the migration becomes pending and apply runs it again', async () => {
  await db.query(
    'UPDATE tidemark_migrations SET state = \'failed\', failure = \'{"message": "boom"}\' WHERE version = 3',
  );
  const failing = await verifyJson();
  expect(failing.code).toBe(3);
  expect(failing.doc.discrepancies).toEqual([expect.objectContaining({ kind: 'failed', version: '3' })]);
  expect((await cli('apply')).code).toBe(3);

  const listed = await cli('repair', '--log-format', 'json');
  expect(JSON.parse(listed.stdout.trim())).toMatchObject({
    candidates: [{ version: '3', action: 'choose', kind: 'failed' }],
    repaired: [],
  });
  const undecided = await cli('repair', '--version', '3', '--reason', 'checked: tags table is complete');
  expect(undecided.code).toBe(2); // finished or undone? The user says which.
  expect(undecided.stderr).toContain('--applied if you finished it');
  expect((await ledger()).map((r) => r.version)).toEqual(['1', '2', '3']);
  expect(
    (await cli('repair', '--version', '3', '--not-applied', '--reason', 'checked: tags table is complete')).code,
  ).toBe(0);
  expect((await ledger()).map((r) => r.version)).toEqual(['1', '2']);
  expect(await audit()).toEqual([
    expect.objectContaining({
      version: '3',
      action: 'mark-not-applied',
      reason: 'checked: tags table is complete',
      before: expect.objectContaining({ name: 'tags', state: 'failed', failure: { message: 'boom' } }),
      after: null,
    }),
  ]);
  const status = JSON.parse((await cli('status', '--json')).stdout);
  expect(status.migrations.map((m: { version: string; state: string }) => [m.version, m.state])).toEqual([
    ['1', 'applied'],
    ['2', 'applied'],
    ['3', 'pending'],
  ]);

  expect((await cli('apply')).code).toBe(0);
  expect((await ledger()).map((r) => [r.version, r.state])).toEqual([
    ['1', 'applied'],
    ['2', 'applied'],
    ['3', 'applied'],
  ]);
  expect((await verifyJson('--strict')).code).toBe(0);
});

it('has nothing to repair on a clean history', async () => {
  const { code, stdout } = await cli('repair', '--log-format', 'json');
  expect(code).toBe(0);
  expect(JSON.parse(stdout.trim())).toMatchObject({ candidates: [], repaired: [] });
  expect((await cli('repair', '--version', '1', '--reason', 'x')).code).toBe(2);
});

it('removes a failed row whose files were also renamed, in one repair', async () => {
  await db.query("UPDATE tidemark_migrations SET state = 'failed' WHERE version = 3");
  removeDir(dir);
  dir = migrations(
    Object.fromEntries(Object.entries(FILES).map(([file, sql]) => [file.replace('003_tags', '003_labels'), sql])),
  );
  const { code, stdout } = await cli(
    'repair',
    '--version',
    '3',
    '--not-applied',
    '--reason',
    'checked by hand',
    '--log-format',
    'json',
  );
  expect(code).toBe(0);
  expect(JSON.parse(stdout.trim()).repaired).toEqual(['3']);
  expect((await ledger()).map((r) => r.version)).toEqual(['1', '2']);
  expect((await audit()).map((a) => a.action)).toEqual(['mark-not-applied']);
  expect((await cli('verify')).code).toBe(0);
});

it('keeps the audit table beside a ledger with a custom schema and a name that needs quoting', async () => {
  const table = ['--schema', 'Ops Schema', '--table', 'led"ger'];
  expect((await cli('rollback', '--target', '0')).code).toBe(0); // the schema moves to the other ledger
  expect((await cli('apply', ...table)).code).toBe(0);
  writeMigrations(dir, { '001_items.up.sql': EDITED_1 });
  expect((await cli('repair', ...table, '--version', '1', '--reason', 'quoted')).code).toBe(0);
  expect(await db.query('SELECT version, action, reason FROM "Ops Schema"."led""ger_audit"')).toEqual([
    { version: '1', action: 'accept-edit', reason: 'quoted' },
  ]);
  const status = JSON.parse((await cli('status', ...table, '--json')).stdout);
  expect(status.audit).toEqual([expect.objectContaining({ version: '1', action: 'accept-edit' })]);
  expect((await cli('verify', ...table)).code).toBe(0);
  expect(await auditTableExists()).toBe(false);
});
