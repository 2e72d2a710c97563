/** Catalog queries for what hangs off a table: constraints, indexes, triggers, policies. */
import type { ConstraintInfo, IndexInfo, PolicyInfo, TriggerInfo } from '../../schema';
import { type CatalogQuery, description, isSnapshotRelation, sortedText } from './sql';

const onTable = `JOIN pg_namespace n ON n.oid = c.relnamespace`;

export const constraintsQuery: CatalogQuery<ConstraintInfo> = {
  sql: `
SELECT n.nspname::text AS schema, c.relname::text AS table, k.conname::text AS name,
  CASE k.contype WHEN 'p' THEN 'primary key' WHEN 'u' THEN 'unique' WHEN 'f' THEN 'foreign key'
    WHEN 'c' THEN 'check' WHEN 'x' THEN 'exclusion' WHEN 't' THEN 'trigger' WHEN 'n' THEN 'not null'
    ELSE k.contype::text END AS type,
  pg_get_constraintdef(k.oid) AS definition,
  ${description('k.oid', 'pg_constraint')} AS comment
FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid ${onTable}
WHERE ${isSnapshotRelation('c', 'n')}`,
};

/*
 * Indexes that back a primary key, unique or exclusion constraint are left
 * out: the constraint describes them, and listing both would report one
 * dropped constraint twice. (A foreign key's conindid points at the
 * referenced table's index, hence the contype filter.)
 */
export const indexesQuery: CatalogQuery<IndexInfo> = {
  sql: `
SELECT n.nspname::text AS schema, c.relname::text AS table, i.relname::text AS name,
  pg_get_indexdef(x.indexrelid) AS definition,
  x.indisvalid AS valid, x.indisclustered AS clustered,
  ${description('i.oid', 'pg_class')} AS comment
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid ${onTable}
WHERE ${isSnapshotRelation('c', 'n')}
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k
    WHERE k.conindid = x.indexrelid AND k.conrelid = x.indrelid AND k.contype IN ('p', 'u', 'x'))`,
};

export const triggersQuery: CatalogQuery<TriggerInfo> = {
  sql: `
SELECT n.nspname::text AS schema, c.relname::text AS table, t.tgname::text AS name,
  pg_get_triggerdef(t.oid) AS definition,
  CASE t.tgenabled WHEN 'D' THEN 'disabled' WHEN 'R' THEN 'enabled replica' WHEN 'A' THEN 'enabled always'
    ELSE 'enabled' END
    AS enabled,
  ${description('t.oid', 'pg_trigger')} AS comment
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid ${onTable}
WHERE NOT t.tgisinternal AND ${isSnapshotRelation('c', 'n')}`,
};

/* pg_policy rather than the pg_policies view: the comment needs the policy's OID. */
export const policiesQuery: CatalogQuery<PolicyInfo> = {
  sql: `
SELECT n.nspname::text AS schema, c.relname::text AS table, p.polname::text AS name,
  CASE WHEN p.polpermissive THEN 'permissive' ELSE 'restrictive' END AS mode,
  CASE p.polcmd WHEN 'r' THEN 'select' WHEN 'a' THEN 'insert' WHEN 'w' THEN 'update' WHEN 'd' THEN 'delete'
    ELSE 'all' END AS command,
  ${sortedText(`ARRAY(SELECT CASE WHEN r = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(r)::text END
    FROM unnest(p.polroles) AS r)`)} AS roles,
  pg_get_expr(p.polqual, p.polrelid) AS using,
  pg_get_expr(p.polwithcheck, p.polrelid) AS "withCheck",
  ${description('p.oid', 'pg_policy')} AS comment
FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid ${onTable}
WHERE ${isSnapshotRelation('c', 'n')}`,
};
