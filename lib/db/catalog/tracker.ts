/**
 * The change log of a throwaway database: two event triggers (ENABLE
 * ALWAYS, so that session_replication_role = replica does not silence them)
 * record every object a DDL command created, altered or dropped, for
 * scoped snapshots (scoped.ts). Their functions never raise: a failure to
 * record sets `tidemark.rt_lost` (and logs a 'lost' row when it can), and
 * the next snapshot is a full one.
 */
import type { Client } from 'pg';
import { TRACKER_SCHEMA as S } from './sql';

/** Names the drop record keeps the owning relation of (it still exists when sql_drop fires, unless dropped too). */
const OWNED_PARTS = `('table column', 'default value', 'table constraint', 'trigger', 'policy', 'rule')`;

const lost = `EXCEPTION WHEN OTHERS THEN
    BEGIN
      PERFORM pg_catalog.set_config('tidemark.rt_lost', 'on', false);
      INSERT INTO ${S}.log (ev, tag) VALUES ('lost', SQLERRM);
    EXCEPTION WHEN OTHERS THEN NULL;
    END;`;

const INSTALL = `
CREATE SCHEMA ${S};
CREATE TABLE ${S}.log (id bigserial PRIMARY KEY, ev text NOT NULL, tag text, classid oid, objid oid,
  otype text, in_ext boolean, relid oid, names text[]);
CREATE FUNCTION ${S}.on_end() RETURNS event_trigger LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog AS $f$
BEGIN
  BEGIN
    INSERT INTO ${S}.log (ev, tag, classid, objid, otype, in_ext)
      SELECT 'end', d.command_tag, d.classid, d.objid, d.object_type, d.in_extension
        FROM pg_event_trigger_ddl_commands() d;
  ${lost}
  END;
END $f$;
CREATE FUNCTION ${S}.on_drop() RETURNS event_trigger LANGUAGE plpgsql SECURITY DEFINER
  SET search_path = pg_catalog AS $f$
BEGIN
  BEGIN
    INSERT INTO ${S}.log (ev, tag, classid, objid, otype, relid, names)
      SELECT 'drop', tg_tag, d.classid, d.objid, d.object_type,
        CASE WHEN cardinality(d.address_names) >= 2 AND d.object_type IN ${OWNED_PARTS}
          THEN to_regclass(quote_ident(d.address_names[1]) || '.' || quote_ident(d.address_names[2])) END,
        d.address_names
        FROM pg_event_trigger_dropped_objects() d;
  ${lost}
  END;
END $f$;
CREATE EVENT TRIGGER _tidemark_rt_end ON ddl_command_end EXECUTE FUNCTION ${S}.on_end();
CREATE EVENT TRIGGER _tidemark_rt_drop ON sql_drop EXECUTE FUNCTION ${S}.on_drop();
ALTER EVENT TRIGGER _tidemark_rt_end ENABLE ALWAYS;
ALTER EVENT TRIGGER _tidemark_rt_drop ENABLE ALWAYS;`;

/**
 * Installs the change log on the database `client` is connected to, when
 * the role is a superuser on PostgreSQL 15 or later and the schema is not
 * there yet; true when it was installed. Never throws: any failure (rolled
 * back) means no change log, and full snapshots.
 */
export async function installTracker(client: Client): Promise<boolean> {
  try {
    const { rows } = await client.query<{ ok: boolean }>(
      `SELECT r.rolsuper AND pg_catalog.current_setting('server_version_num')::int >= 150000
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = '${S}')
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_event_trigger) AS ok
        FROM pg_catalog.pg_roles r WHERE r.rolname = current_user`,
    );
    if (rows[0]?.ok !== true) return false;
    await client.query(`BEGIN; SET LOCAL search_path = pg_catalog; ${INSTALL} COMMIT;`);
    return true;
  } catch {
    await client.query('ROLLBACK').catch(() => undefined);
    return false;
  }
}

/** A user relation's identity (RelationRow in scope.ts), from `pg_class c`. */
const RELATION_ROW = `json_build_array(c.oid, n.nspname, c.relname, c.relkind,
  (SELECT x.indrelid FROM pg_index x WHERE x.indexrelid = c.oid),
  ARRAY(SELECT i.inhparent FROM pg_inherits i WHERE i.inhrelid = c.oid ORDER BY i.inhparent))`;

const USER_RELATION = `c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S', 'i', 'I')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', '${S}')
  AND n.nspname !~ '^pg_(toast_)?temp_'`;

/** Every user relation's identity: after a full read, the map scoped reads keep up to date. */
export const RELATIONS_SQL = `SELECT coalesce(json_agg(${RELATION_ROW}), '[]') AS relations
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_RELATION}`;

