/**
 * The config file in resolveConfig (pure: the parsed content is passed in):
 * precedence, environments, {"env": …} URLs, and every error naming the key
 * and the file.
 */
import { resolveConfig, type ConfigFlags } from '../../lib/config';
import { ConfigError } from '../../lib/errors';

const FILE = 'tidemark.config.json';
const file = (content: unknown, path = FILE) => ({ path, content });

/** Shared settings and two environments; every layer gives a different url. */
const TWO_ENVIRONMENTS = {
  url: 'postgres://top@db/app',
  schema: 'ops',
  lockTimeout: '5s',
  retries: 1,
  environments: {
    staging: { url: 'postgres://staging@db/app', lockWait: 30 },
    production: {
      url: { env: 'PROD_DATABASE_URL' },
      lockTimeout: '2s',
      statementTimeout: '10min',
      wait: 30,
      retries: 3,
      table: 'prod_history',
    },
  },
};

function configError(flags: ConfigFlags, env: NodeJS.ProcessEnv, content: unknown, path = FILE): ConfigError {
  try {
    resolveConfig(flags, env, file(content, path));
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('resolveConfig accepted the file');
}

describe('precedence', () => {
  const prodEnv = { PROD_DATABASE_URL: 'postgres://prod@db/app' };

  it('flag > TIDEMARK_* > DATABASE_URL > PG* > environment section > top level > default, one layer at a time', () => {
    const layers: [ConfigFlags, NodeJS.ProcessEnv, string | undefined, string][] = [
      [
        { url: 'postgres://flag@db/app' },
        { TIDEMARK_URL: 'postgres://tm@db/app', DATABASE_URL: 'postgres://du@db/app', PGHOST: 'pg' },
        'postgres://flag@db/app',
        'flag',
      ],
      [
        {},
        { TIDEMARK_URL: 'postgres://tm@db/app', DATABASE_URL: 'postgres://du@db/app', PGHOST: 'pg' },
        'postgres://tm@db/app',
        'env',
      ],
      [{}, { DATABASE_URL: 'postgres://du@db/app', PGHOST: 'pg' }, 'postgres://du@db/app', 'env'],
      [{}, { PGHOST: 'pg' }, undefined, 'env'],
      [{}, {}, 'postgres://staging@db/app', 'file'],
    ];
    for (const [flags, env, url, source] of layers) {
      const { config, sources } = resolveConfig({ environment: 'staging', ...flags }, env, file(TWO_ENVIRONMENTS));
      expect({ url: config.url, source: sources.url.source }).toEqual({ url, source });
    }
    const top = resolveConfig(
      { environment: 'staging' },
      {},
      file({ ...TWO_ENVIRONMENTS, environments: { staging: {} } }),
    );
    expect(top.config.url).toBe('postgres://top@db/app');
    expect(top.sources.url).toEqual({ source: 'file', name: FILE, key: 'url' });
    expect(resolveConfig({}, {}, file({})).sources.url).toEqual({ source: 'default' });
  });

  it('takes the environment section over the top level, and the top level for what the section leaves out', () => {
    const { config, sources } = resolveConfig({ environment: 'production' }, prodEnv, file(TWO_ENVIRONMENTS));
    expect(config).toEqual({
      dir: 'sql',
      url: 'postgres://prod@db/app',
      schema: 'ops',
      table: 'prod_history',
      environment: 'production',
      lockWait: 60,
      wait: 30,
      lockTimeout: '2s',
      statementTimeout: '10min',
      retries: 3,
    });
    expect(sources.url).toEqual({
      source: 'file',
      name: FILE,
      key: 'environments.production.url',
      variable: 'PROD_DATABASE_URL',
    });
    expect(sources.lockTimeout).toEqual({ source: 'file', name: FILE, key: 'environments.production.lockTimeout' });
    expect(sources.schema).toEqual({ source: 'file', name: FILE, key: 'schema' });
    expect(sources.lockWait).toEqual({ source: 'default' });
  });

  it('lets TIDEMARK_* variables and flags beat the file for every setting', () => {
    const env = {
      ...prodEnv,
      TIDEMARK_ENV: 'production',
      TIDEMARK_LOCK_TIMEOUT: '9s',
      TIDEMARK_RETRIES: '0',
      TIDEMARK_WAIT: '1',
    };
    const { config, sources } = resolveConfig({ table: 'from_flag', wait: '2' }, env, file(TWO_ENVIRONMENTS));
    expect(config).toMatchObject({
      environment: 'production',
      lockTimeout: '9s',
      retries: 0,
      table: 'from_flag',
      wait: 2,
    });
    expect(sources.environment).toEqual({ source: 'env', name: 'TIDEMARK_ENV' });
    expect(sources.lockTimeout).toEqual({ source: 'env', name: 'TIDEMARK_LOCK_TIMEOUT' });
    expect(sources.table).toEqual({ source: 'flag', name: '--table' });
    expect(sources.wait).toEqual({ source: 'flag', name: '--wait' });
  });

  it.each(['PGHOST', 'PGHOSTADDR', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGSERVICE'])(
    "lets %s win over the file's url (libpq decides)",
    (name) => {
      const { config, sources } = resolveConfig({}, { [name]: 'x' }, file({ url: 'postgres://file@db/app' }));
      expect(config.url).toBeUndefined();
      expect(sources.url).toEqual({ source: 'env', name });
    },
  );

  it('names every PG* variable that is set, and ignores PGPASSWORD alone', () => {
    expect(resolveConfig({}, { PGUSER: 'u', PGHOST: 'h' }, file({})).sources.url).toEqual({
      source: 'env',
      name: 'PGHOST, PGUSER',
    });
    expect(resolveConfig({}, { PGPASSWORD: 'pw' }, file({ url: 'postgres://file@db/app' })).config.url).toBe(
      'postgres://file@db/app',
    );
  });

  it('uses the top level only when the default environment is not defined', () => {
    const { config, sources } = resolveConfig({}, {}, file(TWO_ENVIRONMENTS));
    expect(config).toMatchObject({ environment: 'development', url: 'postgres://top@db/app', lockTimeout: '5s' });
    expect(sources.environment).toEqual({ source: 'default' });
  });

  it('uses the development section when it is defined, chosen by default', () => {
    const content = {
      url: 'postgres://top@db/app',
      environments: { development: { url: 'postgres://dev@localhost/app' } },
    };
    const resolved = resolveConfig({}, {}, file(content));
    expect(resolved.config.url).toBe('postgres://dev@localhost/app');
    expect(resolved.file).toEqual({ path: FILE, section: 'development' });
  });

  it('accepts an explicit environment when the file defines no environments at all', () => {
    const resolved = resolveConfig({ environment: 'qa' }, {}, file({ schema: 'ops' }));
    expect(resolved.config).toMatchObject({ environment: 'qa', schema: 'ops' });
    expect(resolved.file).toEqual({ path: FILE, section: null });
  });

  it('reports no file when none was read', () => {
    expect(resolveConfig({}, {}).file).toBeNull();
  });

  it('reads a literal URL string, and a {"env"} URL only when it is the one used', () => {
    expect(resolveConfig({ environment: 'staging' }, {}, file(TWO_ENVIRONMENTS)).config.url).toBe(
      'postgres://staging@db/app',
    );
    const overridden = resolveConfig(
      { environment: 'production', url: 'postgres://flag@db/app' },
      {},
      file(TWO_ENVIRONMENTS),
    );
    expect(overridden.config.url).toBe('postgres://flag@db/app');
  });

  it('reads a relative dir relative to the file, and an absolute one as it is', () => {
    expect(resolveConfig({}, {}, file({ dir: 'db/sql' })).config.dir).toBe('db/sql');
    expect(resolveConfig({}, {}, file({ dir: 'sql' }, 'deploy/tidemark.json')).config.dir).toBe('deploy/sql');
    expect(resolveConfig({}, {}, file({ dir: '../sql' }, 'deploy/tidemark.json')).config.dir).toBe('sql');
    expect(resolveConfig({}, {}, file({ dir: '/srv/sql' }, 'deploy/tidemark.json')).config.dir).toBe('/srv/sql');
    expect(resolveConfig({ dir: 'x' }, {}, file({ dir: 'sql' }, 'deploy/tidemark.json')).config.dir).toBe('x');
  });
});

describe('errors name the key and the file (exit 2)', () => {
  it.each([
    ['an unknown top-level key', { lockwait: 5 }, 'lockwait'],
    [
      'an unknown key in an environment',
      { environments: { production: { urls: 'x' } } },
      'environments.production.urls',
    ],
    ['a snake_case key', { lock_timeout: '5s' }, 'lock_timeout'],
    ['environment at the top level', { environment: 'production' }, 'environment'],
    [
      'environments inside an environment',
      { environments: { a: { environments: {} } } },
      'environments.a.environments',
    ],
    ['a string for a number', { lockWait: 'x' }, 'lockWait'],
    ['a quoted number', { environments: { production: { wait: '30' } } }, 'environments.production.wait'],
    ['a number for a URL', { url: 5 }, 'url'],
    ['a number for a duration', { lockTimeout: 5000 }, 'lockTimeout'],
    ['null for a string', { schema: null }, 'schema'],
    [
      'an invalid duration',
      { environments: { production: { statementTimeout: 'forever' } } },
      'environments.production.statementTimeout',
    ],
    ['negative seconds', { lockWait: -1 }, 'lockWait'],
    ['fractional retries', { retries: 1.5 }, 'retries'],
    ['negative retries', { environments: { staging: { retries: -2 } } }, 'environments.staging.retries'],
    ['an empty string', { table: '' }, 'table'],
    ['a URL object without env', { url: { variable: 'X' } }, 'url'],
    ['a URL object with more keys', { url: { env: 'X', fallback: 'postgres://db' } }, 'url'],
    ['a URL object naming no valid variable', { url: { env: 'NOT A NAME' } }, 'url'],
    ['environments that is not an object', { environments: ['production'] }, 'environments'],
    [
      'an environment that is not an object',
      { environments: { production: 'postgres://db' } },
      'environments.production',
    ],
  ])('%s', (_label, content, key) => {
    const err = configError({}, {}, content);
    expect(err).toMatchObject({ code: 'config', exitCode: 2, facts: { file: FILE, key } });
    expect(err.message).toContain(FILE);
    expect(err.message).toContain(key);
  });

  it('checks every environment, not only the one in use', () => {
    const err = configError(
      { environment: 'staging' },
      {},
      { environments: { staging: {}, production: { lockWait: 'soon' } } },
    );
    expect(err.facts).toEqual({ file: FILE, key: 'environments.production.lockWait' });
  });

  it('suggests the camelCase key for a near miss', () => {
    expect(configError({}, {}, { lock_timeout: '5s' }).message).toContain('Did you mean "lockTimeout"?');
    expect(configError({}, {}, { StatementTimeout: '5s' }).message).toContain('Did you mean "statementTimeout"?');
  });

  it.each([null, [], 'postgres://db', 5])('refuses a file that is not a JSON object: %j', (content) => {
    expect(configError({}, {}, content)).toMatchObject({ exitCode: 2, facts: { file: FILE } });
  });

  it('names the key, the file and the variable when a {"env"} URL variable is not set', () => {
    for (const env of [{}, { PROD_DATABASE_URL: '' }]) {
      const err = configError({ environment: 'production' }, env, TWO_ENVIRONMENTS);
      expect(err.facts).toEqual({ file: FILE, key: 'environments.production.url', variable: 'PROD_DATABASE_URL' });
      expect(err.message).toContain('PROD_DATABASE_URL');
      expect(err.message).toContain('environments.production.url');
      expect(err.message).toContain(FILE);
    }
  });

  it('names the file and lists the defined environments for an unknown explicit environment', () => {
    for (const [flags, env, by] of [
      [{ environment: 'qa' }, {}, '--env'],
      [{}, { TIDEMARK_ENV: 'qa' }, '$TIDEMARK_ENV'],
    ] as const) {
      const err = configError(flags, env, TWO_ENVIRONMENTS, 'config/tidemark.json');
      expect(err.facts).toEqual({ file: 'config/tidemark.json', key: 'environments.qa' });
      expect(err.message).toContain('config/tidemark.json');
      expect(err.message).toContain('staging, production');
      expect(err.message).toContain(by);
    }
  });

  it('refuses an explicit environment when "environments" is empty', () => {
    expect(configError({ environment: 'production' }, {}, { environments: {} }).message).toContain('empty');
  });

  it('does not quote the values of a malformed URL object', () => {
    const err = configError({}, {}, { url: { env: 'X', fallback: 'postgres://u:s3cretpw@db/app' } });
    expect(err.message).toContain('the keys env, fallback');
    expect(err.message).not.toContain('s3cretpw');
  });
});
