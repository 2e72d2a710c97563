/**
 * SQL fragments shared by the catalog queries. They are constant text built
 * from column names chosen in this module's callers, never from user input;
 * the only values (the ignored tables) travel as parameters of the one
 * statement that runs them all (take.ts), as the relation `ignored_table`.
 */

/**
 * One catalog query and the row type it yields. Rows are already in the
 * snapshot's shape: the SQL decodes catalog codes and sorts every list.
 */
export interface CatalogQuery<Row> {
  readonly sql: string;
  /** Phantom field carrying the row type; never set. */
  readonly row?: Row;
}

/**
 * The schema of the change log `tidemark test` keeps on its throwaway
 * database (scoped.ts): never part of a snapshot.
 */
export const TRACKER_SCHEMA = '_tidemark_rt';

/** The namespace alias `n` is not PostgreSQL's own, another session's temporary one, nor the change log's. */
export function isUserNamespace(n: string): string {
  return `${n}.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', '${TRACKER_SCHEMA}')
    AND ${n}.nspname !~ '^pg_(toast_)?temp_'`;
}

/**
 * Marks where a relation query is restricted to the relations of a scoped
 * snapshot (scoped.ts): an SQL comment in the full statement, replaced by
 * `AND c.oid = ANY($3)` in the scoped one (scopedSql).
 */
const SCOPE_MARK = /\/\*scope (\w+)\*\//g;

/** The scoped variant of a catalog statement: each marked relation among the oids of $3. */
export function scopedSql(sql: string): string {
  return sql.replace(SCOPE_MARK, 'AND $1.oid IN (SELECT pg_catalog.unnest($3::pg_catalog.oid[]))');
}

/** The object `oid` of catalog `catalog` belongs to an extension (`pg_depend` deptype 'e'). */
export function isExtensionMember(catalog: string, oid: string): string {
  return `EXISTS (SELECT 1 FROM pg_depend ext
    WHERE ext.classid = '${catalog}'::regclass AND ext.objid = ${oid} AND ext.deptype = 'e')`;
}

/** `(schema, table)` is one of the ignored tables (the relation `ignored_table(s, t)` defined by take.ts). */
export function isIgnored(schema: string, table: string): string {
  return `(${schema}::text, ${table}::text) IN (SELECT ig.s, ig.t FROM ignored_table ig)`;
}

/**
 * A relation (`c`, in namespace `n`) that belongs in the snapshot: in a user
 * schema, not part of an extension, not an ignored table.
 */
export function isSnapshotRelation(c: string, n: string): string {
  return `${isUserNamespace(n)}
    AND NOT ${isExtensionMember('pg_class', `${c}.oid`)}
    AND NOT ${isIgnored(`${n}.nspname`, `${c}.relname`)} /*scope ${c}*/`;
}

/**
 * The effective privileges of an ACL column, as the text of its aclitems
 * (decoded into sorted grants by decodeAcl in the client). A NULL ACL means
 * "the built-in default", which is spelled out with `fallback` (usually
 * `acldefault(kind, owner)`): after a GRANT and a matching REVOKE the column
 * holds the default explicitly instead of NULL, and the two must compare
 * equal. Without a fallback a NULL ACL means no grants (NULL here).
 */
export function grants(acl: string, fallback?: string): string {
  return `${fallback ? `coalesce(${acl}, ${fallback})` : acl}::text[]`;
}

/**
 * The comment on an object, as obj_description (or col_description, with
 * `subid`) returns it; a scalar subquery on pg_description's unique index,
 * which the planner runs far cheaper than the SQL function per row.
 */
export function description(oid: string, catalog: string, subid = '0'): string {
  return `(SELECT dsc.description FROM pg_description dsc
    WHERE dsc.objoid = ${oid} AND dsc.classoid = '${catalog}'::regclass AND dsc.objsubid = ${subid})`;
}

/** A text array expression, sorted bytewise so the database's collation plays no part. */
export function sortedText(array: string): string {
  return `ARRAY(SELECT x::text FROM unnest(${array}) AS x ORDER BY x::text COLLATE "C")`;
}

/**
 * `schema.name`, unquoted, as identities are spelled throughout the snapshot
 * (they name objects for people and for matching; they are never SQL).
 */
export function dotted(...parts: string[]): string {
  return `concat_ws('.', ${parts.join(', ')})`;
}
