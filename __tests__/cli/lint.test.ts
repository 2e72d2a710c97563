/**
 * `tidemark lint` without a database: which scripts it reads (all up
 * scripts, the files named, `--since`), what each reporter prints, the exit
 * codes (0 clean, 6 unsafe, 2 usage), syntax errors, suppressions and the
 * config file's `lint` section.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runInProcess } from '../helpers/in-process';
import { useMigrationsDir, writeMigrations } from '../helpers/files';
import { commitAll, initRepo } from '../helpers/git';

/** An existing table (001), and an index on it without CONCURRENTLY (002, line 2 column 1). */
const FILES = {
  '001_orders.up.sql': '-- orders\nCREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);\n',
  '001_orders.down.sql': 'DROP TABLE orders;\n',
  '002_index.up.sql': '-- an index, the blocking way\nCREATE INDEX orders_customer ON orders (customer_id);\n',
  '002_index.down.sql': 'DROP INDEX orders_customer;\n',
};
/** The same index on a table that exists before the pending migrations: 001 is not among those linted. */
const INDEX_ONLY = { '002_index.up.sql': FILES['002_index.up.sql'], '002_index.down.sql': 'DROP INDEX x;\n' };

const migrations = useMigrationsDir();
const lint = (dir: string, ...args: string[]) =>
  runInProcess(['lint', '--lock-timeout', '5s', '--dir', dir, ...args], { cwd: dir });

describe('exit codes and what is linted without a database', () => {
  it('exits 0 when the pending migrations create the table they index (history-aware): every up script is read', async () => {
    const dir = migrations(FILES);
    const { code, stdout } = await lint(dir, '--json');
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(doc).toMatchObject({
      ok: true,
      findings: [],
      summary: { error: 0, warning: 0, info: 0 },
      files: ['001_orders.up.sql', '002_index.up.sql'],
      pg_version: 17,
      pg_version_from: 'default',
      online: false,
      selection: 'all',
    });
  });

  it('exits 6 for a finding at error severity, with the rule, line and column', async () => {
    const dir = migrations(INDEX_ONLY);
    const { code, stdout } = await lint(dir, '--json');
    expect(code).toBe(6);
    expect(JSON.parse(stdout).findings).toEqual([
      expect.objectContaining({
        rule: 'require-concurrent-index',
        severity: 'error',
        path: '002_index.up.sql',
        line: 2,
        lock: expect.objectContaining({ mode: 'SHARE', blocks: expect.stringContaining('blocks writes') }),
        rewrite: expect.stringContaining('CREATE INDEX CONCURRENTLY orders_customer ON orders (customer_id);'),
        statement: 'CREATE INDEX orders_customer ON orders (customer_id)',
      }),
    ]);
  });

  it('lints only the files named: 002 alone has no history of 001, so its table is an existing one', async () => {
    const dir = migrations(FILES);
    const { code, stdout } = await lint(dir, '002_index.up.sql', '--json');
    expect(code).toBe(6);
    expect(JSON.parse(stdout)).toMatchObject({ files: ['002_index.up.sql'], selection: 'files' });
    // a path relative to the current directory works too
    const fromCwd = await runInProcess([
      'lint',
      '--lock-timeout',
      '5s',
      '--dir',
      dir,
      path.join(dir, '002_index.up.sql'),
      '--json',
    ]);
    expect(JSON.parse(fromCwd.stdout).files).toEqual(['002_index.up.sql']);
  });

  it('lints a down script when it is named, never by default', async () => {
    const dir = migrations({
      ...FILES,
      '001_orders.down.sql': 'CREATE INDEX nope ON orders (id);\nDROP TABLE orders;\n',
    });
    expect((await lint(dir)).code).toBe(0);
    const named = await lint(dir, '001_orders.down.sql', '--json');
    expect(named.code).toBe(6);
    expect(JSON.parse(named.stdout).findings[0]).toMatchObject({ path: '001_orders.down.sql', line: 1, column: 22 });
  });

  it.each([
    ['a file that does not exist', 'nope.up.sql', 'nope.up.sql does not exist'],
    ['a file that is not SQL', 'notes.txt', 'notes.txt is not a .sql file'],
    ['a .sql file that is not a migration', 'seed.sql', 'seed.sql is not a migration script'],
  ])('exits 2 for %s, naming it', async (_, file, message) => {
    const root = migrations({ 'notes.txt': 'x', 'seed.sql': 'SELECT 1;\n' });
    writeMigrations(path.join(root, 'sql'), FILES);
    const { code, stderr, stdout } = await runInProcess(['lint', '--lock-timeout', '5s', '--dir', 'sql', file], {
      cwd: root,
    });
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toContain(message);
  });

  it('exits 2 for an unknown format, like any usage error', async () => {
    const dir = migrations(FILES);
    expect((await lint(dir, '--format', 'xml')).code).toBe(2);
  });

  it('reports a script that does not parse as a syntax-error finding at its line and column (exit 6), and goes on', async () => {
    const dir = migrations({
      ...FILES,
      '003_typo.up.sql': '-- a typo\nALTER TABLE orders\n  ADD COLUMN note text,\n  ADDD COLUMN x int;\n',
      '003_typo.down.sql': 'SELECT 1;\n',
    });
    const { code, stdout } = await lint(dir, '--json');
    expect(code).toBe(6);
    expect(JSON.parse(stdout).findings).toEqual([
      expect.objectContaining({
        rule: 'syntax-error',
        severity: 'error',
        path: '003_typo.up.sql',
        line: 4,
        column: 3,
        message: expect.stringContaining('syntax error at or near "ADDD"'),
      }),
    ]);
  });
});

