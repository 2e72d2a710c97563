/**
 * libpq `key=value` connection strings (`host=db port=5432 dbname=app`), which
 * pg's connectionString does not read, mapped to a pg ClientConfig.
 */
import type { ClientConfig } from 'pg';
import { checkPort, isKeyValueDsn, keyValuePairs } from '../conninfo';
import { ConfigError } from '../errors';

export { isKeyValueDsn };

/**
 * Parses a libpq key/value string.
 * @throws ConfigError naming the key that tidemark does not understand, or a port that is not 1..65535.
 */
export function parseKeyValueDsn(text: string): ClientConfig {
  const config: Record<string, unknown> = {};
  const { pairs, rest } = keyValuePairs(text);
  for (const [key, value] of pairs) {
    switch (key) {
      case 'host': case 'hostaddr': config.host = value; break;
      case 'port': if (value.trim() !== '') config.port = checkPort(value, '--url'); break;
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
  if (rest.trim() !== '') throw new ConfigError('--url: cannot read the connection string after its last key=value pair; quote values with spaces in single quotes.');
  return config as ClientConfig;
}
