/**
 * Connection strings read as libpq reads them (URL and key=value), and the
 * shapes that are neither, refused without quoting a byte of the password.
 */
import { Client } from 'pg';
import { parseConnectionString } from '../../lib/config/connection/conninfo';
import { resolveConfig } from '../../lib/config';
import { ConfigError } from '../../lib/errors';

const PW = 'Pw0rdX9';

function refusal(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('accepted');
}

const params = (text: string) => parseConnectionString(text, '--url').params;

describe('URLs', () => {
  test.each([
    [
      'postgres://u:p@db.example:6543/app',
      { user: 'u', password: 'p', host: 'db.example', port: '6543', dbname: 'app' },
    ],
    ['postgresql://u@db/my%20db', { user: 'u', host: 'db', dbname: 'my db' }],
    ['postgres://db', { host: 'db' }],
    ['postgres://', {}],
    ['postgres://[::1]:5433/app', { host: '::1', port: '5433', dbname: 'app' }],
    ['postgres://u@h1:5432,h2:5433,[::1]/app', { user: 'u', host: 'h1,h2,::1', port: '5432,5433,', dbname: 'app' }],
    ['postgres://%2Fvar%2Frun%2Fpostgresql/app', { host: '/var/run/postgresql', dbname: 'app' }],
    ['postgres:///app?host=/tmp&port=5433', { host: '/tmp', port: '5433', dbname: 'app' }],
    [
      'postgres://h/app?sslmode=prefer&target_session_attrs=read-write&application_name=x',
      { host: 'h', dbname: 'app', sslmode: 'prefer', target_session_attrs: 'read-write', application_name: 'x' },
    ],
    ['postgres://h/app?ssl=true', { host: 'h', dbname: 'app', sslmode: 'require' }],
    ['postgres://h/app?service=prod', { host: 'h', dbname: 'app', service: 'prod' }],
    ['postgres://u:p#ss@h/app', { user: 'u', password: 'p#ss', host: 'h', dbname: 'app' }],
    ['socket:/var/run/postgresql?db=app', { host: '/var/run/postgresql', dbname: 'app' }],
  ])('%s', (url, expected) => {
    expect(params(url)).toEqual(expected);
  });

  test("parameters that are not libpq settings (Prisma's schema, …) are ignored and listed, as pg ignores them", () => {
    expect(parseConnectionString('postgres://h/app?schema=public&connection_limit=5', '--url')).toEqual({
      params: { host: 'h', dbname: 'app' },
      ignored: ['schema', 'connection_limit'],
    });
  });

  test.each([
    'postgres://alice:s3cret@db.example:6543/app_dev?application_name=x',
    'postgres://alice:p%40ss%2Fword@db.example/app_dev',
    'postgres://alice:p@ss@db.example/app_dev',
    'postgresql://alice@db.example',
    'postgres://alice:has space@db.example:5433/app',
    'postgres://alice:100%sure@db.example/app',
  ])('reads %s as pg did: same user, password, host, port and database', (url) => {
    const pg = new Client({ connectionString: url }) as unknown as {
      user: string;
      password: string;
      host: string;
      port: number;
      database: string;
    };
    const read = params(url);
    expect(read.user).toBe(pg.user);
    expect(read.password ?? null).toBe(pg.password || null);
    expect(read.host).toBe(pg.host);
    expect(Number(read.port ?? 5432)).toBe(pg.port);
    expect(read.dbname ?? pg.user).toBe(pg.database);
  });
});

describe('key=value strings', () => {
  test('reads quoted and escaped values, host lists, service and every sslmode keyword', () => {
    expect(
      params(
        "host=a,b port=1,2 dbname='my db' user=u password='p\\'w' sslmode=allow target_session_attrs=any service=s",
      ),
    ).toEqual({
      host: 'a,b',
      port: '1,2',
      dbname: 'my db',
      user: 'u',
      password: "p'w",
      sslmode: 'allow',
      target_session_attrs: 'any',
      service: 's',
    });
  });

  test.each([
    ['host=h port=55433x', 'port "55433x" is not a valid port'],
    ['host=h port=abc', 'port "abc" is not a valid port'],
    ['host=h port=5432,abc', 'port "abc" is not a valid port'],
    [
      'host=h sslmode=bogus',
      'sslmode "bogus" is not an sslmode (disable, allow, prefer, require, verify-ca, verify-full)',
    ],
    [
      'host=h target_session_attrs=primary-ish',
      'target_session_attrs "primary-ish" is not a target_session_attrs value',
    ],
    ['host=h gssencmode=require', 'gssencmode "require" cannot be honoured'],
    ['host=h connect_timeout=soon', 'connect_timeout "soon" is not a whole number of seconds'],
    ['host=h colour=blue', '"colour" is not a libpq connection setting'],
  ])('%s is refused (exit 2), naming the key', (dsn, message) => {
    const err = refusal(() => params(dsn));
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain(`--url`);
    expect(err.message).toContain(message);
  });

  test('a bad value is never quoted for the password', () => {
    expect(refusal(() => params(`host=h password=${PW} oops`)).message).not.toContain(PW);
  });
});

describe('strings that are neither a URL nor key=value', () => {
  test.each([
    [`postgres:/u:${PW}@127.0.0.1/db`, 'the scheme must be followed by "//"'],
    [`postgres//u:${PW}@127.0.0.1/db`, 'a ":" is missing after the scheme'],
    [`postgres:u:${PW}@127.0.0.1/db`, 'the scheme must be followed by "//"'],
    [`postgresql:/u:${PW}@127.0.0.1/db`, 'the scheme must be followed by "//"'],
    [`u:${PW}@127.0.0.1/db`, 'it has no scheme; start it with postgres://'],
    [`mysql://u:${PW}@127.0.0.1/db`, 'the scheme "mysql" is not postgres or postgresql'],
    [`/var/run/postgresql ${PW}`, ''],
    [PW, ''],
  ])('%s is refused before connecting, without the password', (text, hint) => {
    const err = refusal(() => resolveConfig({ url: text }, {}));
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain('--url is neither a postgres:// URL nor a key=value connection string');
    expect(err.message).toContain(hint);
    expect(err.message).toContain('nothing was sent to the database');
    expect(err.message).not.toContain(PW);
  });

  test('a password holding an unencoded / or ? ends the host part early: refused, never sent as a database name', () => {
    for (const url of [`postgres://u:ab/${PW}@h/db`, `postgres://u:ab?${PW}@h/db`]) {
      const err = refusal(() => params(url));
      expect(err.message).toContain('percent-encode');
      expect(err.message).not.toContain(PW);
    }
  });

  test('the origin is named: a variable, or the config file key', () => {
    expect(refusal(() => resolveConfig({}, { DATABASE_URL: `postgres:/u:${PW}@h/db` })).message).toMatch(
      /^\$DATABASE_URL is neither/,
    );
    const file = refusal(() =>
      resolveConfig({}, {}, { path: 'tidemark.config.json', content: { url: `u:${PW}@h/db` } }),
    );
    expect(file.message).toMatch(/^url in tidemark\.config\.json is neither/);
    expect(file.message).not.toContain(PW);
  });
});
