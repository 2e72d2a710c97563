/**
 * `tidemark lint` with a database: only the pending migrations (not in the
 * ledger) are linted, the server's version is used, findings carry the
 * table's live size and an empty table's are informational; and `verify`
 * lints when the config says `"lint": {"inVerify": true}`, drift (3)
 * winning over an unsafe migration (6).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { useTestDatabase } from '../helpers/db';
import { useMigrationsDir, writeMigrations } from '../helpers/files';
import { runInProcess } from '../helpers/in-process';

const FILES = {
  '001_orders.up.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);\n',
  '001_orders.down.sql': 'DROP TABLE orders;\n',
  // applied: linting it would fail, but it is history now
  '002_old_index.up.sql': 'CREATE INDEX orders_id ON orders (id);\n',
  '002_old_index.down.sql': 'DROP INDEX orders_id;\n',
};
const PENDING = {
  '003_index.up.sql': '-- pending\nCREATE INDEX orders_customer ON orders (customer_id);\n',
  '003_index.down.sql': 'DROP INDEX orders_customer;\n',
};

const db = useTestDatabase();
const migrations = useMigrationsDir();
let dir: string;
beforeEach(async () => {
  dir = migrations(FILES);
  expect((await runInProcess(['apply', '--dir', dir, '--url', db.url])).code).toBe(0);
  writeMigrations(dir, PENDING);
});

const lint = (...args: string[]) =>
  runInProcess(['lint', '--lock-timeout', '5s', '--dir', dir, '--url', db.url, '--json', ...args]);
const serverMajor = async () =>
  Math.floor(Number((await db.query<{ v: string }>("SELECT current_setting('server_version_num') AS v"))[0].v) / 10000);

describe('lint with a database', () => {
  it('lints only the pending migrations, with the live size of the table, on the server version', async () => {
    await db.query('INSERT INTO orders SELECT g, g % 100 FROM generate_series(1, 20000) g');
    await db.query('ANALYZE orders');
    const { code, stdout } = await lint();
    expect(code).toBe(6);
    const doc = JSON.parse(stdout);
    expect(doc).toMatchObject({
      online: true,
      selection: 'pending',
      files: ['003_index.up.sql'],
      pg_version: await serverMajor(),
      pg_version_from: 'server',
    });
    expect(doc.findings).toEqual([
      expect.objectContaining({
        rule: 'require-concurrent-index',
        severity: 'error',
        line: 2,
        message: expect.stringMatching(/\(~20\.0 k rows, [\d.]+ [kM]B\)$/),
        size: { rows: 20000, bytes: expect.any(Number) },
      }),
    ]);
  });

  it("makes an empty table's finding informational (exit 0)", async () => {
    await db.query('ANALYZE orders');
    const { code, stdout } = await lint();
    expect(code).toBe(0);
    expect(JSON.parse(stdout).findings).toEqual([
      expect.objectContaining({
        rule: 'require-concurrent-index',
        severity: 'info',
        size: { rows: 0, bytes: expect.any(Number) },
      }),
    ]);
  });

  it('exits 0 with nothing pending; --offline lints every up script without the database', async () => {
    expect((await runInProcess(['apply', '--dir', dir, '--url', db.url])).code).toBe(0);
    const { code, stdout } = await lint();
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ files: [], findings: [], selection: 'pending' });
    const offline = await lint('--offline');
    expect(JSON.parse(offline.stdout)).toMatchObject({
      online: false,
      selection: 'all',
      files: ['001_orders.up.sql', '002_old_index.up.sql', '003_index.up.sql'],
    });
  });

  it('--pg-version beats the server version', async () => {
    expect(JSON.parse((await lint('--pg-version', '11')).stdout)).toMatchObject({
      pg_version: 11,
      pg_version_from: 'setting',
    });
  });
});

describe('verify with "lint": {"inVerify": true}', () => {
  const config = (lintSection: unknown) => {
    const file = path.join(dir, 'tidemark.config.json');
    // The runner's lock_timeout satisfies require-lock-timeout, so the one finding is the index's.
    writeFileSync(file, JSON.stringify({ lockTimeout: '5s', lint: lintSection }));
    return file;
  };
  // Rows, so the finding is an error: on an empty table it is informational.
  beforeEach(async () => {
    await db.query('INSERT INTO orders SELECT g, g % 100 FROM generate_series(1, 1000) g');
    await db.query('ANALYZE orders');
  });
  const verify = (file: string, ...args: string[]) =>
    runInProcess(['verify', '--dir', dir, '--url', db.url, '--config', file, ...args]);

  it('exits 6 for an unsafe pending migration, and shows the findings after the drift check', async () => {
    const file = config({ inVerify: true });
    const human = await verify(file);
    expect(human.code).toBe(6);
    expect(human.stdout).toContain('003_index.up.sql:2:');
    expect(human.stdout).toMatch(/lint: FAILED — 1 error, 0 warnings, 0 info in 1 pending up script/);
    const json = await verify(file, '--json');
    expect(json.code).toBe(6);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: true,
      failing: 0,
      lint: { ok: false, files: ['003_index.up.sql'], findings: [{ rule: 'require-concurrent-index' }] },
    });
    const github = await verify(file, '--format', 'github');
    expect(github.stdout).toMatch(/^::error file=.*003_index\.up\.sql,line=2,col=\d+,title=tidemark lint%3A/m);
  });

  it('does not lint without inVerify (exit 0), and its rule settings apply in verify too', async () => {
    expect((await verify(config({ inVerify: false }))).code).toBe(0);
    const { code } = await verify(config({ inVerify: true, rules: { 'require-concurrent-index': 'warning' } }));
    expect(code).toBe(0);
  });

  it('exits 3 when there is drift too: drift wins over an unsafe migration', async () => {
    writeMigrations(dir, { '001_orders.up.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int);\n' });
    const { code, stdout } = await verify(config({ inVerify: true }), '--json');
    expect(code).toBe(3);
    expect(JSON.parse(stdout)).toMatchObject({ ok: false, failing: 1, lint: { ok: false } });
  });
});
