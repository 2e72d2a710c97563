import { checkPorts, keyValuePairs } from '../../lib/config/connection/conninfo';
import { isValidPort } from '../../lib/config/connection/keywords';
import { resolveConfig } from '../../lib/config';
import { ConfigError } from '../../lib/errors';

function refusal(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('accepted');
}

describe('isValidPort', () => {
  test.each(['1', '5432', '05432', ' 5432 ', '65535'])('%j is a port', (raw) => expect(isValidPort(raw)).toBe(true));
  test.each(['0', '65536', '99999', '-1', 'abc', '5432x', '', '1e3', '0x10', '5432.0', '1234567'])('%j is not', (raw) =>
    expect(isValidPort(raw)).toBe(false),
  );
});

describe('checkPorts', () => {
  test.each([
    ['postgres://u:p@h:5432/db', true],
    ['postgres://u:p@h/db', false],
    ['postgres://h:/db', false],
    ['postgres://[::1]:5433/db', true],
    ['postgres://h/db?sslmode=disable&port=6000', true],
    ['socket:/var/run/postgresql?db=app', false],
    ['host=h port=5432 dbname=app', true],
    ['host=h dbname=app', false],
    ["host=h port='' dbname=app", false],
  ])('%s is accepted; sets a port: %s', (url, setsPort) => {
    expect(checkPorts(url, '--url')).toBe(setsPort);
  });

  test.each([
    ['postgres://u:p@h:99999/db', 'port "99999"'],
    ['postgres://[::1]:65536/db', 'port "65536"'],
    ['postgres://h/db?port=0', 'port "0"'],
    ['postgres://h:5432/db?port=abc', 'port "abc"'],
    ['socket:/var/run/postgresql?db=app&port=-1', 'port "-1"'],
    ['host=h port=99999', 'port "99999"'],
    ['host=h port=55433x', 'port "55433x"'],
    ["host=h port='abc'", 'port "abc"'],
  ])('%s is refused, naming the origin and the port', (url, what) => {
    expect(refusal(() => checkPorts(url, '$DATABASE_URL')).message).toContain(
      `$DATABASE_URL: ${what} is not a valid port (1–65535)`,
    );
  });

  test('a URL whose password holds an unencoded / is refused without quoting what follows the colon', () => {
    const { message } = refusal(() => checkPorts('postgres://u:99999/pw@h/db', '--url'));
    expect(message).toContain('percent-encode');
    expect(message).not.toContain('99999');
  });
});

describe('keyValuePairs', () => {
  test('unquotes values and returns what it could not read', () => {
    expect(keyValuePairs("host=h password='a b\\'c' port=5")).toEqual({
      pairs: [
        ['host', 'h'],
        ['password', "a b'c"],
        ['port', '5'],
      ],
      rest: '',
    });
    expect(keyValuePairs('host=h oops').rest).toBe(' oops');
  });
});

describe('resolveConfig and ports', () => {
  test('a bad port in a flag, a variable or the config file names it', () => {
    expect(refusal(() => resolveConfig({ url: 'postgres://h:99999/db' }, {})).message).toMatch(/^--url: port "99999"/);
    expect(refusal(() => resolveConfig({}, { TIDEMARK_URL: 'host=h port=abc' })).message).toMatch(
      /^\$TIDEMARK_URL: port "abc"/,
    );
    const file = refusal(() =>
      resolveConfig(
        {},
        {},
        { path: 'tidemark.config.json', content: { environments: { prod: { url: 'postgres://h:0/x' } } } },
      ),
    );
    expect(file.message).toMatch(/^environments\.prod\.url in tidemark\.config\.json: port "0"/);
    expect(file.facts).toEqual({ file: 'tidemark.config.json', key: 'environments.prod.url' });
  });

  test('PGPORT is checked when connecting, not here: commands that never connect do not fail on it', () => {
    expect(resolveConfig({}, { PGPORT: '99999' }).config.url).toBeUndefined();
  });

  test.each(['pg_catalog', 'pg_toast', 'pg_temp_3', 'information_schema'])(
    '--schema %s is refused as a system schema',
    (schema) => {
      expect(refusal(() => resolveConfig({ schema }, {})).message).toContain(`--schema "${schema}" is a system schema`);
    },
  );

  test('a schema that only looks like one is accepted (names are quoted: PG_x is not reserved)', () => {
    expect(resolveConfig({ schema: 'PG_ops' }, {}).config.schema).toBe('PG_ops');
    expect(resolveConfig({ schema: 'app_pg_' }, {}).config.schema).toBe('app_pg_');
  });
});
