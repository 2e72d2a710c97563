/**
 * apply: --target, failures (per migration and --single-transaction), what
 * the ledger records, the environment, and a ledger in another schema/table.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/cli';
import { runInProcess } from '../helpers/in-process';
import { createTestDatabase, useTestDatabase } from '../helpers/db';
import { migrationsDir, useMigrationsDir } from '../helpers/files';
import { fixture } from '../helpers/fixtures';
import { existing, ledgerVersions } from '../helpers/inspect';

const db = useTestDatabase();
const dirs = useMigrationsDir();

const tidemark = (dir: string, args: string[], env?: Record<string, string>) =>
  runInProcess([...args, '--dir', dir, '--url', db.url], { env });
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

describe('apply --target', () => {
  test('applies up to and including the target, then the rest on the next run', async () => {
    const dir = fixture('basic');
    const first = await tidemark(dir, ['apply', '--target', '2']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Applied 2 migrations .*; 1 pending/);
    expect(await existing(db, ['alpha', 'beta', 'gamma'])).toEqual(['alpha', 'beta']);
    expect(await ledgerVersions(db)).toEqual(['1', '2']);

    const same = await tidemark(dir, ['apply', '--target', '2']);
    expect(same.code).toBe(0); // nothing pending up to the target is a success
    expect(await ledgerVersions(db)).toEqual(['1', '2']);

    const rest = await tidemark(dir, ['apply']);
    expect(rest.code).toBe(0);
    expect(await ledgerVersions(db)).toEqual(['1', '2', '3']);
    expect(await existing(db, ['gamma'])).toEqual(['gamma']);
  });

  test('accepts the version written with other zero padding (002 = 2)', async () => {
    const { code } = await tidemark(fixture('basic'), ['apply', '--target', '0002']);
    expect(code).toBe(0);
    expect(await ledgerVersions(db)).toEqual(['1', '2']);
  });
});

describe('a failing migration', () => {
  test('exits 1 with file:line:col, the line, a caret and the SQLSTATE; earlier ones stay applied', async () => {
    const dir = fixture('failing-second');
    const { code, stdout, stderr } = await tidemark(dir, ['apply']);
    expect(code).toBe(1);
    expect(stderr).toContain('002_broken.up.sql:7:21');
    expect(stderr).toContain('SQLSTATE 42704');
    expect(stderr).toContain('type "numerc" does not exist');
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stdout).not.toMatch(/Applied/);

    // The offending line is quoted, and the caret sits under "numerc".
    const lines = stderr.split('\n');
    const quoted = lines.findIndex((l) => l.includes('ADD COLUMN amount numerc(10, 2);'));
    expect(quoted).toBeGreaterThanOrEqual(0);
    expect(lines[quoted]).toMatch(/^7 \| /);
    const caret = lines[quoted + 1];
    expect(caret.trim()).toMatch(/^\|\s*\^$/);
    expect(caret.indexOf('^')).toBe(lines[quoted].indexOf('numerc'));

    expect(await ledgerVersions(db)).toEqual(['1']);
    const [row] = await db.query<{ name: string; state: string }>('SELECT name, state FROM tidemark_migrations');
    expect(row).toEqual({ name: 'create_alpha', state: 'applied' });
    // 002 rolled back whole (its CREATE TABLE too), and 003 never ran.
    expect(await existing(db, ['alpha', 'broken', 'after_broken'])).toEqual(['alpha']);
  });

  test('a second run fails the same way without touching the first migration', async () => {
    const dir = fixture('failing-second');
    expect((await tidemark(dir, ['apply'])).code).toBe(1);
    const [before] = await db.query<{ applied_at: Date }>(
      'SELECT applied_at FROM tidemark_migrations WHERE version = 1',
    );
    const again = await tidemark(dir, ['apply']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('002_broken.up.sql:7:21');
    const [after] = await db.query<{ applied_at: Date }>(
      'SELECT applied_at FROM tidemark_migrations WHERE version = 1',
    );
    expect(after.applied_at).toEqual(before.applied_at);
    expect(await ledgerVersions(db)).toEqual(['1']);
  });

  test('line and column survive a BOM, CRLF line endings and non-ASCII text before the error', async () => {
    const text = "-- données de test\nCREATE TABLE t (id int);\nSELECT 'température', 'ünïcode', nope;\n";
    const dir = migrationsDir({
      '001_accents.up.sql': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text.replace(/\n/g, '\r\n'))]),
      '001_accents.down.sql': 'DROP TABLE t;\n',
    });
    dirs.track(dir);
    const { code, stderr } = await tidemark(dir, ['apply']);
    expect(code).toBe(1);
    const column = "SELECT 'température', 'ünïcode', ".length + 1;
    expect(stderr).toContain(`001_accents.up.sql:3:${column}`);
    expect(stderr).toContain('42703');
    const lines = stderr.split('\n');
    const quoted = lines.findIndex((l) => /^3 \| /.test(l));
    expect(lines[quoted]).toMatch(/nope;$/); // quoted without its \r
    expect(lines[quoted + 1].indexOf('^')).toBe(lines[quoted].indexOf('nope'));
    expect((await ledgerVersions(db)) ?? []).toEqual([]);
    expect(await existing(db, ['t'])).toEqual([]);
  });

  test('with --single-transaction exits 1 and applies nothing at all', async () => {
    const dir = fixture('failing-second');
    const { code, stderr } = await tidemark(dir, ['apply', '--single-transaction']);
    expect(code).toBe(1);
    expect(stderr).toContain('002_broken.up.sql:7:21');
    expect(stderr).toContain('42704');
    expect(await existing(db, ['alpha', 'broken', 'after_broken'])).toEqual([]);
    const versions = await ledgerVersions(db);
    expect(versions ?? []).toEqual([]); // the ledger table may exist, but holds no row
  });

  test('--single-transaction applies a good batch', async () => {
    const { code } = await tidemark(fixture('basic'), ['apply', '--single-transaction']);
    expect(code).toBe(0);
    expect(await ledgerVersions(db)).toEqual(['1', '2', '3']);
  });
});

describe('the ledger row of an applied migration', () => {
  test('records checksums, who, when, how long, the environment and the tool version', async () => {
    const dir = fixture('environment');
    const before = new Date();
    const { code } = await tidemark(dir, ['apply', '--env', 'staging']);
    const after = new Date();
    expect(code).toBe(0);

    const columns = await db.query<{ column_name: string }>(
      "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'tidemark_migrations'",
    );
    expect(columns.map((c) => c.column_name)).toEqual(
      expect.arrayContaining([
        'version',
        'name',
        'up_checksum',
        'down_checksum',
        'applied_at',
        'applied_by',
        'duration_ms',
        'environment',
        'tool_version',
        'state',
      ]),
    );
    const [type] = await db.query<{ data_type: string }>(
      "SELECT data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'tidemark_migrations' AND column_name = 'version'",
    );
    expect(type.data_type).toBe('bigint');

    const rows = await db.query<Record<string, unknown>>(
      'SELECT version::text, name, up_checksum, down_checksum, applied_at, applied_by, duration_ms, environment, tool_version, state FROM tidemark_migrations',
    );
    expect(rows).toHaveLength(1);
    const row = rows[0];
    const { version: toolVersion } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(row).toMatchObject({
      version: '1',
      name: 'environment_log',
      up_checksum: sha256(readFileSync(path.join(dir, '001_environment_log.up.sql'))),
      down_checksum: sha256(readFileSync(path.join(dir, '001_environment_log.down.sql'))),
      applied_by: 'postgres',
      environment: 'staging',
      tool_version: toolVersion,
      state: 'applied',
    });
    expect(row.up_checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(Number.isInteger(row.duration_ms)).toBe(true);
    expect(row.duration_ms as number).toBeGreaterThanOrEqual(0);
    const appliedAt = (row.applied_at as Date).getTime();
    expect(appliedAt).toBeGreaterThanOrEqual(before.getTime() - 5_000);
    expect(appliedAt).toBeLessThanOrEqual(after.getTime() + 5_000);

    // The migration itself read current_setting('tidemark.environment').
    expect(await db.query('SELECT environment FROM environment_log')).toEqual([{ environment: 'staging' }]);
  });

  test('checksums are of the normalised file: a BOM and CRLF line endings do not count', async () => {
    const text = '-- with a BOM and CRLF\nCREATE TABLE crlf (id int);\n';
    const dir = migrationsDir({
      '001_crlf.up.sql': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text.replace(/\n/g, '\r\n'))]),
      '001_crlf.down.sql': 'DROP TABLE crlf;\r\n',
    });
    dirs.track(dir);
    expect((await tidemark(dir, ['apply'])).code).toBe(0);
    const [row] = await db.query<{ up_checksum: string; down_checksum: string }>(
      'SELECT up_checksum, down_checksum FROM tidemark_migrations',
    );
    expect(row).toEqual({ up_checksum: sha256(text), down_checksum: sha256('DROP TABLE crlf;\n') });
  });

  test('environment: TIDEMARK_ENV is used, --env beats it, and the default is development', async () => {
    const other = await createTestDatabase();
    const third = await createTestDatabase();
    try {
      const dir = fixture('environment');
      const runs = await Promise.all([
        runInProcess(['apply', '--dir', dir, '--url', db.url], { env: { TIDEMARK_ENV: 'qa' } }),
        runInProcess(['apply', '--dir', dir, '--url', other.url, '--env', 'staging'], { env: { TIDEMARK_ENV: 'qa' } }),
        runInProcess(['apply', '--dir', dir, '--url', third.url]),
      ]);
      expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
      const seen = await Promise.all(
        [db, other, third].map(
          async (d) =>
            (
              await d.query<{ e: string; l: string }>(
                'SELECT m.environment AS e, l.environment AS l FROM tidemark_migrations m, environment_log l',
              )
            )[0],
        ),
      );
      expect(seen).toEqual([
        { e: 'qa', l: 'qa' },
        { e: 'staging', l: 'staging' },
        { e: 'development', l: 'development' },
      ]);
    } finally {
      await Promise.all([other.drop(), third.drop()]);
    }
  });
});

describe('a ledger in another schema and table', () => {
  test('--schema audit --table "My Ledger" creates that quoted table, and status reads it', async () => {
    const dir = fixture('basic');
    const flags = ['--schema', 'audit', '--table', 'My Ledger'];
    expect((await tidemark(dir, ['apply', ...flags])).code).toBe(0);

    const tables = await db.query(
      "SELECT table_schema, table_name FROM information_schema.tables WHERE table_name ILIKE '%ledger%' OR table_name = 'tidemark_migrations'",
    );
    expect(tables).toEqual([{ table_schema: 'audit', table_name: 'My Ledger' }]);
    expect(await ledgerVersions(db, 'audit."My Ledger"')).toEqual(['1', '2', '3']);

    const [mine, default_] = await Promise.all([
      tidemark(dir, ['status', '--json', ...flags]),
      tidemark(dir, ['status', '--json']),
    ]);
    expect((JSON.parse(mine.stdout) as { summary: { applied: number } }).summary.applied).toBe(3);
    expect((JSON.parse(default_.stdout) as { summary: { pending: number } }).summary.pending).toBe(3);
  });

  test('a table name full of SQL is quoted, never pasted into SQL', async () => {
    const dir = fixture('basic');
    const evil = 'x"; DROP TABLE alpha; --';
    expect((await tidemark(dir, ['apply', '--target', '1'])).code).toBe(0);
    const { code } = await tidemark(dir, ['apply', '--table', evil]);
    expect(code).toBe(1); // alpha exists already, so 001 fails against the new, empty ledger
    expect(await existing(db, ['alpha'])).toEqual(['alpha']);
    const tables = await db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    );
    expect(tables.map((t) => t.table_name)).toEqual(['alpha', 'tidemark_migrations', evil]);
  });
});
