/**
 * `tidemark verify` as CI runs it: exit codes, and the human, JSON and
 * GitHub reports of an edited history.
 */
import { runInProcess } from '../helpers/in-process';
import { useTestDatabase } from '../helpers/db';
import { removeDir, tempDir, useMigrationsDir, writeMigrations } from '../helpers/files';

const UP = [
  '-- the items table',
  'CREATE TABLE items (',
  '  id    int PRIMARY KEY,',
  "  state text NOT NULL DEFAULT 'a'",
  ');',
  '',
].join('\n');
const EDITED = UP.replace("DEFAULT 'a'", "DEFAULT 'b'"); // line 4
const COSMETIC = UP.replace('-- the items table', '-- items: one row per thing');
const FILES = {
  '001_items.up.sql': UP,
  '001_items.down.sql': 'DROP TABLE items;\n',
  '002_more.up.sql': 'CREATE TABLE more (id int);\n',
  '002_more.down.sql': 'DROP TABLE more;\n',
};

const db = useTestDatabase();
const migrations = useMigrationsDir();
let dir: string;
beforeEach(async () => {
  dir = migrations(FILES);
  expect((await runInProcess(['apply', '--dir', dir, '--url', db.url])).code).toBe(0);
});

const verify = (...args: string[]) => runInProcess(['verify', '--dir', dir, '--url', db.url, ...args]);

