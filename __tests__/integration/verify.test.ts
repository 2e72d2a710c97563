/**
 * verify against a real ledger: the applied text is read back from the
 * database and compared with today's file through the lexer.
 */
import { apply, verify } from '../../lib/migrator';
import { createTestDatabase, useTestDatabase } from '../helpers/db';
import { contextFor } from '../helpers/context';
import { removeDir, useMigrationsDir, writeMigrations } from '../helpers/files';

const UP = [
  '-- the table and its trigger function',
  'CREATE TABLE items (',
  '  id    int PRIMARY KEY,',
  "  state text NOT NULL DEFAULT 'a'",
  ');',
  '',
  'CREATE FUNCTION items_touch() RETURNS trigger LANGUAGE plpgsql AS $$',
  'BEGIN',
  '  RETURN NEW;',
  'END',
  '$$;',
  '',
  "COMMENT ON TABLE items IS '-- x';",
  '',
].join('\n');
const DOWN = 'DROP FUNCTION items_touch();\nDROP TABLE items;\n';

/** UP with `from` (exactly once) replaced by `to`. */
function edit(from: string, to: string): string {
  if (UP.split(from).length !== 2) throw new Error(`"${from}" must occur exactly once`);
  return UP.replace(from, () => to);
}

const db = useTestDatabase();
const migrations = useMigrationsDir();
let dir: string;
beforeEach(async () => {
  dir = migrations({
    '001_items.up.sql': UP,
    '001_items.down.sql': DOWN,
    '002_more.up.sql': 'CREATE TABLE more (id int);\n',
    '002_more.down.sql': 'DROP TABLE more;\n',
  });
  await apply(contextFor(db.url, dir));
});

const verifyOnline = (strict = false) => verify(contextFor(db.url, dir), { online: true, strict });

it('keeps the applied text of both scripts in the ledger', async () => {
  expect(await db.query('SELECT version, up_sql, down_sql FROM tidemark_migrations WHERE version = 1')).toEqual([
    { version: '1', up_sql: UP, down_sql: DOWN },
  ]);
});

it.each([
  ['a reworded comment', edit('-- the table and its trigger function', '-- items: one row per thing')],
  ['a comment added at the end of a line', edit('  id    int PRIMARY KEY,', '  id    int PRIMARY KEY, -- the key')],
  ['reindented columns', edit('  id    int PRIMARY KEY,\n  state text', '\tid int PRIMARY KEY,\n\t\tstate   text')],
  ['extra blank lines', edit('\nCREATE FUNCTION', '\n\n\n\nCREATE FUNCTION')],
])('classes %s as cosmetic: a warning, failing only under --strict', async (_label, after) => {
  writeMigrations(dir, { '001_items.up.sql': after });
  const report = await verifyOnline();
  expect(report.discrepancies).toEqual([
    expect.objectContaining({ kind: 'cosmetic', version: 1n, scripts: ['up'], applied: { up: UP } }),
  ]);
  expect(report.failing).toBe(0);
  expect((await verifyOnline(true)).failing).toBe(1);
});

it('finds no discrepancy at all for a CRLF checkout of the applied files', async () => {
  writeMigrations(dir, {
    '001_items.up.sql': UP.replace(/\n/g, '\r\n'),
    '001_items.down.sql': DOWN.replace(/\n/g, '\r\n'),
  });
  const report = await verifyOnline(true);
  expect(report.discrepancies).toEqual([]);
  expect(report.failing).toBe(0);
});

it.each([
  ['a changed string literal', edit("DEFAULT 'a'", "DEFAULT 'b'")],
  ['a changed identifier', edit('  state text', '  status text')],
  ['a changed keyword', edit('NOT NULL', 'NULL')],
  ['whitespace only, inside a dollar-quoted body', edit('  RETURN NEW;', '    RETURN NEW;')],
  ['comment-looking text inside a string literal', edit("'-- x'", "'-- y'")],
])('classes %s as edited: failing', async (_label, after) => {
  writeMigrations(dir, { '001_items.up.sql': after });
  const report = await verifyOnline();
  expect(report.discrepancies).toEqual([
    expect.objectContaining({ kind: 'edited', version: 1n, scripts: ['up'], applied: { up: UP } }),
  ]);
  expect(report.failing).toBe(1);
});

