import { createHash } from 'node:crypto';
import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, ScanError, type ScanProblem } from '../../lib/errors';
import { checksum } from '../../lib/source/checksum';
import { nonTransactionalStatements } from '../../lib/plan/transactions';
import { nonTransactionalReason } from '../../lib/sql/classify';
import { splitStatements } from '../../lib/sql/lexer';
import { inspect, scan } from '../../lib/source/scanner';
import { migrationsDir, removeDir, tempDir, writeMigrations } from '../helpers/files';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach(removeDir));

/** A temp migrations directory holding `files`, removed after the test. */
function dirWith(files: Record<string, string | Buffer>): string {
  const dir = migrationsDir(files);
  dirs.push(dir);
  return dir;
}

/** The ScanError `scan` throws for `files`. */
function scanError(files: Record<string, string | Buffer>): ScanError {
  const dir = dirWith(files);
  try {
    scan(dir);
  } catch (err) {
    if (err instanceof ScanError) return err;
    throw err;
  }
  throw new Error('scan() accepted the directory');
}

const pathsOf = (problems: readonly ScanProblem[]) => problems.map((p) => p.path);
const reasonFor = (err: ScanError, file: string) => err.problems.find((p) => p.path === file)?.reason ?? '';

const ok = (version: string, name: string, sub = '') => ({
  [`${sub}${version}_${name}.up.sql`]: `CREATE TABLE t${version} ();\n`,
  [`${sub}${version}_${name}.down.sql`]: `DROP TABLE t${version};\n`,
});

