/**
 * The README quick start on the example migrations in sql/ (run from the
 * project root, so the default --dir is used), and the read-only views of a
 * database: status, status --json and apply --dry-run.
 */
import { runCli } from '../helpers/cli';
import { useTestDatabase } from '../helpers/db';
import { migrationsDir, removeDir } from '../helpers/files';
import { existing, ledgerVersions, relationExists, userObjects } from '../helpers/inspect';

const EXAMPLE_LABELS = [
  '001_updated_at_function',
  '002_molecules',
  '003_molecule_properties',
  '004_seed_property_kinds',
  '005_mixtures',
  '006_experiments',
  '007_user_preferences',
  '008_demo_data',
];
const EXAMPLE_TABLES = [
  'molecules',
  'property_kinds',
  'molecule_properties',
  'mixtures',
  'mixture_components',
  'experiments',
  'user_preferences',
];
const ALL_VERSIONS = ['1', '2', '3', '4', '5', '6', '7', '8'];

const db = useTestDatabase();

/** tidemark in the project root with the default --dir (sql/). */
const tidemark = (...args: string[]) => runCli([...args, '--url', db.url]);

async function count(table: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return row.n;
}

describe('README quick start on sql/', () => {
  test('apply, apply again, status, rollback --target 0, apply', async () => {
    const first = await tidemark('apply');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Applied 8 migrations/);
    for (const label of EXAMPLE_LABELS) expect(first.stderr).toContain(label);
    expect(await existing(db, [...EXAMPLE_TABLES, 'mixture_fraction_totals'])).toEqual([
      ...EXAMPLE_TABLES,
      'mixture_fraction_totals',
    ]);
    expect(await ledgerVersions(db)).toEqual(ALL_VERSIONS);
    expect(await count('property_kinds')).toBe(8);
    expect(await count('molecules')).toBe(3); // 008 seeds demo rows in 'development', the default
    const appliedAt = await db.query('SELECT version, applied_at FROM tidemark_migrations ORDER BY version');

    const second = await tidemark('apply');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/up to date/);
    expect(await db.query('SELECT version, applied_at FROM tidemark_migrations ORDER BY version')).toEqual(appliedAt);

    const status = await tidemark('status');
    expect(status.code).toBe(0);
    const rows = status.stdout
      .split('\n')
      .filter((line) => /^\d+\s+[\w-]+\s+(applied|pending|modified|missing|failed)\b/.test(line));
    expect(rows).toHaveLength(8);
    for (const row of rows) expect(row).toMatch(/^\d+\s+\S+\s+applied\s+\d{4}-\d\d-\d\d /);
    expect(status.stdout).toMatch(/8 migrations: 8 applied, 0 pending, 0 modified, 0 missing, 0 failed/);

    const rollback = await tidemark('rollback', '--target', '0');
    expect(rollback.code).toBe(0);
    expect(rollback.stdout).toMatch(/Rolled back 8 migrations/);
    // Only the ledger (and its primary key's index, not listed) is left: no table, view, type or function.
    expect(await userObjects(db)).toEqual(['tidemark_migrations']);
    expect(await ledgerVersions(db)).toEqual([]);

    const again = await tidemark('apply');
    expect(again.code).toBe(0);
    expect(await ledgerVersions(db)).toEqual(ALL_VERSIONS);
    expect(await existing(db, EXAMPLE_TABLES)).toEqual(EXAMPLE_TABLES);
    expect(await count('molecules')).toBe(3);
  });

  test('with --env production, 008 sees the environment and seeds no demo rows', async () => {
    const { code } = await tidemark('apply', '--env', 'production');
    expect(code).toBe(0);
    expect(await count('molecules')).toBe(0);
    expect(await count('property_kinds')).toBe(8); // reference data is not demo data
    const envs = await db.query<{ environment: string }>('SELECT DISTINCT environment FROM tidemark_migrations');
    expect(envs).toEqual([{ environment: 'production' }]);
  });
});

