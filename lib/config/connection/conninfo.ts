/**
 * What a connection string says, read before anything connects and the way
 * libpq reads it: a `postgres://` / `postgresql://` URL or a `key=value`
 * string, to libpq keywords, every value checked. Anything else is refused
 * without being quoted: a string that is neither may still hold a password
 * (`postgres:/u:PW@host`), and pg would have sent it to the server as a
 * database name. Pure: no driver, no environment.
 */
import { ConfigError } from '../../errors';
import { storeSetting, type ConnParams, type ConnString } from './keywords';
import { parseUrl } from './url';

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
