/**
 * Configuration: flags > TIDEMARK_* / DATABASE_URL environment variables >
 * defaults → Config. Pure: the environment is passed in.
 */
import { ConfigError } from './errors';

export interface Config {
  /** Migrations directory. */
  readonly dir: string;
  /** Connection URL or DSN; undefined = libpq PG* variables and defaults. */
  readonly url?: string;
  readonly schema: string;
  readonly table: string;
  /** Environment name, recorded in the ledger. */
  readonly environment: string;
  /** Seconds to wait for another run's lock. */
  readonly lockWait: number;
  /** Seconds to retry an unreachable server. */
  readonly wait: number;
  /** PostgreSQL durations set with SET LOCAL for every migration. */
  readonly lockTimeout?: string;
  readonly statementTimeout?: string;
  /** Retries of a migration that failed on lock_timeout (SQLSTATE 55P03). */
  readonly retries: number;
}

export type ConfigKey = keyof Config;
export type ConfigSource = 'flag' | 'env' | 'default';

interface Setting {
  readonly flag: string;
  readonly env: readonly string[];
  readonly parse: (raw: string, origin: string) => Config[ConfigKey];
  readonly fallback?: Config[ConfigKey];
}

const text = (raw: string, origin: string) => {
  if (raw.trim() === '') throw new ConfigError(`${origin} is empty; give it a value.`);
  return raw;
};

const seconds = (raw: string, origin: string) => {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new ConfigError(`${origin} must be a number of seconds, 0 or more (got "${raw}").`);
  }
  return n;
};

const count = (raw: string, origin: string) => {
  if (!/^\s*\d+\s*$/.test(raw)) throw new ConfigError(`${origin} must be a whole number, 0 or more (got "${raw}").`);
  return Number(raw);
};

const DURATION = /^\s*\d+(\.\d+)?\s*(us|ms|s|min|h|d)?\s*$/;
const duration = (raw: string, origin: string) => {
  if (!DURATION.test(raw)) {
    throw new ConfigError(`${origin} must be a PostgreSQL duration such as 500ms, 5s, 2min or 0 (got "${raw}").`);
  }
  return raw.trim();
};

/** Every setting, its flag, environment variables (first wins) and default. */
export const SETTINGS: Record<ConfigKey, Setting> = {
  dir: { flag: '--dir', env: ['TIDEMARK_DIR'], parse: text, fallback: 'sql' },
  url: { flag: '--url', env: ['TIDEMARK_URL', 'DATABASE_URL'], parse: text },
  schema: { flag: '--schema', env: ['TIDEMARK_SCHEMA'], parse: text, fallback: 'public' },
  table: { flag: '--table', env: ['TIDEMARK_TABLE'], parse: text, fallback: 'tidemark_migrations' },
  environment: { flag: '--env', env: ['TIDEMARK_ENV'], parse: text, fallback: 'development' },
  lockWait: { flag: '--lock-wait', env: ['TIDEMARK_LOCK_WAIT'], parse: seconds, fallback: 60 },
  wait: { flag: '--wait', env: ['TIDEMARK_WAIT'], parse: seconds, fallback: 0 },
  lockTimeout: { flag: '--lock-timeout', env: ['TIDEMARK_LOCK_TIMEOUT'], parse: duration },
  statementTimeout: { flag: '--statement-timeout', env: ['TIDEMARK_STATEMENT_TIMEOUT'], parse: duration },
  retries: { flag: '--retries', env: ['TIDEMARK_RETRIES'], parse: count, fallback: 0 },
};

export type ConfigFlags = { readonly [K in ConfigKey]?: string | number };

export interface ResolvedConfig {
  readonly config: Config;
  /** Where each setting came from, for `tidemark config` and error messages. */
  readonly sources: Readonly<Record<ConfigKey, { source: ConfigSource; name?: string }>>;
}

/**
 * Resolves every setting from flags, then the environment, then defaults.
 * @throws ConfigError naming the flag or variable with a bad value.
 */
export function resolveConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv): ResolvedConfig {
  const config: Record<string, unknown> = {};
  const sources: Record<string, { source: ConfigSource; name?: string }> = {};
  for (const [key, setting] of Object.entries(SETTINGS) as [ConfigKey, Setting][]) {
    const flagValue = flags[key];
    const envName = setting.env.find((name) => env[name] !== undefined && env[name] !== '');
    if (flagValue !== undefined) {
      config[key] = setting.parse(String(flagValue), setting.flag);
      sources[key] = { source: 'flag', name: setting.flag };
    } else if (envName !== undefined) {
      config[key] = setting.parse(env[envName] as string, `$${envName}`);
      sources[key] = { source: 'env', name: envName };
    } else if (setting.fallback !== undefined) {
      config[key] = setting.fallback;
      sources[key] = { source: 'default' };
    }
  }
  return { config: config as unknown as Config, sources: sources as ResolvedConfig['sources'] };
}