describe('scan: a well-formed directory', () => {
  it('pairs up and down scripts across subfolders, sorted by integer version', () => {
    const dir = dirWith({
      ...ok('10', 'ten', '2026/'),
      ...ok('2', 'two'),
      ...ok('1', 'one', 'a/b/'),
      'README.md': '# notes\n',
    });
    const pairs = scan(dir);
    expect(pairs.map((p) => [p.version, p.name, p.label])).toEqual([
      [1n, 'one', '1_one'],
      [2n, 'two', '2_two'],
      [10n, 'ten', '10_ten'],
    ]);
    expect(pairs[2].up).toMatchObject({
      path: '2026/10_ten.up.sql',
      absolutePath: path.join(dir, '2026', '10_ten.up.sql'),
    });
    expect(pairs[2].down.path).toBe('2026/10_ten.down.sql');
    expect(pairs[0].up.path).toBe('a/b/1_one.up.sql');
  });

  it('returns an empty list for an empty directory', () => {
    expect(scan(dirWith({}))).toEqual([]);
  });

  it('ignores files that are not .sql, and dot-folders', () => {
    const dir = dirWith({
      ...ok('001', 'a'),
      'README.md': 'x',
      'notes.txt': 'y',
      '.git/001_x.sql': 'junk',
      '001_a.up.sql.bak': '',
    });
    expect(scan(dir).map((p) => p.label)).toEqual(['001_a']);
  });

  it('skips node_modules and dot-files at any depth, and sees .SQL in any case', () => {
    const dir = dirWith({
      ...ok('001', 'a'),
      'node_modules/pkg/002_b.up.sql': 'x',
      'sub/node_modules/003_c.up.sql': 'x',
      '.004_d.up.sql': 'x',
      'sub/.005_e.up.sql': 'x',
      '006_f.UP.SQL': 'SELECT 1;',
    });
    const { pairs, problems } = inspect(dir);
    expect(pairs.map((p) => p.label)).toEqual(['001_a']);
    expect(pathsOf(problems)).toEqual(['006_f.UP.SQL']);
  });

  it('follows a symbolic link to a folder', () => {
    const dir = dirWith(ok('001', 'a'));
    symlinkSync(dirWith(ok('002', 'b')), path.join(dir, 'linked'));
    expect(scan(dir).map((p) => p.up.path)).toEqual(['001_a.up.sql', 'linked/002_b.up.sql']);
  });

  it('enters a folder behind a symbolic link loop once', () => {
    const dir = dirWith(ok('001', 'a'));
    symlinkSync(dir, path.join(dir, 'self'));
    symlinkSync(dir, path.join(dir, 'again'));
    expect(scan(dir).map((p) => p.up.path)).toEqual(['001_a.up.sql']);
  });

  it('reads each script: text without BOM, checksum of the normalised bytes, directives, emptiness', () => {
    const up = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('-- tidemark:no-transaction\r\nVACUUM;\r\n'),
    ]);
    const dir = dirWith({ '001_vac.up.sql': up, '001_vac.down.sql': '-- tidemark:irreversible\n' });
    const [pair] = scan(dir);
    expect(pair.up.body.text()).toBe('-- tidemark:no-transaction\r\nVACUUM;\r\n');
    expect(pair.up).toMatchObject({
      checksum: checksum(Buffer.from('-- tidemark:no-transaction\nVACUUM;\n')),
      directives: { noTransaction: true, irreversible: false },
      isEmpty: false,
    });
    expect(pair.down).toMatchObject({ directives: { noTransaction: false, irreversible: true }, isEmpty: true });
  });

  it('reads a script with two BOMs, lone CRs or U+FFFD as its bytes say', () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const up = Buffer.concat([bom, bom, Buffer.from('SELECT 2;\r\nx\r')]);
    const down = Buffer.from("SELECT '\uFFFD';\r\n");
    const [pair] = scan(dirWith({ '001_odd.up.sql': up, '001_odd.down.sql': down }));
    expect(pair.up.body.text()).toBe('SELECT 2;\r\nx\r'); // the BOM and a BOM right after it, as TextDecoder reads them
    expect(pair.up.checksum).toBe(checksum(up));
    expect(pair.up.checksum).toBe(
      createHash('sha256')
        .update(Buffer.concat([bom, Buffer.from('SELECT 2;\nx\r')]))
        .digest('hex'),
    ); // one BOM removed
    expect(pair.down.body.text()).toBe("SELECT '\uFFFD';\r\n");
    expect(pair.down.checksum).toBe(checksum(down));
  });

  // Scripts under 64 KiB are read by one read into a shared buffer; longer ones whole, as bytes.
  it.each([65535, 65536, 65537, 200000])(
    'reads a %i-byte script whole, with a multi-byte character across the 64 KiB mark',
    (size) => {
      const head = 'SELECT 1;\n-- '; // 13 bytes: each 'é' after it starts at an odd byte, one at 65535, across the mark
      const bytes = Buffer.from(`${head}${'é'.repeat(Math.floor((size - 13) / 2))}${(size - 13) % 2 ? 'x' : ''}`);
      expect(bytes.length).toBe(size);
      const [pair] = scan(dirWith({ '001_big.up.sql': bytes, '001_big.down.sql': 'SELECT 2;' }));
      expect(pair.up.body.text()).toBe(bytes.toString('utf8'));
      expect(pair.up.checksum).toBe(checksum(bytes));
      expect(pair.up.body.big).toBe(false);
      expect(pair.down.body.text()).toBe('SELECT 2;'); // the shared buffer holds nothing of the longer script before it
    },
  );

  it('refuses a script over 64 KiB whose invalid byte lies beyond the first 64 KiB', () => {
    const bytes = Buffer.concat([Buffer.from(`SELECT 1;\n-- ${'x'.repeat(70000)}`), Buffer.from([0xff, 0x0a])]);
    const err = scanError({ '001_a.up.sql': bytes, '001_a.down.sql': 'SELECT 1;' });
    expect(err.problems).toEqual([{ path: '001_a.up.sql', reason: 'is not valid UTF-8; save it as UTF-8' }]);
  });

  it('accepts an empty down script (rollback refuses it later)', () => {
    expect(scan(dirWith({ '001_a.up.sql': 'SELECT 1;', '001_a.down.sql': '' }))).toHaveLength(1);
  });

  it('accepts the largest signed 64-bit version', () => {
    const [pair] = scan(dirWith(ok('9223372036854775807', 'max')));
    expect(pair.version).toBe(9223372036854775807n);
  });
});

