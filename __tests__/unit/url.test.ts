import { Client } from 'pg';
import { ConfigError } from '../../lib/errors';
import { urlDatabase, withDatabase } from '../../lib/db/url';

/** What pg itself would connect to. */
function pgReads(url: string) {
  const c = new Client({ connectionString: url }) as unknown as { user: string; password: string; host: string; port: number; database: string };
  return { user: c.user, password: c.password, host: c.host, port: c.port, database: c.database };
}

describe('urlDatabase', () => {
  it('reads the database a URL names', () => {
    expect(urlDatabase('postgres://u:p@db.example:6543/app_dev?sslmode=disable')).toBe('app_dev');
    expect(urlDatabase('postgresql://u@host/my%20db')).toBe('my db');
    expect(urlDatabase('socket:/var/run/postgresql?db=app')).toBe('app');
  });

  it('is null when the URL names none', () => {
    expect(urlDatabase('postgres://u@host:5432')).toBeNull();
    expect(urlDatabase('postgres://u@host/')).toBeNull();
  });

  it('refuses what is not a postgres URL, without quoting it (it may hold a password)', () => {
    expect(() => urlDatabase('host=localhost password=secret dbname=app')).toThrow(ConfigError);
    expect(() => urlDatabase('mysql://u:secret@host/app')).toThrow(ConfigError);
    try {
      urlDatabase('mysql://u:secret@host/app');
    } catch (err) {
      expect((err as Error).message).not.toContain('secret');
    }
  });
});

describe('withDatabase', () => {
  it('changes the database and nothing else, as pg reads it', () => {
    const cases = [
      'postgres://alice:s3cret@db.example:6543/app_dev?application_name=x',
      'postgres://alice:p%40ss%2Fword@db.example/app_dev',
      'postgres://alice:p@ss@db.example/app_dev',
      'postgresql://alice@db.example',
      'postgres://alice:has space@db.example:5433/app',
    ];
    for (const url of cases) {
      expect(pgReads(withDatabase(url, 'tidemark_rt_0123456789ab'))).toEqual({ ...pgReads(url), database: 'tidemark_rt_0123456789ab' });
    }
  });

  it('sets the db parameter of a socket URL', () => {
    expect(urlDatabase(withDatabase('socket:/var/run/postgresql?db=app', 'other'))).toBe('other');
  });
});