/** The relation an object of the closure belongs to (its own oid for a relation, an index's table). */
const OWNER = `CASE c.classid
  WHEN 'pg_class'::regclass THEN coalesce((SELECT x.indrelid FROM pg_index x WHERE x.indexrelid = c.objid), c.objid)
  WHEN 'pg_attrdef'::regclass THEN (SELECT adrelid FROM pg_attrdef WHERE oid = c.objid)
  WHEN 'pg_constraint'::regclass THEN (SELECT nullif(conrelid, 0) FROM pg_constraint WHERE oid = c.objid)
  WHEN 'pg_trigger'::regclass THEN (SELECT tgrelid FROM pg_trigger WHERE oid = c.objid)
  WHEN 'pg_policy'::regclass THEN (SELECT polrelid FROM pg_policy WHERE oid = c.objid)
  WHEN 'pg_rewrite'::regclass THEN (SELECT ev_class FROM pg_rewrite WHERE oid = c.objid)
  WHEN 'pg_type'::regclass THEN (SELECT nullif(typrelid, 0) FROM pg_type WHERE oid = c.objid)
END`;

/*
 * What the log says since id $1, in the snapshot's transaction: whether it
 * is intact, the new events, the relations their objects belong to (with
 * every object that depends on them, through pg_depend, mapped to its
 * relation), the identities of those relations, of the relations in the
 * closure and of the partitions and children of the touched ones, and the
 * roles by oid (a renamed role changes owners and grants everywhere: no
 * event says so).
 */
export const SCOPE_SQL = `WITH RECURSIVE ev AS (SELECT * FROM ${S}.log WHERE id > $1::int8),
closure(classid, objid) AS (
  SELECT classid, objid FROM ev WHERE ev = 'end' AND classid <> 0
  UNION
  SELECT d.classid, d.objid FROM pg_depend d JOIN closure c ON d.refclassid = c.classid AND d.refobjid = c.objid
),
touched AS (SELECT DISTINCT m.r FROM closure c CROSS JOIN LATERAL (SELECT ${OWNER}) AS m(r) WHERE m.r IS NOT NULL),
candidate AS (
  SELECT r AS oid FROM touched
  UNION SELECT objid FROM closure WHERE classid = 'pg_class'::regclass
  UNION SELECT i.inhrelid FROM pg_inherits i WHERE i.inhparent IN (SELECT r FROM touched)
)
SELECT json_build_object(
  'healthy', (SELECT count(*) FROM pg_event_trigger WHERE evtname IN ('_tidemark_rt_end', '_tidemark_rt_drop')
      AND evtenabled = 'A' AND evtfoid::regproc::text IN ('${S}.on_end', '${S}.on_drop')) = 2
    AND coalesce(current_setting('tidemark.rt_lost', true), '') = '',
  'lastId', (SELECT max(id) FROM ev),
  'events', (SELECT coalesce(json_agg(json_build_array(e.ev, e.tag, e.classid::regclass::text, e.objid, e.otype,
      e.in_ext, e.relid, e.names) ORDER BY e.id), '[]') FROM ev e),
  'touched', ARRAY(SELECT r FROM touched),
  'types', EXISTS (SELECT 1 FROM closure c WHERE c.classid IN ('pg_namespace'::regclass, 'pg_extension'::regclass,
      'pg_collation'::regclass)
    OR (c.classid = 'pg_type'::regclass AND EXISTS (SELECT 1 FROM pg_type t LEFT JOIN pg_class r ON r.oid = t.typrelid
      WHERE t.oid = c.objid AND (t.typtype NOT IN ('b', 'c', 'p') OR r.relkind = 'c')))
    OR (c.classid = 'pg_class'::regclass AND EXISTS (SELECT 1 FROM pg_class r WHERE r.oid = c.objid AND r.relkind = 'c'))
    OR (c.classid = 'pg_constraint'::regclass AND EXISTS (SELECT 1 FROM pg_constraint k
      WHERE k.oid = c.objid AND k.contypid <> 0))),
  'routines', EXISTS (SELECT 1 FROM closure c WHERE c.classid IN ('pg_proc'::regclass, 'pg_namespace'::regclass,
      'pg_extension'::regclass)),
  'relations', (SELECT coalesce(json_agg(${RELATION_ROW}), '[]')
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.oid IN (SELECT oid FROM candidate) AND ${USER_RELATION}),
  'roles', (SELECT coalesce(json_object_agg(oid::text, rolname), '{}') FROM pg_roles)
) AS scope`;
