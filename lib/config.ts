/**
 * Configuration: flags > TIDEMARK_* variables > DATABASE_URL / libpq PG*
 * variables > config file (environment section, then top level) > defaults
 * → Config, with where each value came from. Pure: the environment and the
 * config file's parsed content are passed in (`config-file.ts` reads it).
 */
import {
  checkConfigFile,
  type CheckedConfigFile,
  type ConfigFile,
  type FileLayer,
  type FileValue,
} from './config-schema';
import { parseConnectionString } from './conninfo';
import { ConfigError } from './errors';

export type { ConfigFile } from './config-schema';

export interface Config {
  /** Migrations directory. */
  readonly dir: string;
  /** Connection URL or DSN; undefined = libpq PG* variables and defaults. */
  readonly url?: string;
  readonly schema: string;
  readonly table: string;
  /** Environment name, recorded in the ledger; also picks the config file's section. */
  readonly environment: string;
  /** Seconds to wait for another run's lock. */
  readonly lockWait: number;
  /** Seconds to retry an unreachable server. */
  readonly wait: number;
  /** PostgreSQL durations set with SET LOCAL for every migration. */
  readonly lockTimeout?: string;
  readonly statementTimeout?: string;
  /** How many times a migration that failed on lock_timeout is tried again. */
  readonly retries: number;
}

export type ConfigKey = keyof Config;
export type ConfigSource = 'flag' | 'env' | 'file' | 'default';

/** Where one setting's value came from. */
export interface SettingSource {
  readonly source: ConfigSource;
  /** The flag (`--url`), the variable(s) (`DATABASE_URL`; `PGHOST, PGPORT`) or the config file. */
  readonly name?: string;
  /** In a config file: the key path, e.g. `environments.production.url`. */
  readonly key?: string;
  /** In a config file: the variable a `{"env": "…"}` value was read from. */
  readonly variable?: string;
}

export interface Setting {
  readonly flag: string;
  readonly env: readonly string[];
  readonly parse: (raw: string, origin: string) => Config[ConfigKey];
  /** The JSON type of the setting in a config file; absent = not allowed there. */
  readonly json?: 'string' | 'number' | 'url';
  readonly fallback?: Config[ConfigKey];
}

const text = (raw: string, origin: string) => {
  if (raw.trim() === '') throw new ConfigError(`${origin} is empty; give it a value.`);
  return raw;
};

/**
 * A well-formed postgres:// URL or key/value string, every value checked
 * (ports 1..65535, sslmode…). Anything else is refused here, before any
 * command connects: pg would send it to the server as a database name.
 */
const connectionString = (raw: string, origin: string) => {
  parseConnectionString(text(raw, origin), origin);
  return raw;
};

/** PostgreSQL keeps the first 63 bytes of an identifier (NAMEDATALEN - 1) and silently drops the rest. */
export const MAX_IDENTIFIER_BYTES = 63;
/** The audit table is `<table>_audit`: its name must fit too. */
export const AUDIT_SUFFIX = '_audit';

/**
 * A name longer than PostgreSQL keeps would be cut short by the server but
 * not by tidemark: the lock would be keyed on a name the catalog does not
 * hold, two spellings would share one ledger without excluding each other,
 * and a cut `<table>_audit` could land on the ledger itself.
 */
const identifier = (raw: string, origin: string, room = 0) => {
  const bytes = Buffer.byteLength(raw, 'utf8');
  if (bytes + room > MAX_IDENTIFIER_BYTES) {
    const why = room === 0 ? '' : ` and tidemark names its audit table "${raw}${AUDIT_SUFFIX}" (${bytes + room} bytes)`;
    throw new ConfigError(
      `${origin} "${raw}" is ${bytes} bytes long; PostgreSQL cuts names at ${MAX_IDENTIFIER_BYTES} bytes${why}. ` +
        `Use a name of at most ${MAX_IDENTIFIER_BYTES - room} bytes; nothing was sent to the database.`,
    );
  }
  return text(raw, origin);
};

