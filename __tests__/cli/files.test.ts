/**
 * Refusals before anything reaches the database: a malformed migrations
 * directory, a missing --dir, and bad --target values.
 */
import { runInProcess } from '../helpers/in-process';
import { useTestDatabase } from '../helpers/db';
import { migrationsDir, useMigrationsDir } from '../helpers/files';
import { fixture } from '../helpers/fixtures';
import { existing, ledgerVersions } from '../helpers/inspect';

/** A port nothing listens on: a run that got this far would exit 5, not 2. */
const UNREACHABLE = 'postgres://postgres@127.0.0.1:1/nowhere';

const db = useTestDatabase();
const dirs = useMigrationsDir();

describe('a malformed migrations directory', () => {
  const dir = fixture('unpaired');

  test.each([['apply'], ['status'], ['rollback'], ['apply --dry-run']])(
    '%s exits 2, lists every offending path, and creates nothing',
    async (command) => {
      const { code, stdout, stderr } = await runInProcess([...command.split(' '), '--dir', dir, '--url', db.url]);
      expect(code).toBe(2);
      expect(stderr).toContain('002_orphan_up.up.sql');
      expect(stderr).toContain('nested/003_orphan_down.down.sql');
      expect(stderr).not.toContain('001_create_alpha'); // the good pair is not a problem
      expect(stdout).toBe('');
      expect(await ledgerVersions(db)).toBeNull();
      expect(await existing(db, ['alpha', 'orphan'])).toEqual([]);
    },
  );

  test('is refused before connecting: exit 2 even when the server is unreachable', async () => {
    const { code, stderr } = await runInProcess(['apply', '--dir', dir, '--url', UNREACHABLE]);
    expect(code).toBe(2);
    expect(stderr).toContain('002_orphan_up.up.sql');
  });

  test.each([
    ['a bad file name', { '1_foo.sql': 'SELECT 1;\n' }, '1_foo.sql'],
    ['an upper-case suffix', { '001_foo.UP.sql': 'SELECT 1;\n', '001_foo.down.sql': 'SELECT 1;\n' }, '001_foo.UP.sql'],
    [
      'a duplicate version (001 and 1)',
      {
        '001_a.up.sql': 'SELECT 1;\n',
        '001_a.down.sql': 'SELECT 1;\n',
        '1_b.up.sql': 'SELECT 1;\n',
        '1_b.down.sql': 'SELECT 1;\n',
      },
      '1_b.up.sql',
    ],
    [
      'up and down with different names',
      { '001_a.up.sql': 'SELECT 1;\n', '001_b.down.sql': 'SELECT 1;\n' },
      '001_b.down.sql',
    ],
    [
      'invalid UTF-8',
      { '001_a.up.sql': Buffer.from([0x53, 0x45, 0x4c, 0xff, 0x3b]), '001_a.down.sql': 'SELECT 1;\n' },
      '001_a.up.sql',
    ],
    [
      'a comment-only up script',
      { '001_a.up.sql': '-- nothing yet\n/* still nothing */\n', '001_a.down.sql': 'SELECT 1;\n' },
      '001_a.up.sql',
    ],
    [
      'a version beyond 64 bits',
      { '9223372036854775808_big.up.sql': 'SELECT 1;\n', '9223372036854775808_big.down.sql': 'SELECT 1;\n' },
      '9223372036854775808_big.up.sql',
    ],
  ])('%s: apply exits 2 naming the file, and no ledger is created', async (_label, files, offending) => {
    const dir = migrationsDir({
      '000_ok.up.sql': 'CREATE TABLE ok (id int);\n',
      '000_ok.down.sql': 'DROP TABLE ok;\n',
      ...files,
    });
    dirs.track(dir);
    const { code, stderr } = await runInProcess(['apply', '--dir', dir, '--url', db.url]);
    expect(code).toBe(2);
    expect(stderr).toContain(offending);
    expect(await ledgerVersions(db)).toBeNull();
    expect(await existing(db, ['ok'])).toEqual([]);
  });
});

test('an empty directory is nothing to do: apply, status and rollback exit 0 and create nothing', async () => {
  const dir = migrationsDir({ 'README.md': 'not a migration\n' });
  dirs.track(dir);
  const runs = await Promise.all(
    ['apply', 'status', 'rollback'].map((command) => runInProcess([command, '--dir', dir, '--url', db.url])),
  );
  expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
  expect(runs[0].stdout).toMatch(/up to date/);
  expect(runs[1].stdout).toMatch(/0 migrations/);
  expect(await ledgerVersions(db)).toBeNull();
});

describe('configuration errors', () => {
  test('--dir that does not exist exits 2 and says so', async () => {
    const [apply, status] = await Promise.all([
      runInProcess(['apply', '--dir', '/does/not/exist', '--url', db.url]),
      runInProcess(['status', '--dir', '/does/not/exist', '--url', db.url]),
    ]);
    for (const run of [apply, status]) {
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('/does/not/exist');
      expect(run.stderr).not.toMatch(/^\s+at /m);
    }
    expect(await ledgerVersions(db)).toBeNull();
  });

  test('apply --target that is not on disk, or not a number, exits 2 and changes nothing', async () => {
    const dir = fixture('basic');
    const runs = await Promise.all(
      [['99'], ['abc'], ['-1'], ['9223372036854775808']].map(([target]) =>
        runInProcess(['apply', '--dir', dir, '--url', db.url, '--target', target]),
      ),
    );
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2, 2]);
    expect(runs[0].stderr).toContain('99');
    expect(runs[1].stderr).toContain('abc');
    expect(await ledgerVersions(db)).toBeNull();
    expect(await existing(db, ['alpha', 'beta', 'gamma'])).toEqual([]);
  });

  test('a bad --target is reported before connecting (exit 2, not 5)', async () => {
    const { code } = await runInProcess(['apply', '--dir', fixture('basic'), '--url', UNREACHABLE, '--target', '99']);
    expect(code).toBe(2);
  });

  test('rollback --steps 0 and --steps with --target exit 2', async () => {
    const dir = fixture('basic');
    const runs = await Promise.all([
      runInProcess(['rollback', '--dir', dir, '--url', db.url, '--steps', '0']),
      runInProcess(['rollback', '--dir', dir, '--url', db.url, '--steps', '1', '--target', '1']),
      runInProcess(['rollback', '--dir', dir, '--url', db.url, '--target', 'x']),
    ]);
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2]);
  });

  test('bad --lock-wait and --lock-timeout values exit 2', async () => {
    const dir = fixture('basic');
    const runs = await Promise.all([
      runInProcess(['apply', '--dir', dir, '--url', db.url, '--lock-wait', 'soon']),
      runInProcess(['apply', '--dir', dir, '--url', db.url, '--lock-timeout', 'five seconds']),
    ]);
    expect(runs.map((r) => r.code)).toEqual([2, 2]);
    expect(await ledgerVersions(db)).toBeNull();
  });
});
