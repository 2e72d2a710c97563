/**
 * `apply --dry-run --sql` and `rollback --dry-run --sql` print what the run
 * would send, as a psql script. Proof that it is exactly that: the file,
 * run by `psql -v ON_ERROR_STOP=1` on a fresh database, leaves the same
 * schema, row counts and ledger as `tidemark apply` on another one — and
 * the dry run itself changes nothing.
 */
import { execFile } from 'node:child_process';
import { cpSync } from 'node:fs';
import path from 'node:path';
import { takeSnapshot } from '../../lib/db/catalog';
import { diffSnapshots } from '../../lib/schema';
import { ROOT } from '../helpers/cli';
import { runInProcess } from '../helpers/in-process';
import { createTestDatabase, type TestDatabase } from '../helpers/db';
import { removeDir, tempDir, writeMigrations } from '../helpers/files';
import { ledgerVersions } from '../helpers/inspect';

let viaPsql: TestDatabase;
let viaApply: TestDatabase;
let dir: string;

beforeEach(async () => {
  [viaPsql, viaApply] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  dir = tempDir();
  cpSync(path.join(ROOT, 'sql'), dir, { recursive: true }); // the examples: functions, enums, triggers, seed rows that read tidemark.environment
});
afterEach(async () => {
  await Promise.all([viaPsql.drop(), viaApply.drop()]);
  removeDir(dir);
});

/** Runs `sql` with psql as a DBA would; resolves with its exit code and output. */
function psql(db: TestDatabase, sql: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db.url], (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin?.end(sql);
  });
}

const LEDGER_COLUMNS =
  'version, name, up_checksum, down_checksum, applied_by, environment, tool_version, state, statements_done, statements_total, failure, up_sql, down_sql';

/** Everything a run leaves behind that does not depend on the clock: schema, rows per table, ledger rows. */
async function state(db: TestDatabase) {
  const client = await db.connect();
  try {
    const snapshot = await takeSnapshot(client, { ignoreTables: [{ schema: 'public', table: 'tidemark_migrations' }] });
    const counts: Record<string, number> = {};
    for (const t of snapshot.tables) {
      const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${t.schema}"."${t.name}"`);
      counts[`${t.schema}.${t.name}`] = rows[0].n;
    }
    const ledger = (await client.query(`SELECT ${LEDGER_COLUMNS} FROM public.tidemark_migrations ORDER BY version`))
      .rows;
    return { snapshot, counts, ledger };
  } finally {
    await client.end();
  }
}

async function expectSameState(a: TestDatabase, b: TestDatabase): Promise<void> {
  const [x, y] = await Promise.all([state(a), state(b)]);
  expect(diffSnapshots(x.snapshot, y.snapshot)).toEqual([]);
  expect(x.counts).toEqual(y.counts);
  expect(x.ledger).toEqual(y.ledger);
}

test('apply --dry-run --sql, run by psql, leaves what apply leaves, ledger included; the dry run changes nothing', async () => {
  const dry = await runInProcess([
    'apply',
    '--dry-run',
    '--sql',
    '--lock-timeout',
    '5s',
    '--dir',
    dir,
    '--url',
    viaPsql.url,
  ]);
  expect(dry.code).toBe(0);
  expect(await ledgerVersions(viaPsql)).toBeNull();
  expect(dry.stdout).toMatch(
    /^-- tidemark apply --dry-run --sql: the SQL this run would send, in order\. Nothing was changed\.\n/,
  );
  expect(dry.stdout).toMatch(
    /^BEGIN;\nSELECT (pg_catalog\.)?set_config\('tidemark\.environment', 'development', true\), (pg_catalog\.)?set_config\('lock_timeout', '5s', true\), /m,
  );
  expect(dry.stdout).toContain('INSERT INTO "public"."tidemark_migrations"');
  const run = await psql(viaPsql, dry.stdout);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect((await runInProcess(['apply', '--lock-timeout', '5s', '--dir', dir, '--url', viaApply.url])).code).toBe(0);
  await expectSameState(viaPsql, viaApply);
  // tidemark reads the psql-made ledger as its own: nothing pending, no drift.
  expect((await runInProcess(['verify', '--dir', dir, '--url', viaPsql.url])).code).toBe(0);
  expect((await runInProcess(['apply', '--dir', dir, '--url', viaPsql.url])).stdout).toContain(
    'Nothing to apply: the database is up to date.',
  );
});

