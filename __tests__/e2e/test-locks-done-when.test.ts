/**
 * Issue 16's "done when": `tidemark test --locks` on a migration that adds
 * an index without CONCURRENTLY to a table of a million rows shows SHARE on
 * that table, held for the measured time, and fails (exit 6) with
 * `--max-lock "SHARE UPDATE EXCLUSIVE"`. The rows come from `--template`: a
 * database holding the table, copied for the throwaway database.
 */
import { ADMIN_URL, useTestDatabase } from '../helpers/db';
import { runCli } from '../helpers/cli';
import { useMigrationsDir } from '../helpers/files';

const db = useTestDatabase();
const migrations = useMigrationsDir();

jest.setTimeout(180_000);

test('CREATE INDEX on a table of 1,000,000 rows: SHARE on it for the measured time; over budget, exit 6', async () => {
  await db.query('CREATE TABLE t (id bigint PRIMARY KEY, col int NOT NULL)');
  await db.query('INSERT INTO t SELECT g, ((g::bigint * 7919) % 1000003)::int FROM generate_series(1, 1000000) g');
  await db.query('ANALYZE t');
  const dir = migrations({
    '001_t_col.up.sql': 'CREATE INDEX ON t (col);\n',
    '001_t_col.down.sql': 'DROP INDEX t_col_idx;\n',
  });
  const test = (...args: string[]) =>
    runCli(['test', '--dir', dir, '--url', ADMIN_URL, '--template', db.name, ...args], { timeoutMs: 150_000 });

  const { code, stdout } = await test('--locks');
  expect(code).toBe(0);
  expect(stdout).toContain(`Times are measured on the rows of template ${db.name}.`);
  const row =
    /^ {4}public\.t +SHARE +blocks writes \(INSERT, UPDATE, DELETE\) until the transaction ends; reads go on +no +(\d+)$/m.exec(
      stdout,
    );
  expect(row).not.toBeNull();
  const heldMs = Number(row?.[1]);
  const total = Number(/^ {2}001_t_col\.up\.sql {2}in one transaction, (\d+) ms$/m.exec(stdout)?.[1]);
  // held from the CREATE INDEX to the COMMIT: most of the migration, and sorting a million rows takes a while
  expect(heldMs).toBeGreaterThan(0);
  expect(heldMs).toBeLessThanOrEqual(total);
  expect(stdout).toMatch(/^ {4}public\.t_col_idx \(new\) +ACCESS EXCLUSIVE/m);
  expect(stdout).toContain('lint require-concurrent-index (line 1): SHARE on t — observed');
  expect(stdout).toContain('locks: OK — 1 migration observed, no budget set; lint agrees on 2 locks.');

  const over = await test('--locks', '--max-lock', 'SHARE UPDATE EXCLUSIVE');
  expect(over.code).toBe(6);
  expect(over.stdout).toMatch(
    /^ {4}OVER BUDGET: 001_t_col\.up\.sql:1: public\.t: SHARE \(blocks writes .*\), taken by the statement at line 1 and held [\d.]+ ms; the budget allows at most SHARE UPDATE EXCLUSIVE$/m,
  );
  expect(over.stdout).toContain(
    'locks: OVER BUDGET — 1 breach of the budget (max lock SHARE UPDATE EXCLUSIVE) in 1 migration; 1 migration observed.',
  );
});
