/**
 * Input edges a hostile or unlucky user hits: a NUL byte in a script (small
 * or big), a version 0 and `rollback --target 0`, `create` past the largest
 * version, and an unknown `--no-…` flag. Each is refused before anything is
 * sent to the database, naming the file, line and column or the flag as typed.
 */
import { readdirSync } from 'node:fs';
import { jsonLines } from '../helpers/cli';
import { runInProcess } from '../helpers/in-process';
import { useTestDatabase } from '../helpers/db';
import { migrationsDir, useMigrationsDir } from '../helpers/files';
import { existing, ledgerVersions } from '../helpers/inspect';

const dirs = useMigrationsDir();
const dirWith = (files: Record<string, string | Buffer>) => {
  const dir = migrationsDir(files);
  dirs.track(dir);
  return dir;
};

describe('a NUL byte in a script', () => {
  const db = useTestDatabase();

  const withNul = {
    '001_a.up.sql': 'CREATE TABLE a (i int);\n',
    '001_a.down.sql': 'DROP TABLE a;\n',
    '002_b.up.sql': 'CREATE TABLE b (i int);\nINSERT INTO b VALUES (1); -- h\u00e9\0\nINSERT INTO b VALUES (2);\n',
    '002_b.down.sql': 'DROP TABLE b;\n',
  };

  test.each([['apply'], ['status'], ['verify', '--offline'], ['rollback']])(
    '%s refuses it with exit 2 and file:line:col; nothing is created',
    async (...command) => {
      const dir = dirWith(withNul);
      const { code, stderr } = await runInProcess([...command, '--dir', dir, '--url', db.url]);
      expect(code).toBe(2);
      // Line 2, column 32: after "INSERT INTO b VALUES (1); -- hé" (31 characters, é is one).
      expect(stderr).toContain('002_b.up.sql:2:32: holds a NUL byte (0x00)');
      expect(stderr).not.toContain('protocol');
      expect(await ledgerVersions(db)).toBeNull();
      expect(await existing(db, ['a', 'b'])).toEqual([]);
    },
  );

  test('--log-format json carries the line and column as fields', async () => {
    const dir = dirWith(withNul);
    const { code, stderr } = await runInProcess(['apply', '--dir', dir, '--url', db.url, '--log-format', 'json']);
    expect(code).toBe(2);
    const line = jsonLines(stderr).find((l) => l.code === 'scan') as { problems: Record<string, unknown>[] };
    expect(line.problems).toEqual([expect.objectContaining({ path: '002_b.up.sql', line: 2, column: 32 })]);
  });

  test('a big script (8 MiB and more, kept as bytes) is checked too, and a BOM does not count as a column', async () => {
    const filler = `-- ${'x'.repeat(76)}\n`.repeat(110_000); // about 8.8 MB of comment lines
    const big = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(`CREATE TABLE big (i int);\n${filler}SELECT 'a\u00e9`),
      Buffer.from([0]),
      Buffer.from("';\n"),
    ]);
    const dir = dirWith({ '001_big.up.sql': big, '001_big.down.sql': 'DROP TABLE big;\n' });
    const { code, stderr } = await runInProcess(['apply', '--dir', dir, '--url', db.url]);
    expect(code).toBe(2);
    expect(stderr).toContain(`001_big.up.sql:${110_002}:11: holds a NUL byte (0x00)`);
    expect(await ledgerVersions(db)).toBeNull();
  });
});

describe('version 0', () => {
  const db = useTestDatabase();

  const files = {
    '000_zero.up.sql': 'CREATE TABLE zero (i int);\n',
    '000_zero.down.sql': 'DROP TABLE zero;\n',
    '001_one.up.sql': 'CREATE TABLE one (i int);\n',
    '001_one.down.sql': 'DROP TABLE one;\n',
  };

  test('rollback --target 0 rolls back all, version 0 included', async () => {
    const dir = dirWith(files);
    const cli = (...args: string[]) => runInProcess([...args, '--dir', dir, '--url', db.url]);
    expect((await cli('apply')).code).toBe(0);
    expect(await ledgerVersions(db)).toEqual(['0', '1']);
    const rolled = await cli('rollback', '--target', '0');
    expect(rolled.code).toBe(0);
    expect(await ledgerVersions(db)).toEqual([]);
    expect(await existing(db, ['zero', 'one'])).toEqual([]);
    const status = await cli('status');
    expect(status.stdout).toMatch(/^0\s+zero\s+pending/m);
  });

  test('--target 0 --dry-run lists version 0 too; --steps 1 keeps it', async () => {
    const dir = dirWith(files);
    const cli = (...args: string[]) => runInProcess([...args, '--dir', dir, '--url', db.url]);
    expect((await cli('apply')).code).toBe(0);
    const dry = await cli('rollback', '--target', '0', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('000_zero');
    expect((await cli('rollback', '--steps', '1')).code).toBe(0);
    expect(await ledgerVersions(db)).toEqual(['0']);
  });
});

describe('create past the largest version', () => {
  test('is refused with exit 2, and nothing is written', async () => {
    const max = '9223372036854775807';
    const dir = dirWith({ [`${max}_last.up.sql`]: 'SELECT 1;\n', [`${max}_last.down.sql`]: 'SELECT 1;\n' });
    const { code, stdout, stderr } = await runInProcess(['create', 'next', '--dir', dir]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`the highest version in ${dir} is ${max}`);
    expect(stderr).toContain('signed 64-bit');
    expect(stderr).not.toContain('internal error');
    expect(readdirSync(dir).sort()).toEqual([`${max}_last.down.sql`, `${max}_last.up.sql`]);
    // The directory is still well formed: verify --offline accepts it.
    expect((await runInProcess(['verify', '--offline', '--dir', dir])).code).toBe(0);
  });

  test('one below it still works', async () => {
    const below = '9223372036854775806';
    const dir = dirWith({ [`${below}_a.up.sql`]: 'SELECT 1;\n', [`${below}_a.down.sql`]: 'SELECT 1;\n' });
    const { code, stdout } = await runInProcess(['create', 'b', '--dir', dir]);
    expect(code).toBe(0);
    expect(stdout).toContain('9223372036854775807_b.up.sql');
  });
});

describe('an unknown --no-… flag', () => {
  test.each([
    [['--no-xyz'], 'Unknown argument: --no-xyz'],
    [['--no-foo-bar'], 'Unknown argument: --no-foo-bar'],
    [['--no-xyz', '--abc'], 'Unknown arguments: --no-xyz, --abc'],
    [['--foo-bar=1'], 'Unknown argument: --foo-bar'],
  ])('%j is named as typed', async (flags, message) => {
    const { code, stderr } = await runInProcess(['apply', ...flags, '--dir', 'nowhere']);
    expect(code).toBe(2);
    expect(stderr).toContain(`error: ${message}\n`);
  });

  test('in JSON too', async () => {
    const { code, stderr } = await runInProcess(['status', '--no-xyz', '--log-format', 'json']);
    expect(code).toBe(2);
    expect(jsonLines(stderr)[0]).toMatchObject({ code: 'usage', msg: 'Unknown argument: --no-xyz' });
  });

  test('a known boolean flag negated still works', async () => {
    const dir = dirWith({});
    const { code } = await runInProcess(['verify', '--offline', '--no-strict', '--dir', dir]);
    expect(code).toBe(0);
  });
});
