/**
 * The libpq connection keywords tidemark reads, the ones it accepts and
 * ignores, and the checks of their values, shared by connection strings,
 * service files and PG* variables. Pure.
 */
import { ConfigError } from '../../errors';

/** The libpq keywords tidemark honours, and the variable libpq falls back to for each (null: none). */
export const KEYWORDS = {
  host: 'PGHOST',
  hostaddr: 'PGHOSTADDR',
  port: 'PGPORT',
  dbname: 'PGDATABASE',
  user: 'PGUSER',
  password: 'PGPASSWORD',
  service: 'PGSERVICE',
  servicefile: 'PGSERVICEFILE',
  options: 'PGOPTIONS',
  application_name: 'PGAPPNAME',
  fallback_application_name: null,
  connect_timeout: 'PGCONNECT_TIMEOUT',
  client_encoding: 'PGCLIENTENCODING',
  sslmode: 'PGSSLMODE',
  sslrootcert: 'PGSSLROOTCERT',
  sslcert: 'PGSSLCERT',
  sslkey: 'PGSSLKEY',
  sslnegotiation: 'PGSSLNEGOTIATION',
  target_session_attrs: 'PGTARGETSESSIONATTRS',
  load_balance_hosts: 'PGLOADBALANCEHOSTS',
  keepalives: null,
  keepalives_idle: null,
} as const;

export type Keyword = keyof typeof KEYWORDS;
export type ConnParams = { -readonly [K in Keyword]?: string };

/**
 * libpq keywords that only tune what pg does not offer (GSSAPI, CRLs, TCP
 * knobs): accepted and ignored, so a service file written for psql still
 * works. A value that would make libpq refuse to connect is refused instead.
 */
const IGNORED: Readonly<Record<string, RegExp | null>> = {
  gssencmode: /^(disable|prefer)$/,
  channel_binding: /^(disable|prefer)$/,
  krbsrvname: null,
  gsslib: null,
  gssdelegation: null,
  sslcompression: null,
  sslsni: null,
  sslcrl: null,
  sslcrldir: null,
  sslcertmode: /^(disable|allow)$/,
  ssl_min_protocol_version: null,
  ssl_max_protocol_version: null,
  keepalives_interval: null,
  keepalives_count: null,
  tcp_user_timeout: null,
  requiressl: null,
};

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export const SESSION_ATTRS = ['any', 'read-write', 'read-only', 'primary', 'standby', 'prefer-standby'] as const;

/** The message's end for every bad port. */
const RANGE = 'is not a valid port (1–65535)';

/** True for a TCP port: digits (blanks around them allowed, as libpq does) from 1 to 65535. */
export function isValidPort(raw: string): boolean {
  return /^\s*\d{1,5}\s*$/.test(raw) && Number(raw) >= 1 && Number(raw) <= 65535;
}

/**
 * Checks the port a connection setting gives.
 * @param origin where it comes from, as the user wrote it: `--url`,
 *   `$DATABASE_URL`, `url in tidemark.config.json`.
 * @param echo whether `raw` may be quoted (false when it could be a piece of a password).
 * @throws ConfigError naming `origin`.
 */
export function checkPort(raw: string, origin: string, echo = true): number {
  if (isValidPort(raw)) return Number(raw);
  if (echo)
    throw new ConfigError(
      `${origin}: port ${JSON.stringify(raw)} ${RANGE}. Fix the port; nothing was sent to the database.`,
    );
  throw new ConfigError(
    `${origin}: no valid port (1–65535) can be read from it. If the user name or password holds / or @, percent-encode them (%2F, %40). Nothing was sent to the database.`,
  );
}

/** Checks the libpq variable PGPORT (each entry of a list). */
export function checkPortVariable(raw: string): void {
  for (const port of raw.split(',')) {
    if (port.trim() !== '' && !isValidPort(port))
      throw new ConfigError(`PGPORT=${raw} ${RANGE}. Fix or unset PGPORT; nothing was sent to the database.`);
  }
}

const oneOf = (values: readonly string[]) => values.join(', ');

/**
 * Checks one setting's value, whatever its source, so that a bad one is
 * refused before anything connects.
 * @param label how to name it: `--url: sslmode "x"`, `PGSSLMODE=x`.
 * @throws ConfigError for a value libpq would refuse (a password is never checked or quoted).
 */
export function checkSetting(keyword: string, value: string, label: string): void {
  const bad = (what: string) => new ConfigError(`${label} ${what}; nothing was sent to the database.`);
  switch (keyword) {
    case 'sslmode':
      if (![...SSL_MODES, 'no-verify'].includes(value)) throw bad(`is not an sslmode (${oneOf(SSL_MODES)})`);
      break;
    case 'target_session_attrs':
      if (!(SESSION_ATTRS as readonly string[]).includes(value))
        throw bad(`is not a target_session_attrs value (${oneOf(SESSION_ATTRS)})`);
      break;
    case 'load_balance_hosts':
      if (value !== 'disable' && value !== 'random') throw bad('is not a load_balance_hosts value (disable, random)');
      break;
    case 'sslnegotiation':
      if (value !== 'postgres' && value !== 'direct') throw bad('is not an sslnegotiation value (postgres, direct)');
      break;
    case 'connect_timeout':
    case 'keepalives':
    case 'keepalives_idle':
      if (!/^\s*\d+\s*$/.test(value)) throw bad('is not a whole number of seconds');
      break;
    default: {
      const allowed = IGNORED[keyword];
      if (allowed && !allowed.test(value))
        throw bad('cannot be honoured: pg, the driver tidemark uses, does not support it');
    }
  }
}

/** True for a libpq keyword tidemark reads (not one it accepts and ignores). */
export function isKeyword(key: string): key is Keyword {
  return Object.prototype.hasOwnProperty.call(KEYWORDS, key);
}

/**
 * Stores one `key=value` of a connection string or service file in `params`
 * (an empty value sets nothing: the next source or the default applies).
 * @returns false for a key that is not a libpq keyword at all.
 * @throws ConfigError for a bad value, quoting it only when the key is not `password`.
 */
export function storeSetting(params: ConnParams, key: string, value: string, origin: string): boolean {
  const label = key === 'password' ? `${origin}: the password` : `${origin}: ${key} ${JSON.stringify(value)}`;
  if (key === 'port') {
    for (const port of value.split(',')) if (port.trim() !== '') checkPort(port, origin);
  } else {
    checkSetting(key, value, label);
  }
  if (isKeyword(key) && value !== '') params[key] = value;
  return isKeyword(key) || Object.prototype.hasOwnProperty.call(IGNORED, key);
}

/** What a connection string sets, and the URL query parameters that are not libpq settings (ignored, as pg ignores them). */
export interface ConnString {
  readonly params: ConnParams;
  readonly ignored: readonly string[];
}
