/**
 * THE table of settings: for each, its flag, environment variables, type in
 * the config file (where its key is the setting's own name), default,
 * parser, help text and the commands that take it. The CLI's flags, the
 * config file's schema and resolution are all read from here, so a new
 * setting is one entry in SETTINGS and one field in Config.
 */
import type { LockMode } from '../lint/locks';
import {
  connectionString,
  count,
  duration,
  lockMode,
  majorVersion,
  schemaName,
  seconds,
  tableName,
  text,
} from './parsers';

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
  /**
   * The PostgreSQL major version `lint` checks for; undefined = the
   * server's when connected, else {@link DEFAULT_PG_VERSION}.
   */
  readonly pgVersion?: number;
  /** `test --locks`' budget: the strongest lock a migration may take on an existing relation. */
  readonly maxLock?: LockMode;
  /** `test --locks`' budget: the longest an ACCESS EXCLUSIVE lock on an existing relation may be held, ms. */
  readonly maxLockMs?: number;
}

/** The major version `lint` assumes with no database and no `--pg-version`. */
export const DEFAULT_PG_VERSION = 17;

export type ConfigKey = keyof Config;

/**
 * How a config file may give a setting: `string`, `number` (without
 * quotes), `path` (a string; relative to the file), `duration` (a string
 * such as "5s"), `url` (a string, or `{"env": "VARIABLE"}` read when used).
 */
export type FileType = 'string' | 'number' | 'path' | 'duration' | 'url';

/** A flag as `--help` shows it. */
export interface FlagHelp {
  /** The flag, as messages name it: `--lock-wait`. */
  readonly flag: string;
  /** The environment variables that set it, first wins. */
  readonly env: readonly string[];
  /** What it is; `--help` adds the variables and the default. */
  readonly describe: string;
  /** Said after the variables in `--help`, e.g. `else PG* variables`. */
  readonly envNote?: string;
}

export interface Setting extends FlagHelp {
  /** Reads a flag's, a variable's or the file's value. @throws ConfigError naming `origin`. */
  readonly parse: (raw: string, origin: string) => Config[ConfigKey];
  /** Its type in a config file; absent = not allowed there. */
  readonly json?: FileType;
  readonly fallback?: Config[ConfigKey];
  /** The commands whose flag it is: every command, or these (by name). */
  readonly commands: 'every' | readonly string[];
}

// `config` takes every setting, to show what the other commands would use.
/** The commands that take the migration lock. */
const LOCKING = ['apply', 'rollback', 'repair', 'baseline', 'adopt', 'config'];
/** The commands that run migrations. */
const MIGRATING = ['apply', 'rollback', 'test', 'config'];

/** Every setting; `--help` lists them in this order. */
export const SETTINGS: { readonly [K in ConfigKey]: Setting } = {
  dir: {
    flag: '--dir',
    env: ['TIDEMARK_DIR'],
    parse: text,
    json: 'path',
    fallback: 'sql',
    commands: 'every',
    describe: 'Migrations directory, scanned recursively',
  },
  url: {
    flag: '--url',
    env: ['TIDEMARK_URL', 'DATABASE_URL'],
    envNote: 'else PG* variables',
    parse: connectionString,
    json: 'url',
    commands: 'every',
    describe: 'postgres:// URL or libpq DSN',
  },
  schema: {
    flag: '--schema',
    env: ['TIDEMARK_SCHEMA'],
    parse: schemaName,
    json: 'string',
    fallback: 'public',
    commands: 'every',
    describe: 'Schema of the ledger table',
  },
  table: {
    flag: '--table',
    env: ['TIDEMARK_TABLE'],
    parse: tableName,
    json: 'string',
    fallback: 'tidemark_migrations',
    commands: 'every',
    describe: 'Name of the ledger table',
  },
  environment: {
    flag: '--env',
    env: ['TIDEMARK_ENV'],
    parse: text,
    fallback: 'development',
    commands: 'every',
    describe: "Environment: recorded in the ledger, and picks the config file's section",
  },
  lockWait: {
    flag: '--lock-wait',
    env: ['TIDEMARK_LOCK_WAIT'],
    parse: seconds,
    json: 'number',
    fallback: 60,
    commands: LOCKING,
    describe: "Seconds to wait for another run's lock before exit 4",
  },
  wait: {
    flag: '--wait',
    env: ['TIDEMARK_WAIT'],
    parse: seconds,
    json: 'number',
    fallback: 0,
    commands: 'every',
    describe: 'Seconds to keep retrying an unreachable server',
  },
  lockTimeout: {
    flag: '--lock-timeout',
    env: ['TIDEMARK_LOCK_TIMEOUT'],
    parse: duration,
    json: 'duration',
    // lint: a lock_timeout the runner sets satisfies the rule that asks for one.
    commands: [...MIGRATING, 'lint'],
    describe: 'SET LOCAL lock_timeout for every migration, e.g. 5s',
  },
  statementTimeout: {
    flag: '--statement-timeout',
    env: ['TIDEMARK_STATEMENT_TIMEOUT'],
    parse: duration,
    json: 'duration',
    commands: MIGRATING,
    describe: 'SET LOCAL statement_timeout for every migration, e.g. 5min',
  },
  retries: {
    flag: '--retries',
    env: ['TIDEMARK_RETRIES'],
    parse: count,
    json: 'number',
    fallback: 0,
    commands: ['apply', 'rollback', 'config'],
    describe: 'Retry a migration that hit lock_timeout (SQLSTATE 55P03) up to N times, with jittered backoff',
  },
  pgVersion: {
    flag: '--pg-version',
    env: ['TIDEMARK_PG_VERSION'],
    parse: majorVersion,
    json: 'number',
    commands: ['lint', 'verify', 'config', 'status', 'apply', 'rollback', 'repair', 'baseline', 'test'],
    describe: `PostgreSQL major version lint checks for (default: the server's when connected, else ${DEFAULT_PG_VERSION}); with --url embedded, also the embedded server's major when more than one is installed`,
  },
  maxLock: {
    flag: '--max-lock',
    env: ['TIDEMARK_MAX_LOCK'],
    parse: lockMode,
    json: 'string',
    commands: ['test', 'config'],
    describe:
      'test --locks budget: the strongest lock mode a migration may hold on an existing relation, e.g. "SHARE UPDATE EXCLUSIVE" (exit 6 beyond it; implies --locks)',
  },
  maxLockMs: {
    flag: '--max-lock-ms',
    env: ['TIDEMARK_MAX_LOCK_MS'],
    parse: count,
    json: 'number',
    commands: ['test', 'config'],
    describe:
      'test --locks budget: the longest a migration may hold ACCESS EXCLUSIVE on an existing relation, ms (exit 6 beyond it; implies --locks)',
  },
};

/**
 * The flag that names the config file, which is read before the settings
 * are resolved (file-reader.ts). Every command takes it; `--help` shows it
 * after `--env`, which picks the file's section.
 */
export const CONFIG_FILE = {
  flag: '--config',
  env: ['TIDEMARK_CONFIG'],
  describe: 'Config file',
  /** Read from the current directory when present and no other file is named. */
  fallback: 'tidemark.config.json',
  fallbackNote: 'if present',
} as const;

/**
 * libpq variables that name a server or database. When one is set and no
 * flag or URL variable gives a URL, the connection comes from them, as with
 * `psql`, and the config file's url is not used.
 */
export const LIBPQ_VARIABLES = ['PGHOST', 'PGHOSTADDR', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGSERVICE'] as const;