it('classes even a comment-only edit as edited when the ledger kept only the checksum', async () => {
  await db.query('UPDATE tidemark_migrations SET up_sql = NULL, down_sql = NULL WHERE version = 1');
  writeMigrations(dir, { '001_items.up.sql': edit('-- the table and its trigger function', '-- reworded') });
  const report = await verifyOnline();
  expect(report.discrepancies).toEqual([
    expect.objectContaining({ kind: 'edited', version: 1n, applied: { up: null } }),
  ]);
  expect(report.failing).toBe(1);
});

it('keeps only the checksum of a script over the size limit', async () => {
  const big = `-- ${'x'.repeat(1_100_000)}\nCREATE TABLE big (id int);\n`;
  writeMigrations(dir, { '003_big.up.sql': big, '003_big.down.sql': 'DROP TABLE big;\n' });
  await apply(contextFor(db.url, dir));
  const [row] = await db.query<{ up_sql: string | null; up_checksum: string; down_sql: string }>(
    'SELECT up_sql, up_checksum, down_sql FROM tidemark_migrations WHERE version = 3',
  );
  expect(row).toMatchObject({
    up_sql: null,
    down_sql: 'DROP TABLE big;\n',
    up_checksum: expect.stringMatching(/^[0-9a-f]{64}$/),
  });
  writeMigrations(dir, { '003_big.up.sql': big.replace('-- ', '-- y') });
  expect((await verifyOnline()).discrepancies).toEqual([
    expect.objectContaining({ kind: 'edited', version: 3n, applied: { up: null } }),
  ]);
});

it('reports a rename, missing files, a failed row and a pending migration below the highest applied', async () => {
  writeMigrations(dir, {
    '003_c.up.sql': 'SELECT 3;',
    '003_c.down.sql': 'SELECT 3;',
    '004_d.up.sql': 'SELECT 4;',
    '004_d.down.sql': 'SELECT 4;',
  });
  await apply(contextFor(db.url, dir));
  removeDir(dir);
  dir = migrations({
    '001_renamed.up.sql': UP,
    '001_renamed.down.sql': DOWN,
    '003_c.up.sql': 'SELECT 3;',
    '003_c.down.sql': 'SELECT 3;',
    '004_d.up.sql': 'SELECT 4;',
    '004_d.down.sql': 'SELECT 4;',
    '005_e.up.sql': 'SELECT 5;',
    '005_e.down.sql': 'SELECT 5;',
  });
  await db.query("UPDATE tidemark_migrations SET state = 'failed' WHERE version = 3");
  await db.query(
    `INSERT INTO tidemark_migrations (version, name, up_checksum, duration_ms, environment, tool_version) VALUES (6, 'f', 'x', 1, 'test', '0')`,
  );
  const report = await verifyOnline();
  expect(report.discrepancies.map((d) => [d.kind, d.version])).toEqual([
    ['renamed', 1n],
    ['missing', 2n],
    ['failed', 3n],
    ['out-of-order', 5n],
    ['missing', 6n],
  ]);
  expect(report.failing).toBe(5);
});

it('never creates the ledger online, and never connects offline', async () => {
  const fresh = await createTestDatabase();
  try {
    const report = await verify(contextFor(fresh.url, dir), { online: true });
    expect(report).toMatchObject({ discrepancies: [], failing: 0 });
    expect(await fresh.query("SELECT to_regclass('public.tidemark_migrations') AS t")).toEqual([{ t: null }]);
    const offline = await verify(contextFor('postgres://nobody@127.0.0.1:1/none', dir), { online: false });
    expect(offline).toMatchObject({ online: false, discrepancies: [], failing: 0 });
  } finally {
    await fresh.drop();
  }
});
