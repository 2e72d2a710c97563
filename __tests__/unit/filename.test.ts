import { formatFilename, isValidName, parseFilename } from '../../lib/source/filename';
import { MAX_VERSION } from '../../lib/source/version';

describe('parseFilename', () => {
  it('reads version, name and direction of an up script', () => {
    expect(parseFilename('004_add_index.up.sql')).toEqual({
      ok: true,
      version: 4n,
      versionText: '004',
      name: 'add_index',
      direction: 'up',
    });
  });

  it('reads a down script, a timestamp version and a name with "-"', () => {
    expect(parseFilename('20261124093000_add-users.down.sql')).toEqual({
      ok: true,
      version: 20261124093000n,
      versionText: '20261124093000',
      name: 'add-users',
      direction: 'down',
    });
  });

  it('compares versions as integers: 001 and 1 are the same version', () => {
    const padded = parseFilename('001_a.up.sql');
    const bare = parseFilename('1_a.up.sql');
    expect(padded.ok && bare.ok && padded.version === bare.version).toBe(true);
  });

  it('keeps versions above 2^53 exact', () => {
    const parsed = parseFilename('9007199254740993_big.up.sql');
    expect(parsed).toMatchObject({ ok: true, version: 9007199254740993n });
  });

  it('accepts the largest signed 64-bit version and refuses the next one', () => {
    expect(parseFilename(`${MAX_VERSION}_max.up.sql`)).toMatchObject({ ok: true, version: MAX_VERSION });
    expect(parseFilename(`${MAX_VERSION + 1n}_over.up.sql`)).toMatchObject({ ok: false });
  });

  it.each([
    ['1_foo.sql', 'no direction'],
    ['001-foo.up.sql', '"-" instead of "_" after the version'],
    ['001_foo.UP.sql', 'upper-case direction'],
    ['001_foo.up.SQL', 'upper-case extension'],
    ['foo.up.sql', 'no version'],
    ['001_.up.sql', 'empty name'],
    ['001_foo bar.up.sql', 'space in the name'],
    ['001_foo.bar.up.sql', 'dot in the name'],
    ['001_foo.sideways.sql', 'unknown direction'],
    ['١٢_foo.up.sql', 'non-ASCII digits'],
    ['001_café.up.sql', 'non-ASCII letter'],
  ])('refuses %s (%s) with a reason', (basename) => {
    const parsed = parseFilename(basename);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.reason).not.toBe('');
  });
});

describe('isValidName', () => {
  it.each(['add_users', 'add-users', 'V2', 'x'])('accepts %s', (name) => {
    expect(isValidName(name)).toBe(true);
  });

  it.each(['', 'add users', 'add.users', '../evil', 'a/b', 'café'])('refuses %j', (name) => {
    expect(isValidName(name)).toBe(false);
  });
});

describe('formatFilename', () => {
  it('builds a name that parses back to the same parts', () => {
    const file = formatFilename('007', 'add_index', 'down');
    expect(file).toBe('007_add_index.down.sql');
    expect(parseFilename(file)).toMatchObject({
      ok: true,
      version: 7n,
      versionText: '007',
      name: 'add_index',
      direction: 'down',
    });
  });
});