describe('reporters', () => {
  it('human: path:line:col, severity, rule, message; the lock; a code frame with a caret; why; the rewrite; a summary', async () => {
    const dir = migrations(INDEX_ONLY);
    const { code, stdout } = await runInProcess(['lint', '--lock-timeout', '5s', '--dir', 'sql'], {
      cwd: path.dirname(writeSql(dir)),
    });
    expect(code).toBe(6);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(
      /^sql\/002_index\.up\.sql:2:\d+ {2}error {2}require-concurrent-index {2}CREATE INDEX orders_customer on orders without CONCURRENTLY: writes to orders wait for the whole build$/,
    );
    expect(lines[1]).toBe(
      '  lock: SHARE on orders: blocks writes (INSERT, UPDATE, DELETE) until the transaction ends; reads go on',
    );
    expect(lines.slice(2, 5)).toEqual([
      '    |',
      '  2 | CREATE INDEX orders_customer ON orders (customer_id);',
      expect.stringMatching(/^ {4}\| +\^$/),
    ]);
    expect(stdout).toContain('  why: CREATE INDEX holds a SHARE lock');
    expect(stdout).toContain('  rewrite:\n');
    expect(stdout).toContain('\n    CREATE INDEX CONCURRENTLY orders_customer ON orders (customer_id);\n');
    expect(lines.at(-2)).toBe(
      'lint: FAILED — 1 error, 0 warnings, 0 info in 1 up script (no database: all of them); PostgreSQL 17 (the default).',
    );
  });

  it('github: one ::error per finding with file (from the repository root), line, col and title, escaped', async () => {
    const dir = migrations(INDEX_ONLY);
    const root = path.dirname(writeSql(dir));
    const { code, stdout } = await runInProcess(
      ['lint', '--lock-timeout', '5s', '--dir', 'sql', '--format', 'github'],
      {
        cwd: root,
        env: { GITHUB_WORKSPACE: root },
      },
    );
    expect(code).toBe(6);
    const [annotation, summary] = stdout.trimEnd().split('\n');
    expect(annotation).toMatch(
      /^::error file=sql\/002_index\.up\.sql,line=2,col=\d+,title=tidemark lint%3A require-concurrent-index::CREATE INDEX orders_customer on orders without CONCURRENTLY: writes to orders wait for the whole build%0ASHARE on orders: blocks writes/,
    );
    expect(annotation).toContain('%0ACREATE INDEX CONCURRENTLY orders_customer ON orders (customer_id);');
    expect(annotation).not.toMatch(/[\r\n]/);
    expect(summary).toMatch(/^lint: FAILED/);
  });

  it('gitlab: Code Quality JSON with a stable fingerprint', async () => {
    const dir = migrations(INDEX_ONLY);
    const root = path.dirname(writeSql(dir));
    const run = () =>
      runInProcess(['lint', '--lock-timeout', '5s', '--dir', 'sql', '--format', 'gitlab'], { cwd: root });
    const first = await run();
    expect(first.code).toBe(6);
    const issues = JSON.parse(first.stdout);
    expect(issues).toEqual([
      {
        description: expect.stringContaining('wait for the whole build — SHARE on orders: blocks writes'),
        check_name: 'require-concurrent-index',
        fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
        severity: 'critical',
        location: { path: 'sql/002_index.up.sql', lines: { begin: 2 } },
      },
    ]);
    // an edit elsewhere in the file moves the line, not the fingerprint
    writeMigrations(path.join(root, 'sql'), { '002_index.up.sql': `-- moved\n${FILES['002_index.up.sql']}` });
    const moved = JSON.parse((await run()).stdout);
    expect(moved[0]).toMatchObject({ fingerprint: issues[0].fingerprint, location: { lines: { begin: 3 } } });
  });

  it('sarif: SARIF 2.1.0 with the rules in tool.driver.rules and results located by uri, line and column', async () => {
    const dir = migrations(INDEX_ONLY);
    const root = path.dirname(writeSql(dir));
    const { code, stdout } = await runInProcess(['lint', '--lock-timeout', '5s', '--dir', 'sql', '--format', 'sarif'], {
      cwd: root,
    });
    expect(code).toBe(6);
    const sarif = JSON.parse(stdout);
    expect(sarif).toMatchObject({ version: '2.1.0', $schema: expect.stringContaining('sarif-2.1.0') });
    const [run] = sarif.runs;
    expect(run.tool.driver.name).toBe('tidemark');
    const ids = run.tool.driver.rules.map((r: { id: string }) => r.id);
    expect(ids).toEqual(expect.arrayContaining(['require-concurrent-index', 'syntax-error', 'lint-ignore']));
    for (const rule of run.tool.driver.rules)
      expect(rule).toMatchObject({
        shortDescription: { text: expect.any(String) },
        help: { text: expect.any(String) },
      });
    expect(run.results).toEqual([
      expect.objectContaining({
        ruleId: 'require-concurrent-index',
        ruleIndex: ids.indexOf('require-concurrent-index'),
        level: 'error',
        message: { text: expect.stringContaining('without CONCURRENTLY') },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: 'sql/002_index.up.sql' },
              region: { startLine: 2, startColumn: expect.any(Number) },
            },
          },
        ],
      }),
    ]);
  });
});

