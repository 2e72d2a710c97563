/**
 * `tidemark baseline --version V` on a database whose schema was built
 * without tidemark, then `apply` for the rest; and the refusals.
 */
import { createHash } from 'node:crypto';
import { runInProcess } from '../helpers/in-process';
import { useTestDatabase } from '../helpers/db';
import { useMigrationsDir } from '../helpers/files';

// Running 001 or 002 a second time fails: CREATE TABLE without IF NOT EXISTS.
const FILES = {
  '001_accounts.up.sql': 'CREATE TABLE accounts (id int PRIMARY KEY);\n',
  '001_accounts.down.sql': 'DROP TABLE accounts;\n',
  '002_orders.up.sql': 'CREATE TABLE orders (id int PRIMARY KEY, account int REFERENCES accounts);\n',
  '002_orders.down.sql': 'DROP TABLE orders;\n',
  '003_invoices.up.sql': 'CREATE TABLE invoices (id int PRIMARY KEY);\n',
  '003_invoices.down.sql': 'DROP TABLE invoices;\n',
  '004_index.up.sql': 'CREATE INDEX orders_account ON orders (account);\n',
  '004_index.down.sql': 'DROP INDEX orders_account;\n',
};
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const db = useTestDatabase();
const migrations = useMigrationsDir();
let dir: string;
beforeEach(async () => {
  dir = migrations(FILES);
});

const cli = (command: string, ...args: string[]) => runInProcess([command, '--dir', dir, '--url', db.url, ...args]);
const ledger = () =>
  db.query<Record<string, unknown>>(
    'SELECT version, name, up_checksum, down_checksum, up_sql, duration_ms, state, applied_by FROM tidemark_migrations ORDER BY version',
  );
const ledgerExists = async () =>
  (await db.query<{ t: string | null }>("SELECT to_regclass('public.tidemark_migrations') AS t"))[0].t !== null;

it('records 1..V as applied without running them, then apply runs only the rest', async () => {
  await db.query(FILES['001_accounts.up.sql']);
  await db.query(FILES['002_orders.up.sql']);

  const baselined = await cli('baseline', '--version', '2', '--log-format', 'json');
  expect(baselined.code).toBe(0);
  expect(JSON.parse(baselined.stdout.trim())).toMatchObject({ recorded: ['1', '2'] });
  expect(await ledger()).toEqual(
    (['001_accounts', '002_orders'] as const).map((label, i) => ({
      version: String(i + 1),
      name: label.slice(4),
      up_checksum: sha256(FILES[`${label}.up.sql`]),
      down_checksum: sha256(FILES[`${label}.down.sql`]),
      up_sql: FILES[`${label}.up.sql`],
      duration_ms: 0,
      state: 'applied',
      applied_by: 'postgres',
    })),
  );
  const audit = await db.query('SELECT version, action, reason, before FROM tidemark_migrations_audit ORDER BY id');
  expect(audit).toEqual([
    { version: '1', action: 'baseline', reason: 'baseline', before: null },
    { version: '2', action: 'baseline', reason: 'baseline', before: null },
  ]);

  const applied = await cli('apply', '--log-format', 'json');
  expect(applied.code).toBe(0);
  expect(JSON.parse(applied.stdout.trim())).toMatchObject({
    completed: [{ version: '3' }, { version: '4' }],
    pending: 0,
  });
  expect((await ledger()).map((r) => [r.version, r.state])).toEqual([
    ['1', 'applied'],
    ['2', 'applied'],
    ['3', 'applied'],
    ['4', 'applied'],
  ]);
  expect(
    await db.query(
      "SELECT to_regclass('invoices') IS NOT NULL AS invoices, to_regclass('orders_account') IS NOT NULL AS idx",
    ),
  ).toEqual([{ invoices: true, idx: true }]);
  expect((await cli('verify', '--strict')).code).toBe(0);
});

it('keeps the --reason in the audit table and shows it in status --json', async () => {
  await db.query(FILES['001_accounts.up.sql']);
  expect((await cli('baseline', '--version', '001', '--reason', 'taken over from Flyway')).code).toBe(0);
  const status = JSON.parse((await cli('status', '--json')).stdout);
  expect(status.audit).toEqual([
    expect.objectContaining({ version: '1', action: 'baseline', reason: 'taken over from Flyway', by: 'postgres' }),
  ]);
  expect(status.migrations.map((m: { state: string }) => m.state)).toEqual([
    'applied',
    'pending',
    'pending',
    'pending',
  ]);
});

it('is refused when the ledger already has rows, changing nothing', async () => {
  expect((await cli('apply', '--target', '1')).code).toBe(0);
  const before = await ledger();
  const { code, stderr } = await cli('baseline', '--version', '2');
  expect(code).toBe(2);
  expect(stderr).toContain('already has 1 row');
  expect(await ledger()).toEqual(before);
});

it('is refused when version V is not on disk, before touching the database', async () => {
  const { code, stderr } = await cli('baseline', '--version', '7');
  expect(code).toBe(2);
  expect(stderr).toContain('no migration with that version');
  expect(await ledgerExists()).toBe(false);
});

it('needs --version', async () => {
  expect((await cli('baseline')).code).toBe(2);
  expect(await ledgerExists()).toBe(false);
});
