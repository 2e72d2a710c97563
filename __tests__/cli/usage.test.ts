/**
 * The command line itself: help, version, usage errors, and `create`, which
 * needs no database.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/cli';
import { runInProcess } from '../helpers/in-process';
import { migrationsDir, removeDir, tempDir } from '../helpers/files';

const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;
const COMMANDS = ['status', 'apply', 'rollback', 'create'];

describe('help and usage errors', () => {
  test('--help exits 0 and lists every command on stdout', async () => {
    const { code, stdout, stderr } = await runInProcess(['--help']);
    expect(code).toBe(0);
    for (const command of COMMANDS) expect(stdout).toMatch(new RegExp(`^\\s+tidemark ${command}\\b`, 'm'));
    expect(stdout).toContain('--dir');
    expect(stderr).toBe('');
  });

  test('--version prints the version from package.json', async () => {
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const { code, stdout } = await runInProcess(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(version);
  });

  test.each([
    [['apply', '--version']],
    [['status', '--dir', 'nowhere', '--version']],
    [['test', '-V']],
    [['create', 'x', '--version']],
    [['-V']],
  ])('%j prints the version, as the README says of every command, and does nothing else', async (args) => {
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const cwd = tempDir();
    try {
      const { code, stdout, stderr } = await runInProcess(args, { cwd });
      expect({ code, stdout: stdout.trim(), stderr }).toEqual({ code: 0, stdout: version, stderr: '' });
      expect(readdirSync(cwd)).toEqual([]); // create x --version created nothing
    } finally {
      removeDir(cwd);
    }
  });

  test('after repair and baseline, --version names a migration: without one it is a usage error', async () => {
    const { code, stderr } = await runInProcess(['baseline', '--version']);
    expect(code).toBe(2);
    expect(stderr).toContain('--version');
  });

  test.each([
    ['an unknown command', ['frobnicate'], 'frobnicate'],
    ['an unknown flag', ['status', '--bogus-flag'], 'bogus-flag'],
    ['an unknown flag on apply', ['apply', '--tagret', '3'], 'tagret'],
    ['no command at all', [], 'command'],
    ['an unknown --log-format', ['status', '--log-format', 'xml'], 'xml'],
  ])('%s exits 2, names the problem and prints no stack', async (_label, args, mention) => {
    const { code, stdout, stderr } = await runInProcess(args);
    expect(code).toBe(2);
    expect(stderr).toContain(mention);
    expect(stderr).not.toMatch(STACK_FRAME);
    expect(stdout).not.toMatch(STACK_FRAME);
  });
});

describe('create', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach(removeDir));

  test('in an empty directory writes 001_<name>.up.sql and .down.sql and prints both paths', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const { code, stdout, stderr } = await runInProcess(['create', 'add_things', '--dir', '.'], { cwd: dir });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.split('\n').filter(Boolean)).toEqual(['001_add_things.up.sql', '001_add_things.down.sql']);
    expect(readdirSync(dir).sort()).toEqual(['001_add_things.down.sql', '001_add_things.up.sql']);
  });

  test('a new pair is refused by apply until its up script holds SQL (exit 2, before connecting)', async () => {
    const dir = tempDir();
    dirs.push(dir);
    expect((await runInProcess(['create', 'first', '--dir', dir])).code).toBe(0);
    // The up script holds only comments: the scanner must refuse it until the user writes SQL.
    const refused = await runInProcess(['apply', '--dir', dir, '--url', 'postgres://postgres@127.0.0.1:1/none']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('001_first.up.sql');
    expect(refused.stderr).toMatch(/empty/);
  });

  test('continues the numbering and padding already used in the directory', async () => {
    const dir = migrationsDir({
      '0007_x.up.sql': 'SELECT 1;\n',
      '0007_x.down.sql': 'SELECT 1;\n',
    });
    dirs.push(dir);
    const { code, stdout } = await runInProcess(['create', 'add_things', '--dir', dir]);
    expect(code).toBe(0);
    const up = path.join(dir, '0008_add_things.up.sql');
    const down = path.join(dir, '0008_add_things.down.sql');
    expect(existsSync(up) && existsSync(down)).toBe(true);
    const printed = stdout
      .split('\n')
      .filter(Boolean)
      .map((p) => path.resolve(ROOT, p));
    expect(printed).toEqual([up, down]);
  });

  test('numbers past versions in subdirectories too', async () => {
    const dir = migrationsDir({
      '001_a.up.sql': 'SELECT 1;\n',
      '001_a.down.sql': 'SELECT 1;\n',
      'later/012_b.up.sql': 'SELECT 1;\n',
      'later/012_b.down.sql': 'SELECT 1;\n',
    });
    dirs.push(dir);
    const { code } = await runInProcess(['create', 'c', '--dir', dir]);
    expect(code).toBe(0);
    expect(
      readdirSync(dir)
        .filter((f) => f.startsWith('013_'))
        .sort(),
    ).toEqual(['013_c.down.sql', '013_c.up.sql']);
  });

  test('in a new project without sql/: creates the directory, says so on stderr, prints the two paths', async () => {
    const project = tempDir();
    dirs.push(project);
    const { code, stdout, stderr } = await runInProcess(['create', 'first'], { cwd: project });
    expect(code).toBe(0);
    expect(stderr).toBe('created the migrations directory sql (it did not exist)\n');
    expect(stdout.split('\n').filter(Boolean)).toEqual([
      path.join('sql', '001_first.up.sql'),
      path.join('sql', '001_first.down.sql'),
    ]);
    expect(readdirSync(path.join(project, 'sql')).sort()).toEqual(['001_first.down.sql', '001_first.up.sql']);
    // The second time the directory is there: nothing said about it.
    const again = await runInProcess(['create', 'second'], { cwd: project });
    expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 0, stderr: '' });
  });

  test('a nested --dir is created with its parents; json logs say so as a field', async () => {
    const project = tempDir();
    dirs.push(project);
    const { code, stdout } = await runInProcess(['create', 'first', '--dir', 'db/migrations', '--log-format', 'json'], {
      cwd: project,
    });
    expect(code).toBe(0);
    expect(JSON.parse(stdout.trim())).toMatchObject({ version: '1', created_directory: true });
    expect(existsSync(path.join(project, 'db', 'migrations', '001_first.up.sql'))).toBe(true);
  });

  test('a file where the directory should be: exit 2 naming it; a bad name creates no directory', async () => {
    const project = migrationsDir({ sql: 'not a directory\n' });
    dirs.push(project);
    const blocked = await runInProcess(['create', 'first', '--dir', 'sql/more'], { cwd: project });
    expect(blocked.code).toBe(2);
    expect(blocked.stderr).toContain('Cannot create the migrations directory "sql/more"');
    const bad = await runInProcess(['create', 'bad name', '--dir', 'fresh'], { cwd: project });
    expect(bad.code).toBe(2);
    expect(existsSync(path.join(project, 'fresh'))).toBe(false);
  });

  test.each([['bad name'], ['semi;colon'], ['../escape']])('create "%s" exits 2 and writes nothing', async (name) => {
    const dir = tempDir();
    dirs.push(dir);
    const { code, stderr } = await runInProcess(['create', name, '--dir', dir]);
    expect(code).toBe(2);
    expect(stderr).toContain(name);
    expect(stderr).not.toMatch(STACK_FRAME);
    expect(readdirSync(dir)).toEqual([]);
  });
});
