/**
 * SQL fragments shared by the catalog queries. They are constant text built
 * from column names chosen in this module's callers, never from user input;
 * the only values (the ignored tables) travel as parameters $1 and $2.
 */

/**
 * One catalog query and the row type it yields. Rows are already in the
 * snapshot's shape: the SQL decodes catalog codes and sorts every list.
 */
export interface CatalogQuery<Row> {
  readonly sql: string;
  /** True when the query takes the ignored tables as `$1` (schemas) and `$2` (names). */
  readonly filtersIgnored: boolean;
  /** Phantom field carrying the row type; never set. */
  readonly row?: Row;
}

/** The namespace alias `n` is not PostgreSQL's own nor another session's temporary one. */
export function isUserNamespace(n: string): string {
  return `${n}.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
    AND ${n}.nspname !~ '^pg_(toast_)?temp_'`;
}

/** The object `oid` of catalog `catalog` belongs to an extension (`pg_depend` deptype 'e'). */
export function isExtensionMember(catalog: string, oid: string): string {
  return `EXISTS (SELECT 1 FROM pg_depend ext
    WHERE ext.classid = '${catalog}'::regclass AND ext.objid = ${oid} AND ext.deptype = 'e')`;
}

/** `(schema, table)` is one of the ignored tables passed as `$1` and `$2`. */
export function isIgnored(schema: string, table: string): string {
  return `(${schema}::text, ${table}::text) IN
    (SELECT s, t FROM unnest($1::text[], $2::text[]) AS ignored(s, t))`;
}

/**
 * A relation (`c`, in namespace `n`) that belongs in the snapshot: in a user
 * schema, not part of an extension, not an ignored table.
 */
export function isSnapshotRelation(c: string, n: string): string {
  return `${isUserNamespace(n)}
    AND NOT ${isExtensionMember('pg_class', `${c}.oid`)}
    AND NOT ${isIgnored(`${n}.nspname`, `${c}.relname`)}`;
}

/**
 * The effective privileges of an ACL column as a sorted JSON array of
 * grants. A NULL ACL means "the built-in default", which is spelled out with
 * `fallback` (usually `acldefault(kind, owner)`): after a GRANT and a
 * matching REVOKE the column holds the default explicitly instead of NULL,
 * and the two must compare equal. Without a fallback a NULL ACL means no
 * grants (`'{}'::aclitem[]` can't stand in: aclexplode rejects a
 * zero-dimensional array).
 */
export function grants(acl: string, fallback?: string): string {
  return `(SELECT coalesce(json_agg(json_build_object(
        'grantee', x.grantee, 'privilege', x.privilege, 'grantable', x.grantable, 'grantor', x.grantor)
        ORDER BY x.grantee, x.privilege, x.grantor), '[]')
    FROM (SELECT
        CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(g.grantee)::text END COLLATE "C" AS grantee,
        g.privilege_type COLLATE "C" AS privilege,
        g.is_grantable AS grantable,
        pg_get_userbyid(g.grantor)::text COLLATE "C" AS grantor
      FROM aclexplode(${fallback ? `coalesce(${acl}, ${fallback})` : acl}) AS g) AS x)`;
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
