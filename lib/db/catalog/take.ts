/** takeSnapshot(): every catalog query in one statement, assembled into a canonical Snapshot. */
import type { Client, QueryResult } from 'pg';
import { BY_NAME, BY_TABLE, type ColumnInfo, type Snapshot, type TableName, type TypeInfo } from '../../schema';
import { corked } from '../pg-internals';
import { beginStatement, rollbackQuietly } from '../transaction';
import { decodeAcl } from './acl';
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
import { type CatalogQuery, scopedSql } from './sql';

export interface SnapshotOptions {
  /** Tables left out, with their columns, constraints, indexes, triggers, policies and owned sequences. */
  readonly ignoreTables: readonly TableName[];
}

/**
 * Describes the schema of the database `client` is connected to.
 *
 * Runs the catalog queries (one per object kind, however many objects there
 * are) as ONE statement that returns them all as a JSON document, prepared
 * once per connection, inside one `REPEATABLE READ READ ONLY` transaction
 * sent in one round trip,
 * with `search_path` set to empty for that transaction so that every
 * deparsed expression names its schema. The client must not be inside a
 * transaction already. Objects that belong to an extension are left out
 * (the extension itself is listed), as is everything in `pg_catalog`,
 * `information_schema`, `pg_toast` and temporary schemas.
 *
 * @throws the `pg` error of a failing catalog query, after rolling back.
 */
export async function takeSnapshot(client: Client, options: SnapshotOptions): Promise<Snapshot> {
  try {
    return await readSnapshot(client, options.ignoreTables);
  } catch (err) {
    // A script ran DISCARD ALL or DEALLOCATE: prepare the statement again, under a new name.
    if ((err as { code?: unknown }).code !== '26000') throw err;
    forgetStatements(client);
    return readSnapshot(client, options.ignoreTables);
  }
}

/** A prepared statement: its name on the connection, and its text. */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

/**
 * The statements of a connection, with their prepared names: the settings,
 * the whole catalog, and its parts for scoped snapshots (scoped.ts): the
 * relation sections restricted to the relations of $3, and the other
 * sections, each a statement of its own so that a snapshot sends only those
 * it needs (a statement's cost grows with its size even where it finds nothing).
 */
export interface CatalogStatements {
  readonly settings: Statement;
  readonly catalog: Statement;
  readonly scoped: {
    readonly relations: Statement;
    /** Schemas, extensions and default privileges: small, read every time. */
    readonly global: Statement;
    readonly types: Statement;
    readonly routines: Statement;
  };
}

/** By connection, so that each prepares them once; forgotten when the server lost them. */
const prepared = new WeakMap<Client, CatalogStatements>();
let statements = 0;

/*
 * Qualified: this runs under the session's search_path, before it is emptied
 * for the transaction. The generic plan: the catalog statement is the same
 * every time, only the ignored tables vary. random_page_cost 1.1: the
 * catalogs are in memory, and at the default 4 the generic plan of a scoped
 * read (a few relations) scans all of pg_class in each section instead of
 * probing its oid index (docs/roundtrip-snapshots.md, "Below 2×").
 */
const SETTINGS = `SELECT pg_catalog.set_config('search_path', '', true),
  pg_catalog.set_config('plan_cache_mode', 'force_generic_plan', true),
  pg_catalog.set_config('random_page_cost', '1.1', true)`;

/** The connection's statements; the server's version (which the catalog SQL depends on) is asked once. */
export async function catalogStatements(client: Client): Promise<CatalogStatements> {
  let known = prepared.get(client);
  if (!known) {
    const { rows } = await client.query<{ v: number }>(
      "SELECT pg_catalog.current_setting('server_version_num')::pg_catalog.int4 AS v",
    );
    const n = ++statements;
    const queries = catalogQueries(rows[0].v);
    const part = (name: string, fields: readonly (keyof Queries)[], scoped = false) => {
      const text = catalogSql(Object.fromEntries(fields.map((f) => [f, queries[f]])));
      return { name: `tidemark_catalog_${name}_${n}`, text: scoped ? scopedSql(text) : text };
    };
    known = {
      settings: { name: `tidemark_catalog_settings_${n}`, text: SETTINGS },
      catalog: part('all', Object.keys(queries) as (keyof Queries)[]),
      scoped: {
        relations: part('relations', RELATION_SECTIONS, true),
        global: part('global', ['schemas', 'extensions', 'defaultPrivileges']),
        types: part('types', ['types']),
        routines: part('routines', ['routines']),
      },
    };
    prepared.set(client, known);
  }
  return known;
}

/**
 * One round trip, whatever the size of the schema: BEGIN, the settings, the
 * catalog and COMMIT are written together (the client is in pg's pipeline
 * mode, each query with its own Sync) and answered together. When one fails
 * the ones after it fail too (the transaction is aborted) and COMMIT ends it
 * as a rollback; the first failure, in sending order, is thrown.
 */
