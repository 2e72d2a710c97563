/**
 * The parsers of setting values, one per kind of value. Each takes the raw
 * text and where it came from (`--table`, `$TIDEMARK_TABLE`, `table in
 * tidemark.config.json`), and returns the value or throws a ConfigError that
 * names that origin. Pure.
 */
import { ConfigError } from '../errors';
import { LOCK_MODES, type LockMode } from '../lint/locks';
import { isDuration } from '../sql/duration';
import { parseConnectionString } from './connection/conninfo';
import { embeddedSpec } from './connection/embedded';

/** Any text but an empty one. */
export const text = (raw: string, origin: string): string => {
  if (raw.trim() === '') throw new ConfigError(`${origin} is empty; give it a value.`);
  return raw;
};

/**
 * A well-formed postgres:// URL or key/value string, every value checked
 * (ports 1..65535, sslmode…). Anything else is refused here, before any
 * command connects: pg would send it to the server as a database name.
 */
export const connectionString = (raw: string, origin: string): string => {
  if (embeddedSpec(text(raw, origin)) !== undefined) return raw;
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
const identifier = (raw: string, origin: string, room = 0): string => {
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
export const schemaName = (raw: string, origin: string): string => {
  if (/^pg_/.test(raw) || raw === 'information_schema') {
    throw new ConfigError(
      `${origin} "${raw}" is a system schema; the ledger cannot go there. Choose a schema of your own (the default is public); nothing was sent to the database.`,
    );
  }
  return identifier(raw, origin);
};

/** The ledger's name, with room for its audit table's suffix. */
export const tableName = (raw: string, origin: string): string =>
  identifier(raw, origin, Buffer.byteLength(AUDIT_SUFFIX));

/** A number of seconds, 0 or more, fractions allowed. */
export const seconds = (raw: string, origin: string): number => {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new ConfigError(`${origin} must be a number of seconds, 0 or more (got "${raw}").`);
  }
  return n;
};

/** A whole number, 0 or more. */
export const count = (raw: string, origin: string): number => {
  const n = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(n))
    throw new ConfigError(`${origin} must be a whole number, 0 or more (got "${raw}").`);
  return n;
};

/** A PostgreSQL duration (`500ms`, `5s`, `2min`, `0`), trimmed. */
export const duration = (raw: string, origin: string): string => {
  if (!isDuration(raw)) {
    throw new ConfigError(`${origin} must be a PostgreSQL duration such as 500ms, 5s, 2min or 0 (got "${raw}").`);
  }
  return raw.trim();
};

/** A PostgreSQL major version: a whole number from 9 (9.x) to 99. */
export const majorVersion = (raw: string, origin: string): number => {
  const n = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || n < 9 || n > 99)
    throw new ConfigError(`${origin} must be a PostgreSQL major version such as 13 or 17 (got "${raw}").`);
  return n;
};

/**
 * A table lock mode, as PostgreSQL names it: case-insensitive, with spaces,
 * underscores or hyphens between the words (`share update exclusive`,
 * `SHARE_UPDATE_EXCLUSIVE`).
 */
export const lockMode = (raw: string, origin: string): LockMode => {
  const words = raw
    .trim()
    .toUpperCase()
    .split(/[\s_-]+/)
    .join(' ');
  const mode = LOCK_MODES.find((m) => m === words);
  if (mode === undefined)
    throw new ConfigError(
      `${origin} must be a lock mode, one of ${LOCK_MODES.map((m) => `"${m}"`).join(', ')} (got "${raw}").`,
    );
  return mode;
};