describe('scan: refusals (SPEC §1)', () => {
  it('refuses an up script without a down script', () => {
    const err = scanError({ '001_a.up.sql': 'SELECT 1;' });
    expect(pathsOf(err.problems)).toEqual(['001_a.up.sql']);
    expect(reasonFor(err, '001_a.up.sql')).toContain('001_a.down.sql');
  });

  it('refuses a down script without an up script', () => {
    const err = scanError({ 'sub/002_b.down.sql': 'SELECT 1;' });
    expect(pathsOf(err.problems)).toEqual(['sub/002_b.down.sql']);
    expect(reasonFor(err, 'sub/002_b.down.sql')).toContain('002_b.up.sql');
  });

  it('refuses a duplicate version: 001_a and 1_b are the same version', () => {
    const err = scanError({ ...ok('001', 'a'), ...ok('1', 'b', 'later/') });
    expect(pathsOf(err.problems)).toEqual(['001_a.down.sql', '001_a.up.sql', 'later/1_b.down.sql', 'later/1_b.up.sql']);
    expect(reasonFor(err, '001_a.up.sql')).toContain('later/1_b.up.sql');
  });

  it('refuses a duplicate up script even without a second down', () => {
    const err = scanError({ ...ok('003', 'c'), '3_c.up.sql': 'SELECT 3;' });
    expect(pathsOf(err.problems)).toEqual(['003_c.down.sql', '003_c.up.sql', '3_c.up.sql']);
  });

  it('refuses an up and a down of one version with different names', () => {
    const err = scanError({ '004_add_index.up.sql': 'SELECT 1;', '004_add_idx.down.sql': 'SELECT 1;' });
    expect(pathsOf(err.problems)).toEqual(['004_add_idx.down.sql', '004_add_index.up.sql']);
    expect(reasonFor(err, '004_add_index.up.sql')).toContain('004_add_idx.down.sql');
  });

  it.each(['1_foo.sql', '001-foo.up.sql', '001_foo.UP.sql', 'sub/foo.up.sql', '001_foo.Sql'])(
    'refuses the misnamed %s',
    (file) => {
      const err = scanError({ ...ok('001', 'a'), [file]: 'SELECT 1;' });
      expect(pathsOf(err.problems)).toEqual([file]);
    },
  );

  it('refuses a script that is not valid UTF-8', () => {
    const err = scanError({
      '001_a.up.sql': 'SELECT 1;',
      '001_a.down.sql': Buffer.from([0x53, 0x45, 0xff, 0xfe, 0x3b]),
    });
    expect(pathsOf(err.problems)).toEqual(['001_a.down.sql']);
  });

  it('refuses a NUL byte with its line and column (code points), in a small script and one over 64 KiB', () => {
    const long = `SELECT 1;\n-- ${'x'.repeat(70000)}\nSELECT '\u{1F600}é\0';\n`;
    const err = scanError({
      '001_a.up.sql': 'SELECT 1;\n\n  SELECT 2;\0\n',
      '001_a.down.sql': 'SELECT 1;',
      '002_b.up.sql': long,
      '002_b.down.sql': 'SELECT 1;',
    });
    expect(err.problems).toEqual([
      expect.objectContaining({ path: '001_a.up.sql', line: 3, column: 12 }),
      expect.objectContaining({ path: '002_b.up.sql', line: 3, column: 11 }),
    ]);
    expect(reasonFor(err, '001_a.up.sql')).toMatch(/^holds a NUL byte \(0x00\)/);
    expect(err.message).toContain('001_a.up.sql:3:12: holds a NUL byte');
  });

  it('refuses a NUL byte in a script that is also read as bytes (U+FFFD), and a UTF-16 file without a BOM', () => {
    const utf16 = Buffer.from('SELECT 1;\n', 'utf16le');
    const err = scanError({
      '001_a.up.sql': "SELECT '\uFFFD';\n\0",
      '001_a.down.sql': 'SELECT 1;',
      '002_b.up.sql': utf16,
      '002_b.down.sql': 'SELECT 1;',
    });
    expect(err.problems).toEqual([
      expect.objectContaining({ path: '001_a.up.sql', line: 2, column: 1 }),
      expect.objectContaining({ path: '002_b.up.sql', line: 1, column: 2 }),
    ]);
    expect(reasonFor(err, '002_b.up.sql')).toContain('save it as UTF-8');
  });

  it('refuses a truncated multi-byte character', () => {
    const truncated = Buffer.from("SELECT 'é';", 'utf8').subarray(0, 9);
    const err = scanError({ '001_a.up.sql': truncated, '001_a.down.sql': 'SELECT 1;' });
    expect(pathsOf(err.problems)).toEqual(['001_a.up.sql']);
  });

  it.each([
    ['empty', ''],
    ['whitespace only', '  \n\t\r\n'],
    ['comments only', '-- TODO\n/* later */\n'],
    ['nested block comments only', '/* outer /* inner */ outer */\n'],
  ])('refuses an up script that is %s, and only it: its down is not an orphan', (_label, sql) => {
    const err = scanError({ '001_a.up.sql': sql, '001_a.down.sql': 'SELECT 1;' });
    expect(pathsOf(err.problems)).toEqual(['001_a.up.sql']);
  });

  it('still flags a down script whose refused up script has another name', () => {
    const err = scanError({ '001_a.up.sql': '', '001_b.down.sql': 'SELECT 1;' });
    expect(pathsOf(err.problems)).toEqual(['001_a.up.sql', '001_b.down.sql']);
  });

  it('refuses a version that does not fit in a signed 64-bit integer', () => {
    const err = scanError(ok('9223372036854775808', 'over'));
    expect(pathsOf(err.problems)).toEqual(['9223372036854775808_over.down.sql', '9223372036854775808_over.up.sql']);
  });

  it('reports every problem at once, sorted by path, in one ScanError', () => {
    const dir = dirWith({
      ...ok('001', 'fine'),
      '002_lonely.up.sql': 'SELECT 2;',
      '003_orphan.down.sql': 'SELECT 3;',
      ...ok('004', 'x'),
      ...ok('4', 'y', 'dup/'),
      '005_one.up.sql': 'SELECT 5;',
      '005_other.down.sql': 'SELECT 5;',
      '1_foo.sql': 'SELECT 1;',
      '006_bytes.up.sql': Buffer.from([0xff, 0xfe]),
      '006_bytes.down.sql': 'SELECT 6;',
      '007_blank.up.sql': '-- nothing\n',
      '007_blank.down.sql': 'SELECT 7;',
      ...ok('99999999999999999999', 'huge'),
      'README.md': 'not a migration',
    });
    let thrown: unknown;
    try {
      scan(dir);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ScanError);
    const err = thrown as ScanError;
    expect(err).toMatchObject({ code: 'scan', exitCode: 2, dir });
    expect(pathsOf(err.problems)).toEqual([
      '002_lonely.up.sql',
      '003_orphan.down.sql',
      '004_x.down.sql',
      '004_x.up.sql',
      '005_one.up.sql',
      '005_other.down.sql',
      '006_bytes.up.sql',
      '007_blank.up.sql',
      '1_foo.sql',
      '99999999999999999999_huge.down.sql',
      '99999999999999999999_huge.up.sql',
      'dup/4_y.down.sql',
      'dup/4_y.up.sql',
    ]);
    for (const problem of err.problems) expect(problem.reason).not.toBe('');
  });
});

