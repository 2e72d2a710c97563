/**
 * Issue 15's "Done when": a pull request that adds `CREATE INDEX ON
 * big_table (col)` fails CI with an annotation on that line naming the lock,
 * the table's size and the CONCURRENTLY rewrite, and passes once rewritten.
 * The built CLI as CI runs it: `tidemark lint --format github --url …`,
 * exit 6 for an unsafe migration.
 *
 * Skipped (with the reason in its name) in a build without the `lint`
 * command: it is written against the interface the issue describes and
 * runs once the command lands.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli';
import { useTestDatabase } from '../helpers/db';
import { useMigrationsDir } from '../helpers/files';

const db = useTestDatabase();
const dirs = useMigrationsDir();

const CREATE = `-- 001 up: the table the application reads and writes.
CREATE TABLE big_table (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, col text NOT NULL);
`;
const DOWN = 'DROP TABLE big_table;\n';
const UNSAFE = `-- tidemark:lock-timeout 5s
CREATE INDEX ON big_table (col);
`;
const SAFE = `-- tidemark:no-transaction
-- tidemark:lock-timeout 5s
CREATE INDEX CONCURRENTLY ON big_table (col);
`;

/** 001 applied, big_table filled and analysed: the database a pull request is checked against. */
async function applied(): Promise<string> {
  const dir = dirs({ '001_big_table.up.sql': CREATE, '001_big_table.down.sql': DOWN });
  const apply = await runCli(['apply', '--dir', dir, '--url', db.url]);
  expect(apply).toMatchObject({ code: 0 });
  await db.query(
    `INSERT INTO big_table (col) SELECT 'value ' || g FROM generate_series(1, 100000) g; ANALYZE big_table;`,
  );
  return dir;
}

function addIndexMigration(dir: string, up: string): void {
  writeFileSync(path.join(dir, '002_index_big_table.up.sql'), up);
  writeFileSync(path.join(dir, '002_index_big_table.down.sql'), 'DROP INDEX big_table_col_idx;\n');
}

/** The `::error …::…` workflow commands printed for GitHub, with their properties. */
function annotations(stdout: string) {
  return stdout
    .split('\n')
    .map((line) => /^::(error|warning|notice) (.*?)::(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map(([, level, props, message]) => ({
      level,
      props: Object.fromEntries(props.split(',').map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)])),
      message: message.replace(/%0A/g, '\n').replace(/%25/g, '%'),
    }));
}

describe('done when: CREATE INDEX on a big table fails CI, and passes rewritten with CONCURRENTLY', () => {
  it('annotates the CREATE INDEX line with the SHARE lock, the size of big_table and the rewrite, and exits 6', async () => {
    const dir = await applied();
    addIndexMigration(dir, UNSAFE);
    const run = await runCli(['lint', '--lock-timeout', '5s', '--format', 'github', '--dir', dir, '--url', db.url]);
    expect(run.code).toBe(6);
    const found = annotations(run.stdout).filter((a) => a.level === 'error');
    expect(found).toHaveLength(1);
    const [annotation] = found;
    expect(annotation.props.file).toMatch(/(^|\/)002_index_big_table\.up\.sql$/);
    expect(annotation.props.line).toBe('2');
    expect(annotation.props.col).toBe('17'); // big_table, where the reference rule points
    expect(annotation.message).toContain('SHARE');
    expect(annotation.message).toMatch(/~100(\.0)? k rows, \d+(\.\d)? MB/);
    expect(annotation.message).toContain('CREATE INDEX CONCURRENTLY ON big_table (col)');
    expect(annotation.message).toContain('tidemark:no-transaction');
  });

  it('passes (exit 0, no error annotation) once rewritten as a no-transaction CREATE INDEX CONCURRENTLY', async () => {
    const dir = await applied();
    addIndexMigration(dir, SAFE);
    const run = await runCli(['lint', '--lock-timeout', '5s', '--format', 'github', '--dir', dir, '--url', db.url]);
    expect(annotations(run.stdout).filter((a) => a.level === 'error')).toEqual([]);
    expect(run.code).toBe(0);
  });
});