async function readSnapshot(client: Client, ignore: readonly TableName[]): Promise<Snapshot> {
  const { settings, catalog } = await catalogStatements(client);
  const params = [ignore.map((t) => t.schema), ignore.map((t) => t.table)];
  let read: Promise<QueryResult<{ catalog: RawRows }>> | undefined;
  const queries = [
    () => client.query(beginStatement({ isolation: 'REPEATABLE READ', readOnly: true })),
    () => client.query(settings),
    () => (read = client.query<{ catalog: RawRows }>({ ...catalog, values: params })),
    () => client.query('COMMIT'),
  ];
  // A client outside pg's pipeline mode (not one of connection.ts's) takes them one after the other.
  const sent = client.pipeline ? corked(client, () => queries.map((q) => q())) : await inTurn(queries);
  const settled = await Promise.allSettled(sent);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await rollbackQuietly(client);
    throw failed.reason;
  }
  return assemble((await read!).rows[0].catalog);
}

/** Sends each query once the one before it has answered, however it answered. */
async function inTurn(queries: readonly (() => Promise<unknown>)[]): Promise<Promise<unknown>[]> {
  const sent: Promise<unknown>[] = [];
  for (const query of queries) {
    const answer = query();
    sent.push(answer);
    await answer.catch(() => undefined);
  }
  return sent;
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

type Queries = ReturnType<typeof catalogQueries>;

/** The sections of relations and what hangs off them: restricted to some relations in a scoped read. */
export const RELATION_SECTIONS = [...BY_NAME, ...BY_TABLE] as const satisfies readonly (keyof Queries)[];
/** The statement's document as it arrives: ACLs still aclitem texts. */
export type RawRows = Record<string, Record<string, unknown>[]>;
type CatalogRows = { [K in keyof Queries]: Queries[K] extends CatalogQuery<infer Row> ? Row[] : never };

/**
 * One statement: a JSON object with one array of rows per query (a row's
 * fields keep the names and shapes of the query's columns). The ignored
 * tables come as $1 (schemas) and $2 (names), as the relation `ignored_table`.
 */
function catalogSql(queries: Partial<Queries>): string {
  const fields = Object.entries(queries).map(
    ([field, query]) => `'${field}', (SELECT coalesce(json_agg(q), '[]') FROM (${query.sql}) AS q)`,
  );
  return `WITH ignored_table(s, t) AS (SELECT * FROM unnest($1::text[], $2::text[]))
SELECT json_build_object(${fields.join(',\n')}) AS catalog`;
}

/** Forgets the connection's prepared statements (the server lost them: DISCARD ALL, DEALLOCATE). */
export function forgetStatements(client: Client): void {
  prepared.delete(client);
}

/** The rows as a Snapshot: ACLs decoded, types narrowed to their kind, every list sorted. */
export function assemble(raw: RawRows): Snapshot {
  const rows = withGrants(raw);
  const named = (row: { schema: string; name: string }) => [row.schema, row.name];
  const onTable = (row: { schema: string; table: string; name: string }) => [row.schema, row.table, row.name];
  return {
    formatVersion: 1,
    schemas: sortBy(rows.schemas, (s) => [s.name]),
    extensions: sortBy(rows.extensions, (e) => [e.name]),
    types: sortBy(rows.types.map(typeInfo), named),
    tables: sortBy(rows.tables, named),
    columns: ranked(sortBy(rows.columns, (c) => [c.schema, c.table, c.position])),
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

/**
 * Columns sorted by table and attnum, with `position` set to their rank
 * among the table's (live) columns. In place: the rows are this call's own.
 */
function ranked(columns: ColumnInfo[]): ColumnInfo[] {
  let rank = 0;
  columns.forEach((c, i) => {
    const previous = columns[i - 1];
    rank = previous && previous.schema === c.schema && previous.table === c.table ? rank + 1 : 1;
    (c as { position: number }).position = rank;
  });
  return columns;
}

/** The queries return each ACL as aclitem texts (see grants() in sql.ts): decoded here, in place. */
function withGrants(raw: RawRows): CatalogRows {
  for (const rows of Object.values(raw)) {
    for (const row of rows) if ('grants' in row) row.grants = decodeAcl(row.grants as string[] | null);
  }
  return raw as unknown as CatalogRows;
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
export function sortBy<T>(rows: T[], key: (row: T) => readonly (string | number)[]): T[] {
  const keyed = rows.map((row) => ({ row, key: key(row) }));
  keyed.sort((a, b) => compareKeys(a.key, b.key));
  return keyed.map((k) => k.row);
}

/** sortBy's order of two keys. */
export function compareKeys(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] < b[i]) return -1;
    if (a[i] > b[i]) return 1;
  }
  return 0;
}
