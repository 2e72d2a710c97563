/**
 * Which relations a scoped snapshot reads again (scoped.ts), from the change
 * log's events and the relations' identities before and after; null when
 * the log cannot say, and the snapshot must be a full one.
 */
import { relationKey as key } from '../../schema';

/** An event as SCOPE_SQL returns it: ev, tag, classid (regclass text), objid, object type, in_extension, relid, names. */
export type EventRow = [
  string,
  string | null,
  string | null,
  number | null,
  string | null,
  boolean | null,
  number | null,
  string[] | null,
];

/** A relation as SCOPE_SQL returns it: oid, schema, name, relkind, the table of an index, parents (inheritance, partitions). */
export type RelationRow = [number, string, string, string, number | null, number[]];

/** Every user relation by oid, as of the last snapshot. */
export type Relations = ReadonlyMap<number, RelationRow>;

/** What SCOPE_SQL returns. */
export interface ScopeDocument {
  readonly healthy: boolean;
  readonly lastId: number | null;
  readonly events: readonly EventRow[];
  readonly touched: readonly number[];
  /** The closure holds a type of the types section, a domain constraint, a schema, an extension or a collation. */
  readonly types: boolean;
  /** The closure holds a routine, a schema or an extension. */
  readonly routines: boolean;
  readonly relations: readonly RelationRow[];
  /** Every role's name by oid (roles are the cluster's, not the database's). */
  readonly roles: Roles;
}

export type Roles = Readonly<Record<string, string>>;

/**
 * Whether owners and grants read as before: no role present at both
 * snapshots was renamed. A role created or dropped meanwhile (by another
 * session, in another database) changes no name the snapshot holds: a new
 * role has a new oid, and a role that owns or holds anything cannot be
 * dropped.
 */
export function sameRoleNames(before: Roles, after: Roles): boolean {
  return Object.entries(after).every(([oid, name]) => before[oid] === undefined || before[oid] === name);
}

/** The catalogs whose objects belong to one relation (mapped in SCOPE_SQL), or to a section read in full every time. */
const KNOWN_CLASSES = new Set([
  'pg_class',
  'pg_attrdef',
  'pg_constraint',
  'pg_trigger',
  'pg_policy',
  'pg_rewrite',
  'pg_type',
  'pg_proc',
  'pg_namespace',
  'pg_extension',
  'pg_collation',
  'pg_statistic_ext',
]);

/** Parts of a relation: a dropped one names its relation (relid, or the names of a relation dropped with it). */
const PARTS = new Set(['pg_attrdef', 'pg_constraint', 'pg_trigger', 'pg_policy', 'pg_rewrite']);

/** GRANT and REVOKE name no object: fine only on kinds whose section is read in full every time. */
const FULL_SECTION_GRANTS = new Set(['FUNCTION', 'PROCEDURE', 'ROUTINE', 'SCHEMA', 'TYPE', 'DOMAIN']);

/** Commands whose events do not name what they changed (ALTER EXTENSION ADD/DROP changes membership). */
const UNSCOPED_TAGS = new Set(['ALTER EXTENSION']);

export interface Scope {
  /** The relations (oids) to read again: changed, created, dropped, or depending on something changed. */
  readonly read: number[];
  /** `schema\0name` of every relation whose rows leave the previous snapshot (the old and new names of `read`). */
  readonly replaced: Set<string>;
  /** The relations after this snapshot. */
  readonly relations: Relations;
  /** Read the types, the routines again (else they are the previous snapshot's). */
  readonly types: boolean;
  readonly routines: boolean;
}

/** Drops whose pg_type objects are the row and array types of relations: not in the types section. */
const RELATION_DROPS = new Set([
  'DROP TABLE',
  'DROP VIEW',
  'DROP MATERIALIZED VIEW',
  'DROP FOREIGN TABLE',
  'DROP SEQUENCE',
]);
const SECTION_CLASSES = ['pg_namespace', 'pg_extension'];

