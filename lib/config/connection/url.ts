/**
 * Connection URLs, read as libpq reads them:
 * `postgres[ql]://[user[:password]@][host][:port][,host[:port]…][/dbname][?key=value&…]`,
 * and pg's `socket:/dir?db=name`. Where libpq and pg disagree on a URL that
 * only one of them accepts, the reading that loses no password wins: the
 * user info runs to the last `@` of the authority (pg), so `p@ss` works
 * unencoded, and `#` is an ordinary character (libpq), not a fragment.
 * Pure.
 */
import { checkPort, storeSetting, type ConnParams, type ConnString } from './keywords';
import { ConfigError } from '../../errors';

/** Decodes %XX sequences; a `%` not followed by two hex digits stays as it is (pg encodes it first). */
export function decodeLenient(text: string): string {
  return text.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/** `host:port`, `[v6]:port`, `host` or `:port`; the port is checked. */
function hostAndPort(entry: string): [host: string, port: string] {
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(entry);
  if (bracketed) return [bracketed[1], bracketed[2] ?? ''];
  const colon = entry.indexOf(':');
  return colon < 0 ? [entry, ''] : [entry.slice(0, colon), entry.slice(colon + 1)];
}

/**
 * The user info and host list of the authority.
 * @param echo whether a bad port may be quoted (not when it could be a piece of a password).
 */
function readAuthority(authority: string, params: ConnParams, origin: string, echo = true): void {
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const info = authority.slice(0, at);
    const colon = info.indexOf(':');
    const user = decodeLenient(colon < 0 ? info : info.slice(0, colon));
    if (user !== '') params.user = user;
    if (colon >= 0) params.password = decodeLenient(info.slice(colon + 1));
  }
  const entries = authority
    .slice(at + 1)
    .split(',')
    .map(hostAndPort);
  for (const [, port] of entries) if (port !== '') checkPort(decodeLenient(port), origin, echo);
  if (entries.some(([host]) => host !== '')) params.host = entries.map(([host]) => decodeLenient(host)).join(',');
  if (entries.some(([, port]) => port !== '')) params.port = entries.map(([, port]) => decodeLenient(port)).join(',');
}

/** The query's key=value pairs: libpq keywords are stored, any other key is returned as ignored. */
function readQuery(query: string, params: ConnParams, origin: string): string[] {
  const ignored: string[] = [];
  for (const part of query.split('&').filter((p) => p !== '')) {
    const eq = part.indexOf('=');
    if (eq < 0)
      throw new ConfigError(
        `${origin}: the query parameter ${JSON.stringify(decodeLenient(part).slice(0, 40))} has no "=value"; nothing was sent to the database.`,
      );
    const key = decodeLenient(part.slice(0, eq));
    const value = decodeLenient(part.slice(eq + 1));
    // JDBC's ssl=true, which libpq also reads as sslmode=require; pg reads ssl=0 as no SSL.
    if (key === 'ssl') storeSetting(params, 'sslmode', /^(true|1)$/.test(value) ? 'require' : 'disable', origin);
    else if (!storeSetting(params, key, value, origin)) ignored.push(key);
  }
  return ignored;
}

/** pg's `socket:/path/to/dir?db=name&encoding=…`. */
function parseSocketUrl(text: string, origin: string): ConnString {
  const match = /^socket:(?:\/\/([^/]*))?([^?]*)(?:\?(.*))?$/is.exec(text);
  const params: ConnParams = {};
  if (match === null || match[2] === '')
    throw new ConfigError(
      `${origin}: a socket: URL names the socket directory, as socket:/var/run/postgresql?db=NAME; nothing was sent to the database.`,
    );
  if (match[1]) readAuthority(`${match[1]}@`, params, origin);
  delete params.host;
  params.host = decodeLenient(match[2]);
  const query = (match[3] ?? '').replace(/(^|&)db=/, '$1dbname=').replace(/(^|&)encoding=/, '$1client_encoding=');
  return { params, ignored: readQuery(query, params, origin) };
}

/**
 * Reads a `postgres://` or `postgresql://` URL (or pg's `socket:` form).
 * @throws ConfigError for a bad port, value or query parameter, and for an
 *   `@` after the authority: a password holding an unencoded `/` or `?`
 *   ended it early, and what follows would be sent as a database name.
 */
export function parseUrl(text: string, origin: string): ConnString {
  if (/^socket:/i.test(text)) return parseSocketUrl(text, origin);
  const match = /^postgres(?:ql)?:\/\/([^/?]*)(?:\/([^?]*))?(?:\?(.*))?$/is.exec(text) as RegExpExecArray;
  const [, authority, path = '', query = ''] = match;
  const params: ConnParams = {};
  const early = path.includes('@') || query.includes('@');
  readAuthority(authority, params, origin, !early);
  if (early) {
    throw new ConfigError(
      `${origin}: no valid URL can be read from it: an "@" follows the host part. If the user name or password holds / ? or @, percent-encode them (%2F, %3F, %40). Nothing was sent to the database.`,
    );
  }
  if (path !== '') params.dbname = decodeLenient(path);
  return { params, ignored: readQuery(query, params, origin) };
}