test('--single-transaction, a no-transaction migration, then rollback --dry-run --sql --target 0: the same as tidemark, step by step', async () => {
  writeMigrations(dir, {
    '009_index_names.up.sql':
      "-- tidemark:no-transaction\nCREATE INDEX CONCURRENTLY molecules_formula_name_idx ON molecules (formula, name);\nCOMMENT ON INDEX molecules_formula_name_idx IS 'it''s \\ here';\n",
    '009_index_names.down.sql': '-- tidemark:no-transaction\nDROP INDEX CONCURRENTLY molecules_formula_name_idx;\n',
  });
  const batch = await runInProcess([
    'apply',
    '--dry-run',
    '--sql',
    '--single-transaction',
    '--target',
    '8',
    '--dir',
    dir,
    '--url',
    viaPsql.url,
  ]);
  expect(batch.stdout.match(/^BEGIN;$/gm)).toHaveLength(1);
  expect((await psql(viaPsql, batch.stdout)).code).toBe(0);
  expect(
    (await runInProcess(['apply', '--single-transaction', '--target', '8', '--dir', dir, '--url', viaApply.url])).code,
  ).toBe(0);
  const rest = await runInProcess(['apply', '--dry-run', '--sql', '--dir', dir, '--url', viaPsql.url]);
  expect(rest.stdout).toContain(
    '-- statement 1 of 2 (line 2)\nCREATE INDEX CONCURRENTLY molecules_formula_name_idx ON molecules (formula, name);\n',
  );
  expect((await psql(viaPsql, rest.stdout)).code).toBe(0);
  expect((await runInProcess(['apply', '--dir', dir, '--url', viaApply.url])).code).toBe(0);
  await expectSameState(viaPsql, viaApply);

  const back = await runInProcess([
    'rollback',
    '--dry-run',
    '--sql',
    '--target',
    '0',
    '--dir',
    dir,
    '--url',
    viaPsql.url,
  ]);
  expect(back.stdout).toMatch(
    /^DELETE FROM "public"\."tidemark_migrations" WHERE version (=|OPERATOR\(pg_catalog\.=\)) '9';$/m,
  );
  expect((await psql(viaPsql, back.stdout)).code).toBe(0);
  expect((await runInProcess(['rollback', '--target', '0', '--dir', dir, '--url', viaApply.url])).code).toBe(0);
  await expectSameState(viaPsql, viaApply);
  expect(await ledgerVersions(viaPsql)).toEqual([]);
});

test('psql stops at a failing migration: that one is rolled back, the ones before it stay, as with apply', async () => {
  writeMigrations(dir, {
    '009_bad.up.sql': 'CREATE TABLE half (i int);\nSELECT 1/0;\n',
    '009_bad.down.sql': 'DROP TABLE half;\n',
  });
  const dry = await runInProcess(['apply', '--dry-run', '--sql', '--dir', dir, '--url', viaPsql.url]);
  const run = await psql(viaPsql, dry.stdout);
  expect(run.code).toBe(3); // psql: a script stopped by ON_ERROR_STOP
  expect(run.stderr).toContain('division by zero');
  expect(await ledgerVersions(viaPsql)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8']);
  expect(await viaPsql.query("SELECT to_regclass('half') AS t")).toEqual([{ t: null }]);
});

test('--sql without --dry-run is refused before connecting (exit 2)', async () => {
  const run = await runInProcess(['apply', '--sql', '--dir', dir, '--url', 'postgres://nobody@127.0.0.1:1/none']);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain('--sql prints what a dry run would send: add --dry-run');
});

test('nothing to do: a file of comments only', async () => {
  expect((await runInProcess(['apply', '--dir', dir, '--url', viaPsql.url])).code).toBe(0);
  const dry = await runInProcess(['apply', '--dry-run', '--sql', '--dir', dir, '--url', viaPsql.url]);
  expect(dry.stdout.split('\n').filter((l) => l && !l.startsWith('--') && !l.startsWith('\\set'))).toEqual([]);
  expect(dry.stdout).toContain('-- Nothing to apply.');
});