/**
 * PostgreSQL reserves schema names that begin with `pg_` (pg_catalog,
 * pg_toast…) and refuses to create them; information_schema is the SQL
 * standard's view of the catalog. A superuser may still write into either.
 */
const schemaName = (raw: string, origin: string) => {
  if (/^pg_/.test(raw) || raw === 'information_schema') {
    throw new ConfigError(
      `${origin} "${raw}" is a system schema; the ledger cannot go there. Choose a schema of your own (the default is public); nothing was sent to the database.`,
    );
  }
  return identifier(raw, origin);
};

const tableName = (raw: string, origin: string) => identifier(raw, origin, Buffer.byteLength(AUDIT_SUFFIX));

const seconds = (raw: string, origin: string) => {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new ConfigError(`${origin} must be a number of seconds, 0 or more (got "${raw}").`);
  }
  return n;
};

const count = (raw: string, origin: string) => {
  const n = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(n))
    throw new ConfigError(`${origin} must be a whole number, 0 or more (got "${raw}").`);
  return n;
};

const DURATION = /^\s*\d+(\.\d+)?\s*(us|ms|s|min|h|d)?\s*$/;
const duration = (raw: string, origin: string) => {
  if (!DURATION.test(raw)) {
    throw new ConfigError(`${origin} must be a PostgreSQL duration such as 500ms, 5s, 2min or 0 (got "${raw}").`);
  }
  return raw.trim();
};

/** Every setting, its flag, environment variables (first wins), config file type and default. */
export const SETTINGS: Record<ConfigKey, Setting> = {
  dir: { flag: '--dir', env: ['TIDEMARK_DIR'], parse: text, json: 'string', fallback: 'sql' },
  url: { flag: '--url', env: ['TIDEMARK_URL', 'DATABASE_URL'], parse: connectionString, json: 'url' },
  schema: { flag: '--schema', env: ['TIDEMARK_SCHEMA'], parse: schemaName, json: 'string', fallback: 'public' },
  table: {
    flag: '--table',
    env: ['TIDEMARK_TABLE'],
    parse: tableName,
    json: 'string',
    fallback: 'tidemark_migrations',
  },
  environment: { flag: '--env', env: ['TIDEMARK_ENV'], parse: text, fallback: 'development' },
  lockWait: { flag: '--lock-wait', env: ['TIDEMARK_LOCK_WAIT'], parse: seconds, json: 'number', fallback: 60 },
  wait: { flag: '--wait', env: ['TIDEMARK_WAIT'], parse: seconds, json: 'number', fallback: 0 },
  lockTimeout: { flag: '--lock-timeout', env: ['TIDEMARK_LOCK_TIMEOUT'], parse: duration, json: 'string' },
  statementTimeout: {
    flag: '--statement-timeout',
    env: ['TIDEMARK_STATEMENT_TIMEOUT'],
    parse: duration,
    json: 'string',
  },
  retries: { flag: '--retries', env: ['TIDEMARK_RETRIES'], parse: count, json: 'number', fallback: 0 },
};

/**
 * libpq variables that name a server or database. When one is set and no
 * flag or URL variable gives a URL, the connection comes from them, as with
 * `psql`, and the config file's url is not used.
 */
