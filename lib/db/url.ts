/**
 * Connection URLs, read the way `pg` reads them: which database a URL names,
 * and the same URL naming another database (tidemark test connects to the
 * server of the URL, then to a throwaway database on it). Pure.
 */
import { ConfigError } from '../errors';

const SCHEMES = new Set(['postgres:', 'postgresql:', 'socket:']);

// pg-connection-string percent-encodes a string with spaces or stray `%`
// before parsing it (a password may hold either); do the same so both read
// the same user, password and host.
const NEEDS_ENCODING = / |%[^a-f0-9]|%[a-f0-9][^a-f0-9]/i;

function parse(url: string): URL {
  let parsed: URL | null = null;
  try {
    parsed = new URL(NEEDS_ENCODING.test(url) ? encodeURI(url).replace(/%25(\d\d)/g, '%$1') : url);
  } catch {
    parsed = null;
  }
  // The URL itself is never quoted: it may hold a password.
  if (parsed === null || !SCHEMES.has(parsed.protocol)) {
    throw new ConfigError('The connection URL is not a postgres:// (or postgresql://, socket:) URL; tidemark test needs one to reach the server\'s other databases. Use a URL, or the PG* variables without --url.');
  }
  return parsed;
}

/** The database `url` names, or null when it names none (`postgres://host`). */
export function urlDatabase(url: string): string | null {
  const parsed = parse(url);
  if (parsed.protocol === 'socket:') return parsed.searchParams.get('db');
  const name = parsed.pathname.slice(1);
  return name === '' ? null : decodeURI(name);
}

/**
 * `url` naming `database` instead: user, password, host, port and query
 * parameters unchanged.
 * @throws ConfigError when `url` is not a postgres://, postgresql:// or socket: URL.
 */
export function withDatabase(url: string, database: string): string {
  const parsed = parse(url);
  if (parsed.protocol === 'socket:') parsed.searchParams.set('db', database);
  else parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}
