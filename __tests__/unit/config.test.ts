import { resolveConfig, SETTINGS, type ConfigFlags } from '../../lib/config';
import { ConfigError } from '../../lib/errors';

function configError(flags: ConfigFlags, env: NodeJS.ProcessEnv): ConfigError {
  try {
    resolveConfig(flags, env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('resolveConfig accepted the values');
}

describe('resolveConfig', () => {
  it('uses the defaults when nothing is set', () => {
    const { config, sources } = resolveConfig({}, {});
    expect(config).toEqual({
      dir: 'sql',
      schema: 'public',
      table: 'tidemark_migrations',
      environment: 'development',
      lockWait: 60,
      wait: 0,
      retries: 0,
    });
    expect(config.url).toBeUndefined();
    expect(sources.dir).toEqual({ source: 'default' });
  });

  it('lets environment variables beat the defaults', () => {
    const env = {
      TIDEMARK_DIR: 'db/migrations',
      TIDEMARK_SCHEMA: 'ops',
      TIDEMARK_TABLE: 'history',
      TIDEMARK_ENV: 'staging',
      TIDEMARK_LOCK_WAIT: '5',
      TIDEMARK_WAIT: '2.5',
      TIDEMARK_LOCK_TIMEOUT: '5s',
      TIDEMARK_STATEMENT_TIMEOUT: '2min',
      TIDEMARK_RETRIES: '3',
      DATABASE_URL: 'postgres://db/app',
    };
    const { config, sources } = resolveConfig({}, env);
    expect(config).toEqual({
      dir: 'db/migrations',
      url: 'postgres://db/app',
      schema: 'ops',
      table: 'history',
      environment: 'staging',
      lockWait: 5,
      wait: 2.5,
      lockTimeout: '5s',
      statementTimeout: '2min',
      retries: 3,
    });
    expect(sources.url).toEqual({ source: 'env', name: 'DATABASE_URL' });
  });

  it('lets flags beat environment variables', () => {
    const env = {
      TIDEMARK_DIR: 'from-env',
      TIDEMARK_URL: 'postgres://env/db',
      TIDEMARK_LOCK_WAIT: '5',
      TIDEMARK_ENV: 'staging',
    };
    const { config, sources } = resolveConfig(
      { dir: 'from-flag', url: 'postgres://flag/db', lockWait: '0', environment: 'production' },
      env,
    );
    expect(config).toMatchObject({
      dir: 'from-flag',
      url: 'postgres://flag/db',
      lockWait: 0,
      environment: 'production',
    });
    expect(sources.dir).toEqual({ source: 'flag', name: '--dir' });
    expect(sources.lockWait).toEqual({ source: 'flag', name: '--lock-wait' });
  });

  it('reads TIDEMARK_URL before DATABASE_URL', () => {
    const { config, sources } = resolveConfig(
      {},
      { DATABASE_URL: 'postgres://app/db', TIDEMARK_URL: 'postgres://migrator/db' },
    );
    expect(config.url).toBe('postgres://migrator/db');
    expect(sources.url).toEqual({ source: 'env', name: 'TIDEMARK_URL' });
  });

  it('treats an empty environment variable as unset', () => {
    const { config } = resolveConfig({}, { TIDEMARK_URL: '', DATABASE_URL: 'postgres://app/db', TIDEMARK_DIR: '' });
    expect(config).toMatchObject({ url: 'postgres://app/db', dir: 'sql' });
  });

  it('accepts numbers passed as numbers', () => {
    expect(resolveConfig({ wait: 3 }, {}).config.wait).toBe(3);
  });

  it.each(['500ms', '5s', '2min', '1h', '1d', '250us', '0', '1.5s', ' 5s '])('accepts the duration %j', (value) => {
    expect(resolveConfig({ lockTimeout: value }, {}).config.lockTimeout).toBe(value.trim());
  });

  it.each(['5 seconds', 'soon', '-5s', '5x', '', 's'])('refuses the duration %j, naming the flag', (value) => {
    expect(configError({ statementTimeout: value }, {}).message).toContain('--statement-timeout');
  });

  it('refuses a bad duration in the environment, naming the variable', () => {
    expect(configError({}, { TIDEMARK_LOCK_TIMEOUT: 'forever' }).message).toContain('$TIDEMARK_LOCK_TIMEOUT');
  });

  it.each(['-1', 'abc', '5s', 'Infinity', ' '])('refuses %j seconds for --lock-wait, naming the flag', (value) => {
    expect(configError({ lockWait: value }, {}).message).toContain('--lock-wait');
  });

  it.each(['-1', '1.5', 'two', '', '1e3', '99999999999999999999'])(
    'refuses %j for --retries, naming the flag',
    (value) => {
      expect(configError({ retries: value }, {}).message).toContain('--retries');
    },
  );

  it('reads --retries as a whole number, 0 included', () => {
    expect(resolveConfig({ retries: '0' }, {}).config.retries).toBe(0);
    expect(resolveConfig({ retries: 4 }, {}).config.retries).toBe(4);
  });

  it('refuses bad seconds in the environment, naming the variable', () => {
    expect(configError({}, { TIDEMARK_WAIT: 'ten' }).message).toContain('$TIDEMARK_WAIT');
  });

  it('refuses an empty flag value, naming the flag', () => {
    expect(configError({ url: '' }, { DATABASE_URL: 'postgres://app/db' }).message).toContain('--url');
    expect(configError({ schema: '  ' }, {}).message).toContain('--schema');
  });

  it('reports errors as exit-2 configuration errors', () => {
    expect(configError({ wait: 'x' }, {})).toMatchObject({ code: 'config', exitCode: 2 });
  });
});

describe('SETTINGS', () => {
  it('names a flag for every setting, and an environment variable for each', () => {
    for (const setting of Object.values(SETTINGS)) {
      expect(setting.flag).toMatch(/^--[a-z-]+$/);
      expect(setting.env.length).toBeGreaterThan(0);
    }
  });
});
