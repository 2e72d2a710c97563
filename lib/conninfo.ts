/**
 * What a connection string says, read before anything connects and the way
 * libpq reads it: a `postgres://` / `postgresql://` URL or a `key=value`
 * string, to libpq keywords, every value checked. Anything else is refused
 * without being quoted: a string that is neither may still hold a password
 * (`postgres:/u:PW@host`), and pg would have sent it to the server as a
 * database name. Pure: no driver, no environment.
 */
import { parseUrl } from './conninfo-url';
import { ConfigError } from './errors';

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

/** True for a libpq key/value string rather than a URL. */
export function isKeyValueDsn(text: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:\/\//i.test(text) && /^\s*[a-z_]+\s*=/i.test(text);
}

const PAIR = /\s*([a-z_]+)\s*=\s*('(?:[^'\\]|\\.)*'|(?:[^\s'\\]|\\.)*)/iy;

function unquote(value: string): string {
  return (value.startsWith("'") ? value.slice(1, -1) : value).replace(/\\(.)/g, '$1');
}

/** The pairs of a key/value string, values unquoted, and whatever follows the last pair that could be read. */
export function keyValuePairs(text: string): { pairs: [key: string, value: string][]; rest: string } {
  const pairs: [string, string][] = [];
  const pattern = new RegExp(PAIR.source, PAIR.flags);
  let match: RegExpExecArray | null;
  let end = 0;
  while ((match = pattern.exec(text)) !== null && match[0] !== '') {
    end = pattern.lastIndex;
    pairs.push([match[1], unquote(match[2])]);
  }
  return { pairs, rest: text.slice(end) };
}

function parseKeyValue(text: string, origin: string): ConnParams {
  const params: ConnParams = {};
  const { pairs, rest } = keyValuePairs(text);
  for (const [key, value] of pairs) {
    if (!storeSetting(params, key, value, origin)) {
      throw new ConfigError(
        `${origin}: "${key}" is not a libpq connection setting (host, port, dbname, user, password, sslmode, service, …); nothing was sent to the database.`,
      );
    }
  }
  if (rest.trim() !== '') {
    throw new ConfigError(
      `${origin}: cannot read the connection string after its last key=value pair; quote values with spaces in single quotes. Nothing was sent to the database.`,
    );
  }
  return params;
}

/** What a connection string sets, and the URL query parameters that are not libpq settings (ignored, as pg ignores them). */
export interface ConnString {
  readonly params: ConnParams;
  readonly ignored: readonly string[];
}

/**
 * Reads a connection string: a `postgres://` or `postgresql://` URL (also
 * pg's `socket:` form), or a libpq `key=value` string.
 * @param origin how the user gave it: `--url`, `$DATABASE_URL`, `url in tidemark.config.json`.
 * @throws ConfigError (exit 2) for anything else, an unknown key, a bad
 *   value or port; the string itself is never quoted.
 */
export function parseConnectionString(text: string, origin: string): ConnString {
  const trimmed = text.trim();
  if (/^(postgres(ql)?:\/\/|socket:)/i.test(trimmed)) return parseUrl(trimmed, origin);
  if (isKeyValueDsn(trimmed)) return { params: parseKeyValue(trimmed, origin), ignored: [] };
  throw new ConfigError(
    `${origin} is neither a postgres:// URL nor a key=value connection string${malformedHint(trimmed)}. ` +
      'Write it as postgres://user@host:port/database (a password goes after the user name, as user:password, with any @ / : ? in it percent-encoded) or as host=HOST port=PORT dbname=DATABASE user=USER. ' +
      'It was not used, and nothing was sent to the database.',
  );
}

/** What is wrong with a string that is neither a URL nor key=value, without quoting a byte of it beyond its scheme. */
function malformedHint(text: string): string {
  if (/^postgres(ql)?:(?!\/\/)/i.test(text)) return ': the scheme must be followed by "//" (postgres://…)';
  if (/^postgres(ql)?\/\//i.test(text)) return ': a ":" is missing after the scheme (postgres://…)';
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (scheme) return `: the scheme "${scheme[1]}" is not postgres or postgresql`;
  if (text.includes('@')) return ': it has no scheme; start it with postgres://';
  return '';
}

/**
 * Checks every port a connection string sets (in a URL, after each host and
 * in a `port` query parameter; in key=value, `port=`), with the rest of it.
 * @returns whether the string sets a port at all (else PGPORT or 5432 applies).
 * @throws ConfigError as parseConnectionString does.
 */
export function checkPorts(text: string, origin: string): boolean {
  return parseConnectionString(text, origin).params.port !== undefined;
}
