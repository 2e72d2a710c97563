/**
 * `verify --since <ref>` in a real git repository, without a database: two
 * branches forked from main add interleaved versions, merged in each order.
 *
 *   main: 001, 002 ──┬── a: + 003_from_a
 *                    └── b: + 004_from_b
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { runInProcess } from '../helpers/in-process';
import { removeDir, tempDir, writeMigrations } from '../helpers/files';
import { commitAll, git, initRepo } from '../helpers/git';

let repo: string;
beforeEach(() => {
  repo = tempDir('tidemark-git-');
  initRepo(repo);
  writeMigrations(repo, {
    'sql/001_users.up.sql': 'CREATE TABLE users (id int);\n',
    'sql/001_users.down.sql': 'DROP TABLE users;\n',
    'sql/002_orders.up.sql': 'CREATE TABLE orders (id int);\n',
    'sql/002_orders.down.sql': 'DROP TABLE orders;\n',
  });
  commitAll(repo, 'base');
  git(repo, 'checkout', '-q', '-b', 'a', 'main');
  writeMigrations(repo, {
    'sql/003_from_a.up.sql': 'CREATE TABLE a (id int);\n',
    'sql/003_from_a.down.sql': 'DROP TABLE a;\n',
  });
  commitAll(repo, 'a: add 003');
  git(repo, 'checkout', '-q', '-b', 'b', 'main');
  writeMigrations(repo, {
    'sql/004_from_b.up.sql': 'CREATE TABLE b (id int);\n',
    'sql/004_from_b.down.sql': 'DROP TABLE b;\n',
  });
  commitAll(repo, 'b: add 004');
  git(repo, 'checkout', '-q', 'main');
});
afterEach(() => removeDir(repo));

/** Merges `branch` into the checked-out branch with a merge commit. */
const merge = (branch: string) => git(repo, 'merge', '-q', '--no-ff', '--no-edit', branch);
const verifySince = (ref: string, ...args: string[]) =>
  runInProcess(['verify', '--dir', 'sql', '--since', ref, ...args], { cwd: repo });

describe('b (004) merged first, then a (003)', () => {
  beforeEach(() => merge('b'));

  it("fails a's pull request: 003 was added below 004, which main already has", async () => {
    git(repo, 'checkout', '-q', 'a');
    merge('main');
    const { code, stdout } = await verifySince('main', '--json');
    expect(code).toBe(3);
    const doc = JSON.parse(stdout);
    expect(doc).toMatchObject({ ok: false, online: false, failing: 1, discrepancies: [] });
    expect(doc.branch_conflicts).toEqual([
      {
        version: '3',
        name: 'from_a',
        path: '003_from_a.up.sql',
        existing: { version: '4', path: '004_from_b.up.sql' },
        suggested_version: '005',
        message: expect.any(String),
      },
    ]);
  });

  it('names both files and the next free version in the human report and the GitHub annotation', async () => {
    git(repo, 'checkout', '-q', 'a');
    merge('main');
    const human = await verifySince('main');
    expect(human.code).toBe(3);
    const conflict = human.stdout.split('\n').find((l) => l.includes('003_from_a.up.sql'));
    expect(conflict).toContain('004_from_b.up.sql');
    expect(conflict).toContain('005');
    const github = await verifySince('main', '--format', 'github');
    expect(github.code).toBe(3);
    expect(github.stdout.split('\n').filter((l) => l.startsWith('::'))).toEqual([
      expect.stringMatching(/^::error file=sql\/003_from_a\.up\.sql,line=1,title=[^:]+::.*004_from_b\.up\.sql/),
    ]);
  });

  it('fails on main after the merge too, against the first parent', async () => {
    merge('a');
    expect((await verifySince('HEAD^1')).code).toBe(3);
    expect((await verifySince('HEAD')).code).toBe(0);
  });
});

describe('a (003) merged first, then b (004)', () => {
  beforeEach(() => merge('a'));

  it("passes b's pull request: 004 sorts above everything main has", async () => {
    git(repo, 'checkout', '-q', 'b');
    merge('main');
    const { code, stdout } = await verifySince('main', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      ok: true,
      online: false,
      migrations: 4,
      failing: 0,
      branch_conflicts: [],
    });
  });

  it('passes on main after the merge, against the first parent', async () => {
    merge('b');
    expect((await verifySince('HEAD^1')).code).toBe(0);
  });
});

it('refuses two branches that picked the same version as duplicates (exit 2)', async () => {
  git(repo, 'checkout', '-q', '-b', 'c', 'main');
  writeMigrations(repo, { 'sql/003_from_c.up.sql': 'SELECT 3;\n', 'sql/003_from_c.down.sql': 'SELECT 3;\n' });
  commitAll(repo, 'c: add 003 too');
  git(repo, 'checkout', '-q', 'main');
  merge('a');
  git(repo, 'checkout', '-q', 'c');
  merge('main');
  const { code, stderr } = await verifySince('main');
  expect(code).toBe(2);
  expect(stderr).toContain('003_from_a');
  expect(stderr).toContain('003_from_c');
});

it('exits 2 for a revision git does not know, and outside a git work tree', async () => {
  expect((await verifySince('no-such-branch')).code).toBe(2);
  const plain = tempDir();
  try {
    writeMigrations(plain, { 'sql/001_users.up.sql': 'SELECT 1;\n', 'sql/001_users.down.sql': 'SELECT 1;\n' });
    expect((await runInProcess(['verify', '--dir', 'sql', '--since', 'main'], { cwd: plain })).code).toBe(2);
  } finally {
    removeDir(plain);
  }
});

it('exits 0 with a clean addition and no database configured', async () => {
  git(repo, 'checkout', '-q', 'a');
  const { code, stdout } = await verifySince('main', '--json');
  expect(code).toBe(0);
  expect(JSON.parse(stdout)).toMatchObject({ ok: true, online: false, migrations: 3, branch_conflicts: [] });
});

it('does not count a migration moved into a subfolder since the revision as added', async () => {
  merge('b');
  git(repo, 'checkout', '-q', '-b', 'tidy', 'main');
  mkdirSync(path.join(repo, 'sql/old'));
  git(
    repo,
    'mv',
    'sql/001_users.up.sql',
    'sql/001_users.down.sql',
    'sql/002_orders.up.sql',
    'sql/002_orders.down.sql',
    'sql/old/',
  );
  commitAll(repo, 'tidy: move the old migrations into sql/old');
  const { code, stdout } = await verifySince('main', '--json');
  expect(JSON.parse(stdout).branch_conflicts).toEqual([]);
  expect(code).toBe(0);
});
