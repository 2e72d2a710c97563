/** Catalog queries for schemas, extensions, routines, types and default privileges. */
import type {
  DefaultPrivilegeInfo,
  DomainConstraint,
  ExtensionInfo,
  Owned,
  RoutineInfo,
  SchemaInfo,
  TypeInfo,
} from '../../schema';
import { type CatalogQuery, description, grants, isExtensionMember, isUserNamespace, sortedText } from './sql';

/** A row of typesQuery: the fields of every kind of type, null where they don't apply. */
export interface TypeRow extends Owned {
  readonly schema: string;
  readonly name: string;
  readonly kind: TypeInfo['kind'];
  readonly labels: string[] | null;
  readonly baseType: string | null;
  readonly notNull: boolean | null;
  readonly default: string | null;
  readonly constraints: DomainConstraint[] | null;
  readonly attributes: { name: string; type: string }[] | null;
  readonly subtype: string | null;
}

export const schemasQuery: CatalogQuery<SchemaInfo> = {
  sql: `
SELECT n.nspname::text AS name, pg_get_userbyid(n.nspowner)::text AS owner,
  ${description('n.oid', 'pg_namespace')} AS comment,
  ${grants('n.nspacl', "acldefault('n', n.nspowner)")} AS grants
FROM pg_namespace n
WHERE ${isUserNamespace('n')} AND NOT ${isExtensionMember('pg_namespace', 'n.oid')}`,
};

export const extensionsQuery: CatalogQuery<ExtensionInfo> = {
  sql: `
SELECT e.extname::text AS name, n.nspname::text AS schema, e.extversion AS version,
  ${description('e.oid', 'pg_extension')} AS comment
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace`,
};

const aggregateBody = `(SELECT concat_ws(', ',
    'sfunc = ' || ag.aggtransfn::regproc::text,
    'stype = ' || format_type(ag.aggtranstype, NULL),
    CASE WHEN ag.aggfinalfn::oid <> 0 THEN 'finalfunc = ' || ag.aggfinalfn::regproc::text END,
    CASE WHEN ag.aggcombinefn::oid <> 0 THEN 'combinefunc = ' || ag.aggcombinefn::regproc::text END,
    CASE WHEN ag.agginitval IS NOT NULL THEN 'initcond = ' || quote_literal(ag.agginitval) END)
  FROM pg_aggregate ag WHERE ag.aggfnoid = p.oid)`;

/*
 * A SQL-standard body (`BEGIN ATOMIC … END`, PostgreSQL 14+) leaves prosrc
 * empty and stores a parse tree full of OIDs in prosqlbody; deparse it.
 */
function routineBody(serverVersion: number): string {
  const plain =
    serverVersion >= 140000
      ? 'CASE WHEN p.prosqlbody IS NOT NULL THEN pg_get_function_sqlbody(p.oid) ELSE p.prosrc END'
      : 'p.prosrc';
  return `CASE WHEN p.prokind = 'a' THEN ${aggregateBody} ELSE ${plain} END`;
}

/**
 * Functions, procedures, aggregates and window functions; the SQL depends on
 * the server version. Routines with an internal dependency ('i'), such as
 * the constructors CREATE TYPE … AS RANGE makes, come with their owner object.
 */
export function routinesQuery(serverVersion: number): CatalogQuery<RoutineInfo> {
  return {
    sql: `
SELECT n.nspname::text AS schema, p.proname::text AS name,
  CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' WHEN 'w' THEN 'window function'
    ELSE 'function' END AS kind,
  oidvectortypes(p.proargtypes) AS "argumentTypes",
  pg_get_function_identity_arguments(p.oid) AS signature,
  pg_get_function_arguments(p.oid) AS arguments,
  pg_get_function_result(p.oid) AS result,
  l.lanname::text AS language,
  ${routineBody(serverVersion)} AS body,
  CASE p.provolatile WHEN 'i' THEN 'immutable' WHEN 's' THEN 'stable' ELSE 'volatile' END AS volatility,
  p.proisstrict AS strict, p.prosecdef AS "securityDefiner", p.proleakproof AS leakproof,
  CASE p.proparallel WHEN 's' THEN 'safe' WHEN 'r' THEN 'restricted' ELSE 'unsafe' END AS parallel,
  p.procost::text AS cost, p.prorows::text AS rows,
  ${sortedText('p.proconfig')} AS config,
  pg_get_userbyid(p.proowner)::text AS owner,
  ${description('p.oid', 'pg_proc')} AS comment,
  ${grants('p.proacl', "acldefault('f', p.proowner)")} AS grants
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
WHERE ${isUserNamespace('n')} AND NOT ${isExtensionMember('pg_proc', 'p.oid')}
  AND NOT EXISTS (SELECT 1 FROM pg_depend i
    WHERE i.classid = 'pg_proc'::regclass AND i.objid = p.oid AND i.deptype = 'i')`,
  };
}

/*
 * Enums, domains, ranges and free-standing composite types. Array and
 * multirange types come with their element types, and a table's row type
 * with its table, so they are left out.
 */
export const typesQuery: CatalogQuery<TypeRow> = {
  sql: `
SELECT n.nspname::text AS schema, t.typname::text AS name,
  CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain' WHEN 'r' THEN 'range' ELSE 'composite' END AS kind,
  CASE WHEN t.typtype = 'e' THEN ARRAY(SELECT e.enumlabel::text FROM pg_enum e
    WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) END AS labels,
  CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS "baseType",
  CASE WHEN t.typtype = 'd' THEN t.typnotnull END AS "notNull",
  CASE WHEN t.typtype = 'd' THEN pg_get_expr(t.typdefaultbin, 0) END AS default,
  CASE WHEN t.typtype = 'd' THEN (SELECT coalesce(json_agg(json_build_object('name', k.conname,
      'definition', pg_get_constraintdef(k.oid), 'comment', ${description('k.oid', 'pg_constraint')})
      ORDER BY k.conname), '[]') FROM pg_constraint k WHERE k.contypid = t.oid) END AS constraints,
  CASE WHEN t.typtype = 'c' THEN (SELECT coalesce(json_agg(json_build_object('name', a.attname,
      'type', format_type(a.atttypid, a.atttypmod)) ORDER BY a.attnum), '[]')
    FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) END AS attributes,
  CASE WHEN t.typtype = 'r' THEN (SELECT format_type(r.rngsubtype, NULL) FROM pg_range r
    WHERE r.rngtypid = t.oid) END AS subtype,
  pg_get_userbyid(t.typowner)::text AS owner,
  ${description('t.oid', 'pg_type')} AS comment,
  ${grants('t.typacl', "acldefault('T', t.typowner)")} AS grants
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace LEFT JOIN pg_class c ON c.oid = t.typrelid
WHERE (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND c.relkind = 'c'))
  AND ${isUserNamespace('n')} AND NOT ${isExtensionMember('pg_type', 't.oid')}`,
};

export const defaultPrivilegesQuery: CatalogQuery<DefaultPrivilegeInfo> = {
  sql: `
SELECT pg_get_userbyid(d.defaclrole)::text AS role, n.nspname::text AS schema,
  CASE d.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences' WHEN 'f' THEN 'functions'
    WHEN 'T' THEN 'types' ELSE 'schemas' END AS "objectType",
  ${grants('d.defaclacl')} AS grants
FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace`,
};