describe('exit codes', () => {
  it('exits 0 when history matches the files', async () => {
    const { code, stdout } = await verify('--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, online: true, migrations: 2, failing: 0, discrepancies: [] });
  });

  it('exits 0 with a warning for a comment-only edit, and 3 under --strict', async () => {
    writeMigrations(dir, { '001_items.up.sql': COSMETIC });
    const lax = await verify('--json');
    expect(lax.code).toBe(0);
    expect(JSON.parse(lax.stdout)).toMatchObject({
      ok: true,
      failing: 0,
      discrepancies: [{ kind: 'cosmetic', version: '1' }],
    });
    const human = await verify();
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('cosmetic — only comments or whitespace changed (warning) (1):');
    const strict = await verify('--strict', '--json');
    expect(strict.code).toBe(3);
    expect(JSON.parse(strict.stdout)).toMatchObject({ ok: false, failing: 1, discrepancies: [{ kind: 'cosmetic' }] });
  });

  it('exits 0 for a whitespace-only edit and for a CRLF checkout', async () => {
    writeMigrations(dir, { '001_items.up.sql': UP.replace(/^ {2}(\w+) +/gm, '\t$1\t') + '\n\n' });
    const reindented = await verify('--json');
    expect(reindented.code).toBe(0);
    expect(JSON.parse(reindented.stdout).discrepancies).toEqual([expect.objectContaining({ kind: 'cosmetic' })]);
    writeMigrations(dir, { '001_items.up.sql': UP.replace(/\n/g, '\r\n') });
    const crlf = await verify('--strict', '--json');
    expect(crlf.code).toBe(0);
    expect(JSON.parse(crlf.stdout).discrepancies).toEqual([]);
  });

  it('exits 3 for a changed literal', async () => {
    writeMigrations(dir, { '001_items.up.sql': EDITED });
    expect((await verify()).code).toBe(3);
  });
});

describe('reports', () => {
  beforeEach(() => {
    writeMigrations(dir, { '001_items.up.sql': EDITED, '002_more.up.sql': '-- note\nCREATE TABLE more (id int);\n' });
  });

  it('human: groups by kind and shows the unified diff of the change', async () => {
    const { code, stdout } = await verify();
    expect(code).toBe(3);
    const lines = stdout.split('\n');
    const edited = lines.indexOf('modified — changed after they were applied (1):');
    const cosmetic = lines.indexOf('cosmetic — only comments or whitespace changed (warning) (1):');
    expect(edited).toBeGreaterThanOrEqual(0);
    expect(cosmetic).toBeGreaterThan(edited);
    const removed = lines.indexOf("    -  state text NOT NULL DEFAULT 'a'");
    const added = lines.indexOf("    +  state text NOT NULL DEFAULT 'b'");
    expect(removed).toBeGreaterThan(edited);
    expect(added).toBe(removed + 1);
    expect(added).toBeLessThan(cosmetic);
    expect(lines.indexOf('    +-- note')).toBeGreaterThan(cosmetic);
    expect(stdout).toMatch(/^verify: FAILED — 1 problem/m);
  });

  it('--json: the verdict, every discrepancy and its diff', async () => {
    const { code, stdout } = await verify('--json');
    expect(code).toBe(3);
    const doc = JSON.parse(stdout);
    expect(doc).toMatchObject({ ok: false, online: true, migrations: 2, failing: 1, branch_conflicts: [] });
    expect(doc.discrepancies.map((d: { kind: string; version: string }) => [d.kind, d.version])).toEqual([
      ['edited', '1'],
      ['cosmetic', '2'],
    ]);
    const [diff] = doc.discrepancies[0].diffs;
    expect(diff.path).toBe('001_items.up.sql');
    expect(diff.first_changed_line).toBe(4);
    expect(diff.patch.split('\n')).toEqual(
      expect.arrayContaining(["-  state text NOT NULL DEFAULT 'a'", "+  state text NOT NULL DEFAULT 'b'"]),
    );
    expect(doc.discrepancies[1].diffs[0].first_changed_line).toBe(1);
  });

  it('--format github: an annotation on the edited file and first changed line, one line each', async () => {
    const { code, stdout } = await verify('--format', 'github');
    expect(code).toBe(3);
    const annotations = stdout.split('\n').filter((l) => l.startsWith('::'));
    expect(annotations).toHaveLength(2);
    const error = /^::error file=([^,]+),line=(\d+),title=([^:]+)::(.*)$/.exec(annotations[0]);
    expect(error).not.toBeNull();
    const [, file, line, title, message] = error as RegExpExecArray;
    expect(file).toBe(`${dir}/001_items.up.sql`);
    expect(line).toBe('4');
    expect(title).toBe('tidemark%3A modified migration');
    expect(message).toContain("%0A+  state text NOT NULL DEFAULT 'b'");
    expect(annotations[1]).toMatch(new RegExp(`^::warning file=${dir}/002_more\\.up\\.sql,line=1,`));
  });

  it('--format github: paths are relative to the repository when --dir is', async () => {
    const repo = tempDir();
    try {
      const files = Object.entries({ ...FILES, '001_items.up.sql': EDITED }).map(([file, sql]) => [
        `db/migrations/${file}`,
        sql,
      ]);
      writeMigrations(repo, Object.fromEntries(files));
      const { code, stdout } = await runInProcess(
        ['verify', '--dir', 'db/migrations', '--url', db.url, '--format', 'github'],
        { cwd: repo },
      );
      expect(code).toBe(3);
      expect(stdout.split('\n').filter((l) => l.startsWith('::'))).toEqual([
        expect.stringMatching(/^::error file=db\/migrations\/001_items\.up\.sql,line=4,/),
      ]);
    } finally {
      removeDir(repo);
    }
  });

  it('says no diff can be shown when the ledger kept only the checksum', async () => {
    await db.query('UPDATE tidemark_migrations SET up_sql = NULL WHERE version = 1');
    writeMigrations(dir, { '001_items.up.sql': COSMETIC, '002_more.up.sql': FILES['002_more.up.sql'] });
    const human = await verify();
    expect(human.code).toBe(3);
    expect(human.stdout).toContain('(the ledger kept only the checksum of 001_items.up.sql, so no diff can be shown)');
    const doc = JSON.parse((await verify('--json')).stdout);
    expect(doc.discrepancies).toEqual([
      expect.objectContaining({
        kind: 'edited',
        diffs: [{ path: '001_items.up.sql', first_changed_line: 1, patch: null }],
      }),
    ]);
  });
});

describe('without a database', () => {
  const offline = (target: string, ...args: string[]) => runInProcess(['verify', '--dir', target, ...args]);

  it('exits 0 for a well-formed directory with no URL and a clean environment', async () => {
    writeMigrations(dir, { '001_items.up.sql': EDITED });
    const { code, stdout } = await offline(dir, '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, online: false, migrations: 2 });
  });

  it('exits 2 for a malformed directory, naming the offending files', async () => {
    writeMigrations(dir, { '003_orphan.up.sql': 'SELECT 3;\n', '1_foo.sql': 'SELECT 1;\n' });
    const { code, stderr } = await offline(dir);
    expect(code).toBe(2);
    expect(stderr).toContain('003_orphan.up.sql');
    expect(stderr).toContain('1_foo.sql');
  });

  it('--offline ignores a configured database: no drift seen, no connection made', async () => {
    writeMigrations(dir, { '001_items.up.sql': EDITED });
    expect((await verify()).code).toBe(3);
    const withUrl = await verify('--offline', '--json');
    expect(withUrl.code).toBe(0);
    expect(JSON.parse(withUrl.stdout)).toMatchObject({ ok: true, online: false });
    const env = { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };
    expect((await runInProcess(['verify', '--dir', dir], { env })).code).toBe(5); // online: DATABASE_URL is used
    expect((await runInProcess(['verify', '--dir', dir, '--offline'], { env })).code).toBe(0);
  });
});