describe('status on an empty database', () => {
  test('lists every migration as pending, exits 0 and does not create the ledger', async () => {
    const { code, stdout } = await tidemark('status');
    expect(code).toBe(0);
    for (const label of EXAMPLE_LABELS) {
      const name = label.slice(4);
      expect(stdout).toMatch(new RegExp(`^${Number(label.slice(0, 3))}\\s+${name}\\s+pending\\s+-$`, 'm'));
    }
    expect(stdout).toMatch(/8 migrations: 0 applied, 8 pending/);
    expect(await ledgerVersions(db)).toBeNull();
  });

  test('with --schema/--table does not create the schema either', async () => {
    const { code } = await tidemark('status', '--schema', 'audit', '--table', 'history');
    expect(code).toBe(0);
    const schemas = await db.query("SELECT 1 FROM pg_namespace WHERE nspname = 'audit'");
    expect(schemas).toEqual([]);
  });

  test('--json prints a document with migrations[] and summary, and creates nothing', async () => {
    const { code, stdout } = await tidemark('status', '--json');
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as { migrations: Record<string, unknown>[]; summary: Record<string, number> };
    expect(doc.migrations).toHaveLength(8);
    doc.migrations.forEach((m, i) => {
      expect(m).toEqual({
        version: ALL_VERSIONS[i],
        name: EXAMPLE_LABELS[i].slice(4),
        state: 'pending',
        applied_at: null,
        path: `${EXAMPLE_LABELS[i]}.up.sql`,
      });
    });
    expect(doc.summary).toMatchObject({ total: 8, applied: 0, pending: 8, modified: 0, missing: 0, failed: 0 });
    expect(await ledgerVersions(db)).toBeNull();
  });

  test('--json after apply --target 3 shows applied_at timestamps and the split', async () => {
    const before = Date.now();
    expect((await tidemark('apply', '--target', '3')).code).toBe(0);
    const { code, stdout } = await tidemark('status', '--json');
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as {
      migrations: { version: string; state: string; applied_at: string | null }[];
      summary: Record<string, number>;
    };
    expect(doc.migrations.map((m) => m.state)).toEqual([
      'applied',
      'applied',
      'applied',
      'pending',
      'pending',
      'pending',
      'pending',
      'pending',
    ]);
    for (const m of doc.migrations.slice(0, 3)) {
      expect(typeof m.applied_at).toBe('string');
      expect(Math.abs(Date.parse(m.applied_at as string) - before)).toBeLessThan(60_000);
    }
    expect(doc.summary).toMatchObject({ total: 8, applied: 3, pending: 5 });
  });

  test('--json keeps 64-bit versions exact, as strings', async () => {
    const dir = migrationsDir({
      '9223372036854775807_last.up.sql': 'CREATE TABLE last_one (id int);\n',
      '9223372036854775807_last.down.sql': 'DROP TABLE last_one;\n',
      '20261124093000_stamp.up.sql': 'CREATE TABLE stamped (id int);\n',
      '20261124093000_stamp.down.sql': 'DROP TABLE stamped;\n',
    });
    try {
      expect((await runCli(['apply', '--dir', dir, '--url', db.url, '--target', '20261124093000'])).code).toBe(0);
      const { stdout } = await runCli(['status', '--json', '--dir', dir, '--url', db.url]);
      const doc = JSON.parse(stdout) as { migrations: { version: string; state: string }[] };
      expect(doc.migrations.map((m) => [m.version, m.state])).toEqual([
        ['20261124093000', 'applied'],
        ['9223372036854775807', 'pending'],
      ]);
      expect(await ledgerVersions(db)).toEqual(['20261124093000']);
    } finally {
      removeDir(dir);
    }
  });
});

describe('apply --dry-run', () => {
  test('prints the plan in order, exits 0 and creates nothing, not even the ledger', async () => {
    const { code, stdout } = await tidemark('apply', '--dry-run');
    expect(code).toBe(0);
    const planned = EXAMPLE_LABELS.map((label) => stdout.indexOf(label));
    expect(planned.every((at) => at >= 0)).toBe(true);
    expect([...planned].sort((a, b) => a - b)).toEqual(planned);
    expect(await ledgerVersions(db)).toBeNull();
    expect(await userObjects(db)).toEqual([]);
  });

  test('after a partial apply lists only what is pending and changes nothing', async () => {
    expect((await tidemark('apply', '--target', '5')).code).toBe(0);
    const { code, stdout } = await tidemark('apply', '--dry-run');
    expect(code).toBe(0);
    for (const label of EXAMPLE_LABELS.slice(0, 5)) expect(stdout).not.toContain(label);
    for (const label of EXAMPLE_LABELS.slice(5)) expect(stdout).toContain(label);
    expect(await ledgerVersions(db)).toEqual(ALL_VERSIONS.slice(0, 5));
    expect(await relationExists(db, 'experiments')).toBe(false);
  });
});
