/**
 * Flag definitions shared by the commands, and the parsing of version flags.
 */
import type { Options } from 'yargs';
import { ConfigError } from '../errors';
import { parseVersion } from '../source/version';

/** Options every command takes. */
export const GLOBAL_OPTIONS: Record<string, Options> = {
  dir: { type: 'string', describe: 'Migrations directory, scanned recursively [env TIDEMARK_DIR] (default: sql)' },
  url: {
    type: 'string',
    describe: 'postgres:// URL or libpq DSN [env TIDEMARK_URL, DATABASE_URL, else PG* variables]',
  },
  schema: { type: 'string', describe: 'Schema of the ledger table [env TIDEMARK_SCHEMA] (default: public)' },
  table: { type: 'string', describe: 'Name of the ledger table [env TIDEMARK_TABLE] (default: tidemark_migrations)' },
  env: {
    type: 'string',
    describe:
      "Environment: recorded in the ledger, and picks the config file's section [env TIDEMARK_ENV] (default: development)",
  },
  config: { type: 'string', describe: 'Config file [env TIDEMARK_CONFIG] (default: tidemark.config.json if present)' },
  wait: { type: 'string', describe: 'Seconds to keep retrying an unreachable server [env TIDEMARK_WAIT] (default: 0)' },
  'log-format': { choices: ['human', 'json'], describe: 'human lines, or one JSON object per line', default: 'human' },
  verbose: { type: 'boolean', describe: 'Also log debug lines' },
  quiet: { type: 'boolean', describe: 'Log warnings and errors only' },
};

/** Options of the commands that write (apply, rollback). */
export const WRITE_OPTIONS: Record<string, Options> = {
  'dry-run': { type: 'boolean', describe: 'Print the plan; change nothing' },
  sql: {
    type: 'boolean',
    describe: 'With --dry-run: print the SQL the run would send, in order, as a script for psql -v ON_ERROR_STOP=1',
  },
  'out-of-order': { type: 'boolean', describe: 'Allow pending migrations below the highest applied version' },
  resume: {
    type: 'boolean',
    describe: 'First finish the failed or interrupted non-transactional migration, from where it stopped',
  },
  'assume-done': {
    type: 'boolean',
    describe: 'With --resume: the statement in doubt took effect (you checked); resume after it',
  },
  'assume-not-done': {
    type: 'boolean',
    describe: 'With --resume: the statement in doubt did not take effect (you checked); run it again',
  },
  'lock-wait': {
    type: 'string',
    describe: "Seconds to wait for another run's lock before exit 4 [env TIDEMARK_LOCK_WAIT] (default: 60)",
  },
  'lock-timeout': {
    type: 'string',
    describe: 'SET LOCAL lock_timeout for every migration, e.g. 5s [env TIDEMARK_LOCK_TIMEOUT]',
  },
  'statement-timeout': {
    type: 'string',
    describe: 'SET LOCAL statement_timeout for every migration, e.g. 5min [env TIDEMARK_STATEMENT_TIMEOUT]',
  },
  retries: {
    type: 'string',
    describe:
      'Retry a migration that hit lock_timeout (SQLSTATE 55P03) up to N times, with jittered backoff [env TIDEMARK_RETRIES] (default: 0)',
  },
};

/** --assume-done / --assume-not-done: at most one. */
export function parseAssume(args: Record<string, unknown>): 'done' | 'not-done' | undefined {
  const done = args['assume-done'] === true;
  const notDone = args['assume-not-done'] === true;
  if (done && notDone) throw new ConfigError('Give either --assume-done or --assume-not-done, not both.');
  return done ? 'done' : notDone ? 'not-done' : undefined;
}

/**
 * Parses a version flag value.
 * @throws ConfigError unless it is ASCII digits that fit a signed 64-bit integer.
 */
export function parseVersionFlag(flag: string, raw: unknown): bigint | undefined {
  return raw === undefined ? undefined : parseVersion(flag, String(raw));
}

/** Parses a positive whole-number flag. */
export function parseCountFlag(flag: string, raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1)
    throw new ConfigError(`${flag} must be a whole number of 1 or more (got "${raw}").`);
  return n;
}
