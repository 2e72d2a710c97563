/**
 * `--targets-query`: the fleet's targets as rows of a control database
 * (`SELECT name, url, schema, labels FROM tenants`), read on a short-lived
 * connection in a read-only transaction.
 */
import { ConfigError } from '../errors';
import type { Logger } from '../log';
import { withClient, type ConnectionOptions } from './connection';
import { isDatabaseError } from './sql-error';

/**
 * The query's rows, as objects keyed by column name.
 * @throws ConfigError for a query the server refuses (its SQLSTATE and message; exit 2);
 *   ConnectionError when the control database is unreachable (exit 5).
 */
export async function queryTargetRows(
  connection: ConnectionOptions,
  sql: string,
  logger: Logger,
): Promise<Record<string, unknown>[]> {
  return withClient(connection, logger, async (client) => {
    try {
      await client.query('BEGIN READ ONLY');
      const { rows } = await client.query<Record<string, unknown>>(sql);
      await client.query('COMMIT');
      return rows;
    } catch (err) {
      if (!isDatabaseError(err)) throw err;
      throw new ConfigError(`--targets-query failed on the control database: ${err.message} (SQLSTATE ${err.code}).`);
    }
  });
}