export const LIBPQ_VARIABLES = ['PGHOST', 'PGHOSTADDR', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGSERVICE'] as const;

export type ConfigFlags = { readonly [K in ConfigKey]?: string | number };

export interface ResolvedConfig {
  readonly config: Config;
  /** Where each setting came from, for `tidemark config` and error messages. */
  readonly sources: Readonly<Record<ConfigKey, SettingSource>>;
  /** The config file that was read, and its environment section in use (null: top level only). */
  readonly file: { readonly path: string; readonly section: string | null } | null;
}

interface Resolved {
  readonly value: Config[ConfigKey] | undefined;
  readonly source: SettingSource;
}

const isSet = (env: NodeJS.ProcessEnv, name: string) => env[name] !== undefined && env[name] !== '';

function fromFlagOrEnv(key: ConfigKey, flags: ConfigFlags, env: NodeJS.ProcessEnv): Resolved | undefined {
  const setting = SETTINGS[key];
  const flagValue = flags[key];
  if (flagValue !== undefined)
    return { value: setting.parse(String(flagValue), setting.flag), source: { source: 'flag', name: setting.flag } };
  const envName = setting.env.find((name) => isSet(env, name));
  if (envName !== undefined)
    return { value: setting.parse(env[envName] as string, `$${envName}`), source: { source: 'env', name: envName } };
  if (key !== 'url') return undefined;
  const libpq = LIBPQ_VARIABLES.filter((name) => isSet(env, name));
  return libpq.length > 0 ? { value: undefined, source: { source: 'env', name: libpq.join(', ') } } : undefined;
}

function fromFile(
  key: ConfigKey,
  layers: readonly FileLayer[],
  path: string,
  env: NodeJS.ProcessEnv,
): Resolved | undefined {
  const found: FileValue | undefined = layers.map((layer) => layer[key]).find((v) => v !== undefined);
  if (found === undefined) return undefined;
  const source: SettingSource = {
    source: 'file',
    name: path,
    key: found.key,
    ...(found.variable ? { variable: found.variable } : {}),
  };
  if (found.variable === undefined) return { value: found.value, source };
  if (!isSet(env, found.variable)) {
    throw new ConfigError(
      `${found.key} in ${path} reads the URL from the environment variable ${found.variable}, which is not set. Set it, or pass --url.`,
      { file: path, key: found.key, variable: found.variable },
    );
  }
  return {
    value: SETTINGS[key].parse(env[found.variable] as string, `$${found.variable} (named by ${found.key} in ${path})`),
    source,
  };
}

/** The environment's section of the file, if it has one; an explicitly chosen environment must exist. */
function sectionOf(file: CheckedConfigFile, name: string, chosen: SettingSource): FileLayer | null {
  if (file.environments === null) return null;
  const section = file.environments.get(name);
  if (section !== undefined) return section;
  if (chosen.source === 'default') return null;
  const defined = [...file.environments.keys()];
  throw new ConfigError(
    `${file.path} has no environment "${name}" (chosen by ${chosen.source === 'flag' ? chosen.name : `$${chosen.name}`}). ` +
      (defined.length > 0 ? `It defines: ${defined.join(', ')}.` : 'Its "environments" is empty.'),
    { file: file.path, key: `environments.${name}` },
  );
}

/**
 * Resolves every setting: flags, then TIDEMARK_* variables, then
 * DATABASE_URL / PG* (url only), then the config file's section for the
 * environment, then its top level, then defaults.
 * @param file the config file's path and parsed JSON, if one was read.
 * @throws ConfigError naming the flag, variable, or file and key with a bad
 *   value; an explicitly chosen environment the file does not define; a
 *   `{"env": …}` URL whose variable is not set (only when that URL is used).
 */
export function resolveConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv, file?: ConfigFile): ResolvedConfig {
  const checked = file === undefined ? null : checkConfigFile(file, SETTINGS);
  const environment = fromFlagOrEnv('environment', flags, env) ?? {
    value: SETTINGS.environment.fallback,
    source: { source: 'default' },
  };
  const section = checked === null ? null : sectionOf(checked, environment.value as string, environment.source);
  const layers = checked === null ? [] : [...(section ? [section] : []), checked.top];
  const config: Record<string, unknown> = {};
  const sources: Record<string, SettingSource> = {};
  for (const key of Object.keys(SETTINGS) as ConfigKey[]) {
    const resolved = (key === 'environment' ? environment : fromFlagOrEnv(key, flags, env)) ??
      (checked === null ? undefined : fromFile(key, layers, checked.path, env)) ?? {
        value: SETTINGS[key].fallback,
        source: { source: 'default' },
      };
    if (resolved.value !== undefined) config[key] = resolved.value;
    sources[key] = resolved.source;
  }
  return {
    config: config as unknown as Config,
    sources: sources as Record<ConfigKey, SettingSource>,
    file:
      checked === null
        ? null
        : { path: checked.path, section: section === null ? null : (environment.value as string) },
  };
}