/** Events that change the types section without the closure saying so: grants, drops. */
function touchesTypes(event: EventRow, before: Relations): boolean {
  const [ev, tag, classid, objid, otype] = event;
  if (ev === 'end') return classid === null && (otype === 'TYPE' || otype === 'DOMAIN');
  if (classid === 'pg_type') return !(tag !== null && RELATION_DROPS.has(tag));
  // A relation the map does not hold: a composite type's (types section), or one created and dropped meanwhile; not a TOAST table or index (every DROP TABLE of a table with one).
  if (classid === 'pg_class')
    return objid !== null && !before.has(objid) && otype !== 'index' && otype !== 'toast table';
  return otype === 'domain constraint' || classid === 'pg_collation' || SECTION_CLASSES.includes(classid ?? '');
}

/** Events that change the routines section without the closure saying so: grants, drops. */
function touchesRoutines(event: EventRow): boolean {
  const [ev, , classid, , otype] = event;
  if (ev === 'end') return classid === null && ['FUNCTION', 'PROCEDURE', 'ROUTINE'].includes(otype ?? '');
  return classid === 'pg_proc' || SECTION_CLASSES.includes(classid ?? '');
}

/**
 * The scope of a snapshot after one whose relations were `before`, or null
 * for a full one: any event the log cannot place, a lost event, a renamed role.
 */
export function scopeOf(doc: ScopeDocument, before: Relations, roles: Roles): Scope | null {
  if (!doc.healthy || !sameRoleNames(roles, doc.roles)) return null;
  const touched = new Set<number>(doc.touched);
  const dropped = new Set<number>();
  const droppedNames = new Set<string>();
  for (const event of doc.events) {
    const row = event[0] === 'drop' && event[2] === 'pg_class' && event[3] !== null ? before.get(event[3]) : undefined;
    if (row) droppedNames.add(key(row[1], row[2]));
  }
  for (const event of doc.events) {
    if (!placeEvent(event, droppedNames, touched, dropped)) return null;
  }
  return {
    ...resolve(touched, dropped, before, doc.relations),
    types: doc.types || doc.events.some((e) => touchesTypes(e, before)),
    routines: doc.routines || doc.events.some(touchesRoutines),
  };
}

/** Adds what one event touched; false when it cannot be placed. */
function placeEvent(
  event: EventRow,
  droppedNames: ReadonlySet<string>,
  touched: Set<number>,
  dropped: Set<number>,
): boolean {
  const [ev, tag, classid, objid, otype, inExtension, relid, names] = event;
  if (ev !== 'end' && ev !== 'drop') return false;
  if (tag !== null && UNSCOPED_TAGS.has(tag)) return false;
  if (classid === null || classid === '-' || objid === null || objid === 0) {
    if (tag === 'GRANT' || tag === 'REVOKE') return otype !== null && FULL_SECTION_GRANTS.has(otype);
    return tag === 'ALTER DEFAULT PRIVILEGES';
  }
  if (ev === 'end') return inExtension === true || KNOWN_CLASSES.has(classid);
  if (classid === 'pg_class') {
    touched.add(objid);
    // A dropped column leaves its table in place.
    if (otype !== 'table column') dropped.add(objid);
    return true;
  }
  if (PARTS.has(classid)) {
    if (relid !== null) touched.add(relid);
    else if (otype !== 'domain constraint' && !(names && droppedNames.has(key(names[0], names[1])))) return false;
    return true;
  }
  return KNOWN_CLASSES.has(classid) || tag === 'DROP EXTENSION';
}

/**
 * Indexes stand for their tables, and a parent for its partitions and
 * children (before and after: a detached partition changes too); the names
 * to replace are every read relation's, before and after.
 */
function resolve(
  touched: Set<number>,
  dropped: ReadonlySet<number>,
  before: Relations,
  read: readonly RelationRow[],
): Omit<Scope, 'types' | 'routines'> {
  const now = new Map(read.map((r) => [r[0], r]));
  for (const oid of [...touched]) {
    for (const row of [before.get(oid), now.get(oid)]) if (row && row[4] !== null) touched.add(row[4]);
  }
  for (const row of before.values()) if (row[5].some((parent) => touched.has(parent))) touched.add(row[0]);
  const replaced = new Set<string>();
  for (const oid of touched) {
    for (const row of [before.get(oid), now.get(oid)]) if (row) replaced.add(key(row[1], row[2]));
  }
  const relations = new Map(before);
  for (const oid of dropped) if (!now.has(oid)) relations.delete(oid);
  for (const [oid, row] of now) relations.set(oid, row);
  return { read: [...touched], replaced, relations };
}
