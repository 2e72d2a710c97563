/** takeSnapshot(): one catalog query per object kind, assembled into a canonical Snapshot. */
import type { Client } from 'pg';
import type { Snapshot, TableName, TypeInfo } from '../../schema';
import { withTransaction } from '../transaction';
import {
  defaultPrivilegesQuery,
  extensionsQuery,
  routinesQuery,
  schemasQuery,
  type TypeRow,
  typesQuery,
} from './queries-other';
import { columnsQuery, sequencesQuery, tablesQuery, viewsQuery } from './queries-relations';
import { constraintsQuery, indexesQuery, policiesQuery, triggersQuery } from './queries-table-parts';
import type { CatalogQuery } from './sql';

export interface SnapshotOptions {
  /** Tables left out, with their columns, constraints, indexes, triggers, policies and owned sequences. */
  readonly ignoreTables: readonly TableName[];
}

/**
 * Describes the schema of the database `client` is connected to.
 *
 * Runs about a dozen catalog queries (one per object kind, however many
 * objects there are) inside one `REPEATABLE READ READ ONLY` transaction, so
 * they all see the same state, with `search_path` set to empty for that
 * transaction so that every deparsed expression names its schema. The
 * client must not be inside a transaction already. Objects that belong to an
 * extension are left out (the extension itself is listed), as is everything
 * in `pg_catalog`, `information_schema`, `pg_toast` and temporary schemas.
 *
 * @throws the `pg` error of a failing catalog query, after rolling back.
 */
export async function takeSnapshot(client: Client, options: SnapshotOptions): Promise<Snapshot> {
  return withTransaction(
    client,
    async () => {
      // Qualified: this call runs under the session's search_path, before it is emptied.
      await client.query("SELECT pg_catalog.set_config('search_path', '', true)");
      return readCatalog(client, options.ignoreTables);
    },
    { isolation: 'REPEATABLE READ', readOnly: true },
  );
}

/** Every catalog query, by the Snapshot field its rows go to. */
function catalogQueries(serverVersion: number) {
  return {
    schemas: schemasQuery,
    extensions: extensionsQuery,
    types: typesQuery,
    tables: tablesQuery,
    columns: columnsQuery,
    constraints: constraintsQuery,
    indexes: indexesQuery,
    views: viewsQuery,
    sequences: sequencesQuery,
    routines: routinesQuery(serverVersion),
    triggers: triggersQuery,
    policies: policiesQuery,
    defaultPrivileges: defaultPrivilegesQuery,
  };
}

type RowsOf<Q> = { [K in keyof Q]: Q[K] extends CatalogQuery<infer Row> ? Row[] : never };

/** Runs the queries one after another: a pg.Client runs one query at a time anyway. */
async function readAll<Q extends Record<string, CatalogQuery<unknown>>>(
  client: Client,
  queries: Q,
  ignore: readonly TableName[],
): Promise<RowsOf<Q>> {
  const params = [ignore.map((t) => t.schema), ignore.map((t) => t.table)];
  const rows: Record<string, unknown[]> = {};
  for (const [field, query] of Object.entries(queries)) {
    rows[field] = (await client.query(query.sql, query.filtersIgnored ? params : [])).rows;
  }
  return rows as RowsOf<Q>;
}

async function readCatalog(client: Client, ignore: readonly TableName[]): Promise<Snapshot> {
  const version = await client.query<{ v: number }>(
    "SELECT pg_catalog.current_setting('server_version_num')::integer AS v",
  );
  const rows = await readAll(client, catalogQueries(version.rows[0].v), ignore);
  const named = (row: { schema: string; name: string }) => [row.schema, row.name];
  const onTable = (row: { schema: string; table: string; name: string }) => [row.schema, row.table, row.name];
  return {
    formatVersion: 1,
    schemas: sortBy(rows.schemas, (s) => [s.name]),
    extensions: sortBy(rows.extensions, (e) => [e.name]),
    types: sortBy(rows.types.map(typeInfo), named),
    tables: sortBy(rows.tables, named),
    columns: sortBy(rows.columns, (c) => [c.schema, c.table, c.position]),
    constraints: sortBy(rows.constraints, onTable),
    indexes: sortBy(rows.indexes, named),
    views: sortBy(rows.views, named),
    sequences: sortBy(rows.sequences, named),
    routines: sortBy(rows.routines, (r) => [r.schema, r.name, r.argumentTypes]),
    triggers: sortBy(rows.triggers, onTable),
    policies: sortBy(rows.policies, onTable),
    defaultPrivileges: sortBy(rows.defaultPrivileges, (d) => [d.role, d.schema ?? '', d.objectType]),
  };
}

/** Keeps only the fields of the type's kind (the query returns them all, mostly null). */
function typeInfo(row: TypeRow): TypeInfo {
  const { schema, name, owner, grants, comment } = row;
  const base = { schema, name, owner, grants, comment };
  switch (row.kind) {
    case 'enum':
      return { ...base, kind: 'enum', labels: row.labels ?? [] };
    case 'domain':
      return {
        ...base,
        kind: 'domain',
        baseType: row.baseType ?? '',
        notNull: row.notNull ?? false,
        default: row.default,
        constraints: row.constraints ?? [],
      };
    case 'range':
      return { ...base, kind: 'range', subtype: row.subtype ?? '' };
    case 'composite':
      return { ...base, kind: 'composite', attributes: row.attributes ?? [] };
  }
}

/**
 * Sorts by a tuple of keys, comparing strings by UTF-16 code units and
 * numbers numerically: independent of locale and of the database collation.
 */
function sortBy<T>(rows: T[], key: (row: T) => readonly (string | number)[]): T[] {
  const keyed = rows.map((row) => ({ row, key: key(row) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < a.key.length; i++) {
      if (a.key[i] < b.key[i]) return -1;
      if (a.key[i] > b.key[i]) return 1;
    }
    return 0;
  });
  return keyed.map((k) => k.row);
}
