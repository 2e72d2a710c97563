/**
 * What a connection string says, read before anything connects: whether it
 * is a libpq `key=value` string or a URL, its key/value pairs, and the port
 * it sets. Ports are checked here because a bad one (PGPORT=99999) made pg
 * fail in a way that never settled. Pure: no driver, no environment.
 */
import { ConfigError } from './errors';

/** True for a libpq key/value string rather than a URL. */
export function isKeyValueDsn(text: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:\/\//i.test(text) && /^\s*[a-z_]+\s*=/.test(text);
}

const PAIR = /\s*([a-z_]+)\s*=\s*('(?:[^'\\]|\\.)*'|[^\s']*)/gy;

function unquote(value: string): string {
  return value.startsWith("'") ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value;
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
  if (echo) throw new ConfigError(`${origin}: port ${JSON.stringify(raw)} ${RANGE}. Fix the port; nothing was sent to the database.`);
  throw new ConfigError(
    `${origin}: no valid port (1–65535) can be read from it. If the user name or password holds / or @, percent-encode them (%2F, %40). Nothing was sent to the database.`,
  );
}

/** Checks the libpq variable PGPORT, which pg reads when the URL sets no port. */
export function checkPortVariable(raw: string): number {
  if (!isValidPort(raw)) throw new ConfigError(`PGPORT=${raw} ${RANGE}. Fix or unset PGPORT; nothing was sent to the database.`);
  return Number(raw);
}

/**
 * Checks every port a connection string sets: `port=` in a key/value
 * string; in a URL the port after the host and a `port` query parameter
 * (pg lets the latter win).
 * @returns whether the string sets a port at all (else PGPORT or 5432 applies).
 * @throws ConfigError naming `origin` for a port that is not 1..65535.
 */
export function checkPorts(text: string, origin: string): boolean {
  if (isKeyValueDsn(text)) {
    const ports = keyValuePairs(text).pairs.filter(([key, value]) => key === 'port' && value.trim() !== '');
    for (const [, value] of ports) checkPort(value, origin);
    return ports.length > 0;
  }
  const url = /^[a-z][a-z0-9+.-]*:(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?/i.exec(text);
  if (url === null) return false;
  const [, authority = '', rest, query = ''] = url;
  // A password with an unencoded `/` ends the authority early: then what
  // looks like a port may be part of the password, and is never quoted.
  const echo = !rest.includes('@');
  const host = authority.slice(authority.lastIndexOf('@') + 1);
  const port = (host.startsWith('[') ? /^\[[^\]]*\]:(.*)$/ : /^[^:]*:(.*)$/).exec(host)?.[1];
  if (port !== undefined && port !== '') checkPort(port, origin, echo);
  const fromQuery = query.split('&').filter((p) => /^port=/i.test(p)).map((p) => safeDecode(p.slice(5)));
  for (const value of fromQuery) checkPort(value, origin, echo);
  return (port !== undefined && port !== '') || fromQuery.length > 0;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