/** Moves `dir`'s files into `dir/project/sql` and returns that sql folder (so paths read `sql/…`). */
function writeSql(dir: string): string {
  const sql = path.join(dir, 'project', 'sql');
  writeMigrations(sql, INDEX_ONLY);
  return sql;
}

describe('suppressions and the config file', () => {
  it('accepts a -- tidemark:lint-ignore comment among the header directives, and it silences the finding', async () => {
    const dir = migrations({
      '002_index.up.sql':
        '-- tidemark:lint-ignore require-concurrent-index orders holds 12 rows, forever\nCREATE INDEX orders_customer ON orders (customer_id);\n',
      '002_index.down.sql': 'DROP INDEX orders_customer;\n',
    });
    const { code, stdout, stderr } = await lint(dir, '--json');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(stdout).findings).toEqual([]);
    // and apply's scanner does not refuse it as an unknown directive
    expect((await runInProcess(['verify', '--dir', dir, '--offline'])).code).toBe(0);
  });

  it('reports a suppression without a reason (exit 6)', async () => {
    const dir = migrations({
      '002_index.up.sql':
        '-- tidemark:lint-ignore require-concurrent-index\nCREATE INDEX orders_customer ON orders (customer_id);\n',
      '002_index.down.sql': 'DROP INDEX orders_customer;\n',
    });
    const { code, stdout } = await lint(dir, '--json');
    expect(code).toBe(6);
    expect(JSON.parse(stdout).findings.map((f: { rule: string }) => f.rule)).toContain('lint-ignore');
  });

  const withConfig = (dir: string, lintSection: unknown) => {
    writeFileSync(path.join(dir, 'tidemark.config.json'), JSON.stringify({ lint: lintSection }));
    return lint(dir, '--json', '--config', path.join(dir, 'tidemark.config.json'));
  };

  it('"off" turns a rule off; a severity changes the exit code', async () => {
    const dir = migrations(INDEX_ONLY);
    const off = await withConfig(dir, { rules: { 'require-concurrent-index': 'off' } });
    expect({ code: off.code, findings: JSON.parse(off.stdout).findings }).toEqual({ code: 0, findings: [] });
    const warning = await withConfig(dir, { rules: { 'require-concurrent-index': 'warning' } });
    expect(warning.code).toBe(0);
    expect(JSON.parse(warning.stdout)).toMatchObject({
      ok: true,
      summary: { error: 0, warning: 1, info: 0 },
      findings: [{ rule: 'require-concurrent-index', severity: 'warning' }],
    });
  });

  it.each([
    [{ rules: { 'require-concurent-index': 'off' } }, 'lint.rules.require-concurent-index: unknown lint rule', true],
    [{ rules: { 'require-concurrent-index': 'loud' } }, 'lint.rules.require-concurrent-index: must be one of', false],
    [{ rules: { Bad_Id: 'off' } }, 'lint.rules.Bad_Id: a rule id is kebab-case', false],
    [{ inVerify: 'yes' }, 'lint.inVerify: must be true or false', false],
    [{ rule: {} }, 'lint.rule: unknown key. Known keys here: rules, inVerify', false],
    [[], 'lint: must be an object', false],
  ])('refuses %j in the config file (exit 2), naming the file and the key', async (section, message, listsRules) => {
    const dir = migrations(INDEX_ONLY);
    const { code, stderr } = await withConfig(dir, section);
    expect(code).toBe(2);
    expect(stderr).toContain(`tidemark.config.json: ${message}`);
    if (listsRules) expect(stderr).toContain('Known rules: require-concurrent-index');
  });

  it('--pg-version sets the version the rules check for; a bad one is exit 2', async () => {
    const dir = migrations(FILES);
    expect(JSON.parse((await lint(dir, '--pg-version', '12', '--json')).stdout)).toMatchObject({
      pg_version: 12,
      pg_version_from: 'setting',
    });
    const bad = await lint(dir, '--pg-version', 'twelve');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--pg-version must be a PostgreSQL major version');
  });
});

describe('--since REV', () => {
  it('lints the up scripts added since the revision', async () => {
    const repo = migrations();
    initRepo(repo);
    writeMigrations(repo, {
      'sql/001_orders.up.sql': FILES['001_orders.up.sql'],
      'sql/001_orders.down.sql': FILES['001_orders.down.sql'],
    });
    commitAll(repo, 'base');
    writeMigrations(repo, {
      'sql/002_index.up.sql': FILES['002_index.up.sql'],
      'sql/002_index.down.sql': FILES['002_index.down.sql'],
    });
    const { code, stdout } = await runInProcess(
      ['lint', '--lock-timeout', '5s', '--dir', 'sql', '--since', 'main', '--json'],
      { cwd: repo },
    );
    expect(code).toBe(6);
    expect(JSON.parse(stdout)).toMatchObject({
      selection: 'since',
      files: ['002_index.up.sql'],
      findings: [{ rule: 'require-concurrent-index', line: 2 }],
    });
    const unknown = await runInProcess(['lint', '--lock-timeout', '5s', '--dir', 'sql', '--since', 'nope'], {
      cwd: repo,
    });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--since nope');
  });
});
