/**
 * `tidemark adopt --from TOOL` for each tool: a database that tool migrated
 * (its history table created with the tool's own DDL, its rows written as it
 * writes them), the imported pairs and mapping file, then adopt, status,
 * verify, and apply of the next migration.
 */
import { runInProcess } from '../helpers/in-process';
import { useTestDatabase } from '../helpers/db';
import { useMigrationsDir, writeMigrations } from '../helpers/files';
import { migrateWith, threeMigrations, TOOLS, writeImported, type Tool } from '../helpers/foreign-tools';

const db = useTestDatabase();
const migrations = useMigrationsDir();

const cli = (dir: string, ...args: string[]) => runInProcess([...args, '--dir', dir, '--url', db.url]);

const HISTORY: Record<Tool, string> = {
  'golang-migrate': 'public.schema_migrations',
  dbmate: 'public.schema_migrations',
  goose: 'public.goose_db_version',
  flyway: 'public.flyway_schema_history',
  sqlx: 'public._sqlx_migrations',
  diesel: 'public.__diesel_schema_migrations',
  'node-pg-migrate': 'public.pgmigrations',
  postgrator: 'public.schemaversion',
};

describe.each(TOOLS)('adopt --from %s', (tool) => {
  it('records what the tool applied, with no drift, and apply runs the next migration', async () => {
    const three = threeMigrations(tool);
    const dir = migrations();
    writeImported(dir, tool, three);
    await migrateWith(db, tool, three);
    const historyBefore = await db.query(`SELECT * FROM ${HISTORY[tool]}`);

    const adopted = await cli(dir, 'adopt', '--from', tool, '--json');
    expect({ code: adopted.code, stderr: adopted.stderr }).toEqual({ code: 0, stderr: '' });
    const report = JSON.parse(adopted.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({
      ok: true,
      tool,
      historyTable: HISTORY[tool],
      dryRun: false,
      alreadyAdopted: false,
      adopted: three.map((m) => ({ version: String(m.version), sourceVersion: m.sourceVersion })),
      pending: [],
    });
    const checked = tool === 'flyway' || tool === 'sqlx' || tool === 'postgrator' ? 3 : 0;
    expect(report.checksums).toEqual({ verified: checked, unverified: 0 });

    // The ledger holds tidemark's own checksums: status and verify see no drift.
    const status = await cli(dir, 'status', '--json');
    expect(status.code).toBe(0);
    const entries = (JSON.parse(status.stdout) as { migrations: { version: string; state: string }[] }).migrations;
    expect(entries.map((e) => [e.version, e.state])).toEqual([
      ['1', 'applied'],
      ['2', 'applied'],
      ['3', 'applied'],
    ]);
    expect((await cli(dir, 'verify', '--strict')).code).toBe(0);
    const audit = await db.query<{ version: string; action: string; reason: string }>(
      'SELECT version, action, reason FROM tidemark_migrations_audit ORDER BY id',
    );
    expect(audit.map((a) => [a.version, a.action])).toEqual([
      ['1', 'baseline'],
      ['2', 'baseline'],
      ['3', 'baseline'],
    ]);
    expect(audit[0].reason).toContain(`adopt --from ${tool}`);
    // The other tool's table is left as it was.
    expect(await db.query(`SELECT * FROM ${HISTORY[tool]}`)).toEqual(historyBefore);

    writeMigrations(dir, {
      '4_invoices.up.sql': 'CREATE TABLE invoices (id int PRIMARY KEY, user_id int REFERENCES users);\n',
      '4_invoices.down.sql': 'DROP TABLE invoices;\n',
    });
    const applied = await cli(dir, 'apply', '--log-format', 'json');
    expect(applied.code).toBe(0);
    expect(JSON.parse(applied.stdout.trim())).toMatchObject({ completed: [{ version: '4' }], pending: 0 });
    expect(await db.query("SELECT to_regclass('invoices') IS NOT NULL AS made")).toEqual([{ made: true }]);

    // Adopt again, as a deploy script would: its rows are there, and the one apply ran since: nothing to do.
    const again = await cli(dir, 'adopt', '--from', tool);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(
      `Already adopted: the ledger holds the 3 migrations ${tool} applied; nothing was written.`,
    );
    expect(await db.query('SELECT count(*)::int AS n FROM tidemark_migrations')).toEqual([{ n: 4 }]);
  });
});
