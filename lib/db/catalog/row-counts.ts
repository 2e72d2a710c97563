/** rowCounts(): exact row counts of some tables, for comparing data around a migration. */
import { type Client, escapeIdentifier } from 'pg';
import type { RowCount, TableName } from '../../schema';

/**
 * Counts the rows of each table in one query (a `UNION ALL` of `count(*)`),
 * in the order given. Table names are quoted with `escapeIdentifier`: they
 * are identifiers, which cannot travel as parameters. `count` is
 * schema-qualified: this runs under the session's search_path.
 *
 * @throws the `pg` error when a table does not exist (SQLSTATE 42P01).
 */
export async function rowCounts(client: Client, tables: readonly TableName[]): Promise<RowCount[]> {
  if (tables.length === 0) return [];
  const sql = tables
    .map(
      (t, i) =>
        `SELECT ${i} AS i, pg_catalog.count(*) AS n FROM ${escapeIdentifier(t.schema)}.${escapeIdentifier(t.table)}`,
    )
    .join('\nUNION ALL ');
  const { rows } = await client.query<{ i: number; n: string }>(sql);
  const counts = new Map(rows.map((r) => [r.i, Number(r.n)]));
  return tables.map((t, i) => ({ schema: t.schema, table: t.table, rows: counts.get(i) ?? 0 }));
}
