/**
 * libpq `key=value` connection strings (`host=db port=5432 dbname=app`), which
 * pg's connectionString does not read, mapped to a pg ClientConfig.
 */
import type { ClientConfig } from 'pg';
import { ConfigError } from '../errors';

const PAIR = /\s*([a-z_]+)\s*=\s*('(?:[^'\\]|\\.)*'|[^\s']*)/gy;

/** True for a libpq key/value string rather than a URL. */
export function isKeyValueDsn(text: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:\/\//i.test(text) && /^\s*[a-z_]+\s*=/.test(text);
}

function unquote(value: string): string {
  return value.startsWith("'") ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value;
}

/**
 * Parses a libpq key/value string.
 * @throws ConfigError naming the key that tidemark does not understand.
 */
export function parseKeyValueDsn(text: string): ClientConfig {
  const config: Record<string, unknown> = {};
  PAIR.lastIndex = 0;
  let match: RegExpExecArray | null;
  let end = 0;
  while ((match = PAIR.exec(text)) !== null && match[0] !== '') {
    end = PAIR.lastIndex;
    const [, key, raw] = match;
    const value = unquote(raw);
    switch (key) {
      case 'host': case 'hostaddr': config.host = value; break;
      case 'port': config.port = Number(value); break;
      case 'dbname': config.database = value; break;
      case 'user': config.user = value; break;
      case 'password': config.password = value; break;
      case 'application_name': config.application_name = value; break;
      case 'options': config.options = value; break;
      case 'connect_timeout': config.connectionTimeoutMillis = Number(value) * 1000; break;
      case 'sslmode': config.ssl = value === 'disable' || value === 'allow' ? false : value === 'verify-full' || value === 'verify-ca' ? true : { rejectUnauthorized: false }; break;
      default: throw new ConfigError(`--url: the connection string key "${key}" is not supported; use host, hostaddr, port, dbname, user, password, sslmode, application_name, options or connect_timeout.`);
    }
  }
  if (text.slice(end).trim() !== '') throw new ConfigError('--url: cannot read the connection string after its last key=value pair; quote values with spaces in single quotes.');
  return config as ClientConfig;
}
