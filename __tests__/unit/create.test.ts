import { appendFileSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../lib/errors';
import { createPair } from '../../lib/source/create';
import { nextVersionText } from '../../lib/source/version';
import { inspect, scan } from '../../lib/source/scanner';
import { migrationsDir, removeDir } from '../helpers/files';

const NOW = new Date(Date.UTC(2026, 10, 24, 9, 30, 0));
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach(removeDir));

function dirWith(files: Record<string, string>): string {
  const dir = migrationsDir(files);
  dirs.push(dir);
  return dir;
}

describe('nextVersionText', () => {
  it.each([
    [null, '001'],
    [{ version: 7n, versionText: '007' }, '008'],
    [{ version: 9n, versionText: '9' }, '10'],
    [{ version: 999n, versionText: '999' }, '1000'],
    [{ version: 41n, versionText: '00041' }, '00042'],
    [{ version: 20261124093000n, versionText: '20261124093000' }, '20261124093001'],
    [{ version: 9007199254740993n, versionText: '9007199254740993' }, '9007199254740994'],
    [{ version: 9223372036854775806n, versionText: '9223372036854775806' }, '9223372036854775807'],
  ])('after case %# the next is %s', (highest, expected) => {
    expect(nextVersionText(highest)).toBe(expected);
  });

  it('refuses to go past the largest version (signed 64-bit), naming the directory', () => {
    const highest = { version: 9223372036854775807n, versionText: '9223372036854775807' };
    expect(() => nextVersionText(highest, 'db/sql')).toThrow(ConfigError);
    expect(() => nextVersionText(highest, 'db/sql')).toThrow(
      /the highest version in db\/sql is 9223372036854775807, the largest a version can be/,
    );
  });
});

describe('createPair', () => {
  it('writes 001 into an empty directory and returns both paths', () => {
    const dir = dirWith({});
    const created = createPair(dir, 'create_users', inspect(dir).highest, NOW);
    expect(created).toEqual({
      version: 1n,
      upPath: path.join(dir, '001_create_users.up.sql'),
      downPath: path.join(dir, '001_create_users.down.sql'),
    });
    expect(readdirSync(dir).sort()).toEqual(['001_create_users.down.sql', '001_create_users.up.sql']);
  });

  it('numbers max + 1 with the padding used in the directory, looking into subfolders', () => {
    const dir = dirWith({
      '0009_a.up.sql': 'SELECT 1;',
      '0009_a.down.sql': '',
      'old/0002_b.up.sql': 'SELECT 1;',
      'old/0002_b.down.sql': '',
    });
    const created = createPair(dir, 'next', inspect(dir).highest, NOW);
    expect(path.basename(created.upPath)).toBe('0010_next.up.sql');
    expect(created.version).toBe(10n);
  });

  it('writes scripts whose up is a comment-only stub and whose down is not marked irreversible', () => {
    const dir = dirWith({});
    const created = createPair(dir, 'stub', null, NOW);
    const up = readFileSync(created.upPath, 'utf8');
    expect(up.startsWith('-- ')).toBe(true);
    expect(up).toContain('2026-11-24 09:30:00');
    // Until the user writes it, the new pair is refused as an empty up script.
    expect(inspect(dir).problems.map((p) => p.path)).toEqual(['001_stub.up.sql']);
    expect(inspect(dir).highest).toMatchObject({ version: 1n, versionText: '001' });
  });

  it('makes a pair the scanner accepts once the up script has SQL', () => {
    const dir = dirWith({ '001_a.up.sql': 'SELECT 1;', '001_a.down.sql': 'SELECT 1;' });
    const created = createPair(dir, 'b', inspect(dir).highest, NOW);
    appendFileSync(created.upPath, 'SELECT 2;\n');
    expect(scan(dir).map((p) => p.label)).toEqual(['001_a', '002_b']);
    expect(scan(dir)[1].down.directives.irreversible).toBe(false);
  });

  it.each(['', 'add users', 'add.users', '../escape', 'a/b', 'café'])(
    'refuses the name %j with ConfigError and writes nothing',
    (name) => {
      const dir = dirWith({});
      expect(() => createPair(dir, name, null, NOW)).toThrow(ConfigError);
      expect(readdirSync(dir)).toEqual([]);
    },
  );

  it('never overwrites an existing file', () => {
    const dir = dirWith({ '001_taken.up.sql': 'SELECT 42;\n' });
    expect(() => createPair(dir, 'taken', null, NOW)).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(readFileSync(path.join(dir, '001_taken.up.sql'), 'utf8')).toBe('SELECT 42;\n');
  });
});