describe('scan: the directory itself', () => {
  it('throws ConfigError for a directory that does not exist', () => {
    const missing = path.join(dirWith({}), 'nope');
    expect(() => scan(missing)).toThrow(ConfigError);
  });

  it('throws ConfigError for a path that is a file', () => {
    const dir = dirWith({ 'file.txt': 'x' });
    expect(() => scan(path.join(dir, 'file.txt'))).toThrow(ConfigError);
  });
});

describe('inspect', () => {
  it('returns problems instead of throwing, and the highest well-named version as written', () => {
    const dir = tempDir();
    dirs.push(dir);
    writeMigrations(dir, { ...ok('001', 'a'), '0042_new.up.sql': '', '7_foo.sql': 'x' });
    const result = inspect(dir);
    expect(result.pairs.map((p) => p.version)).toEqual([1n]);
    expect(pathsOf(result.problems)).toEqual(['0042_new.up.sql', '7_foo.sql']);
    expect(result.highest).toMatchObject({ version: 42n, versionText: '0042' });
  });

  it('has no highest version in an empty directory', () => {
    expect(inspect(dirWith({ 'README.md': 'x' })).highest).toBeNull();
  });
});

describe('scan: a big script (8 MiB or more) keeps its bytes and decodes its text on demand', () => {
  const rows = (n: number) =>
    Array.from({ length: n }, (_, i) => `INSERT INTO t VALUES (${i}, 'row ${i} é');`).join('\n');
  const big = `-- tidemark:statement-timeout 10min\nCREATE TABLE t (id int, label text);\n${rows(300_000)}\n`;

  it('has the same text, checksum and directives as any script, and keeps no decoded copy', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(big)]);
    expect(bytes.length).toBeGreaterThan(8 * 1024 * 1024);
    const [pair] = scan(dirWith({ '001_big.up.sql': bytes, '001_big.down.sql': 'DROP TABLE t;\n' }));
    expect(pair.up.body.big).toBe(true);
    expect(pair.up.body.bytes.equals(Buffer.from(big))).toBe(true);
    expect(pair.up.body.text()).toBe(big);
    expect(pair.up.checksum).toBe(checksum(bytes));
    expect(pair.up.directives).toMatchObject({ statementTimeout: '10min', noTransaction: false });
    expect(pair.up.isEmpty).toBe(false);
    expect(pair.down.body.big).toBe(false);
  });

  it('is refused when not valid UTF-8 anywhere, or when it is only comments', () => {
    const invalid = Buffer.concat([Buffer.from(big), Buffer.from([0xff])]);
    const comments = `-- nothing\n/* ${'x'.repeat(9 * 1024 * 1024)} */\n`;
    const err = scanError({
      '001_bad.up.sql': invalid,
      '001_bad.down.sql': 'SELECT 1;',
      '002_empty.up.sql': comments,
      '002_empty.down.sql': 'SELECT 1;',
    });
    expect(reasonFor(err, '001_bad.up.sql')).toMatch(/UTF-8/);
    expect(reasonFor(err, '002_empty.up.sql')).toMatch(/empty/);
  });

  it('is refused for a NUL byte anywhere, with its line and column counted in the bytes', () => {
    const bytes = Buffer.concat([Buffer.from(big), Buffer.from("SELECT 'é"), Buffer.from([0]), Buffer.from("';\n")]);
    const err = scanError({ '001_big.up.sql': bytes, '001_big.down.sql': 'DROP TABLE t;\n' });
    expect(err.problems).toEqual([expect.objectContaining({ path: '001_big.up.sql', line: 300_003, column: 10 })]);
  });

  it('is searched for statements that cannot run in a transaction beyond its first window', () => {
    const [pair] = scan(dirWith({ '001_big.up.sql': `${big}VACUUM t;\n`, '001_big.down.sql': 'DROP TABLE t;\n' }));
    expect(pair.up.body.big).toBe(true);
    expect(nonTransactionalStatements(pair.up).map((p) => p.line)).toEqual([300_003]);
  });

  describe('whose data mentions the words of non-transactional statements', () => {
    // Every row's strings hold HINT words; none of them is a statement.
    const data = (n: number) =>
      Array.from(
        { length: n },
        (_, i) =>
          `INSERT INTO t VALUES (${i}, 'database admin ${i}: vacuum the system concurrently; é😀', $$reindex; cluster$$);`,
      ).join('\n');
    const head = 'CREATE TABLE t (id int, label text, note text);\n';

    it('is not refused for the words in its strings', () => {
      const body = `${head}${data(120_000)}\n-- VACUUM t; in a comment\nSELECT 'CREATE INDEX CONCURRENTLY i ON t (id)';\n`;
      const [pair] = scan(dirWith({ '001_big.up.sql': body, '001_big.down.sql': 'DROP TABLE t;\n' }));
      expect(pair.up.body.byteLength).toBeGreaterThan(8 * 1024 * 1024);
      expect(nonTransactionalStatements(pair.up)).toEqual([]);
    });

    it('still finds a real VACUUM and CREATE INDEX CONCURRENTLY, at their line and column, as in a small script', () => {
      const body =
        `${head}${data(60_000)}\n  /* é */ vacuum (analyze) t;\r\n${data(60_000)}\n` +
        `SELECT 1; 😀x; create unique index\tCONCURRENTLY i ON t (id);\nALTER TABLE t ADD COLUMN "system" int;\n`;
      const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)]);
      const [pair] = scan(dirWith({ '001_big.up.sql': bytes, '001_big.down.sql': 'DROP TABLE t;\n' }));
      expect(pair.up.body.big).toBe(true);
      const problems = nonTransactionalStatements(pair.up);
      expect(problems).toEqual([
        { path: '001_big.up.sql', line: 60_002, column: 11, reason: 'VACUUM', kind: 'needs-no-transaction' },
        {
          path: '001_big.up.sql',
          line: 120_003,
          column: 15,
          reason: 'CREATE INDEX CONCURRENTLY',
          kind: 'needs-no-transaction',
        },
      ]);
      // The same as the statements of the decoded text say.
      const inText = splitStatements(pair.up.body.text()).flatMap((s) => {
        const reason = nonTransactionalReason(s.text);
        return reason === null ? [] : [{ line: s.line, column: s.column, reason }];
      });
      expect(problems.map(({ line, column, reason }) => ({ line, column, reason }))).toEqual(inText);
    });
  });
});
