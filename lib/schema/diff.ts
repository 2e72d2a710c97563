/** diffSnapshots(): how a found schema differs from an expected one. Pure: no database. */
import { isLongValue as isLong, type ObjectType, type SchemaDifference } from './difference';
import type { Diffable } from './diffable';
import { defaultPrivilegeObjects, extensionObjects, routineObjects, schemaObjects, typeObjects } from './objects-other';
import {
  columnObjects,
  constraintObjects,
  indexObjects,
  policyObjects,
  sequenceObjects,
  tableObjects,
  triggerObjects,
  viewObjects,
} from './objects-relations';
import { narrowed } from './narrow';
import type { Snapshot } from './types';

/** In the order differences are reported: containers before their contents. */
const adapters: readonly ((s: Snapshot) => Diffable[])[] = [
  schemaObjects,
  extensionObjects,
  typeObjects,
  tableObjects,
  columnObjects,
  constraintObjects,
  indexObjects,
  viewObjects,
  sequenceObjects,
  routineObjects,
  triggerObjects,
  policyObjects,
  defaultPrivilegeObjects,
];

/**
 * Lists every way `after` (found) differs from `before` (expected): objects
 * that are missing or still exist, and changed properties, comments, owners
 * and grants. When a whole object is missing or extra, what it contains
 * (a table's columns, indexes, triggers…) is not reported again.
 *
 * The result is empty exactly when the two schemas are the same, and comes
 * in a stable order: by kind of object (schemas, extensions, types, tables,
 * columns…), then by identity.
 *
 * `onlyRelations` (keys of relationKey): the caller knows every other
 * relation's rows (tables, views, sequences, and a table's columns,
 * constraints, indexes, triggers and policies) are the same on both sides,
 * so only these are compared; the other sections are compared whole.
 */
export function diffSnapshots(
  before: Snapshot,
  after: Snapshot,
  options: { readonly onlyRelations?: ReadonlySet<string> } = {},
): SchemaDifference[] {
  const only = options.onlyRelations;
  // The caller knows the rows of every other relation are the same on both sides (narrow.ts).
  const expected = only ? index(narrowed(before, only)) : indexed(before);
  const found = only ? index(narrowed(after, only)) : indexed(after);
  const gone = new Set<string>();
  for (const [id, o] of expected) if (!found.has(id)) gone.add(o.object.key);
  for (const [id, o] of found) if (!expected.has(id)) gone.add(o.object.key);
  const differing: { id: string; entry: Entry; differences: SchemaDifference[] }[] = [];
  const add = (id: string, entry: Entry, differences: SchemaDifference[]) => {
    if (differences.length > 0) differing.push({ id, entry, differences });
  };
  for (const [id, b] of expected) {
    const a = found.get(id);
    if (a) add(id, b, compare(b.object, a.object));
    else if (b.object.parentKey === null || !gone.has(b.object.parentKey)) add(id, b, [missing(b.object)]);
  }
  for (const [id, a] of found) {
    if (expected.has(id) || (a.object.parentKey !== null && gone.has(a.object.parentKey))) continue;
    add(id, a, [extra(a.object)]);
  }
  // Only the objects that differ are put in order (most of a schema is the same on both sides).
  differing.sort(
    (x, y) =>
      x.entry.rank - y.entry.rank ||
      codeUnitOrder(x.entry.object.identity, y.entry.object.identity) ||
      codeUnitOrder(x.id, y.id),
  );
  return differing.flatMap((d) => d.differences);
}

function codeUnitOrder(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

interface Entry {
  readonly rank: number;
  readonly object: Diffable;
}
type Indexed = ReadonlyMap<string, Entry>;

/*
 * A snapshot is read-only, and `tidemark test` compares each one twice
 * (S1 with S2 and S3, S2 with S0 and S1): its objects are indexed once.
 */
const indexes = new WeakMap<Snapshot, Indexed>();

function indexed(s: Snapshot): Indexed {
  const cached = indexes.get(s);
  if (cached) return cached;
  const map = index(s);
  indexes.set(s, map);
  return map;
}

function index(s: Snapshot): Indexed {
  const map = new Map<string, Entry>();
  adapters.forEach((adapter, rank) => {
    for (const object of adapter(s)) map.set(`${object.objectType}\u0000${object.identity}`, { rank, object });
  });
  return map;
}

function compare(b: Diffable, a: Diffable): SchemaDifference[] {
  if (same(b, a)) return [];
  return [
    ...propertyChanges(b, a),
    ...orderChange(b, a),
    ...ownerChange(b, a),
    ...commentChange(b, a),
    ...grantChanges(b, a),
  ];
}

function missing(o: Diffable): SchemaDifference {
  return {
    kind: 'removed',
    objectType: o.objectType,
    identity: o.identity,
    subject: o.label,
    description: `${o.label} is missing`,
    before: o.summary,
  };
}

function extra(o: Diffable): SchemaDifference {
  return {
    kind: 'added',
    objectType: o.objectType,
    identity: o.identity,
    subject: o.label,
    description: `${o.label} still exists`,
    after: o.summary,
  };
}

function changed(
  o: Diffable,
  property: string,
  before: string | null,
  after: string | null,
  objectType: ObjectType = o.objectType,
): SchemaDifference {
  const description =
    isLong(before) || isLong(after)
      ? `${o.label}: ${property} changed`
      : before === null || after === null
        ? `${property} of ${o.label}: expected ${before ?? 'none'}, found ${after ?? 'none'}`
        : `${o.label}: ${property} changed from ${before} to ${after}`;
  return {
    kind: 'changed',
    objectType,
    identity: o.identity,
    property,
    description,
    ...(before !== null && { before }),
    ...(after !== null && { after }),
  };
}

function propertyChanges(b: Diffable, a: Diffable): SchemaDifference[] {
  if (sameProperties(b, a)) return [];
  const found = new Map(a.properties);
  return b.properties.flatMap(([name, value]) => {
    const other = found.get(name) ?? null;
    return other === value ? [] : [changed(b, name, value, other)];
  });
}

/** Nothing to report, checked without building anything: each check below would find nothing. */
function same(b: Diffable, a: Diffable): boolean {
  if (b === a) return true;
  return (
    sameProperties(b, a) &&
    (b.owner ?? null) === (a.owner ?? null) &&
    (b.comment ?? null) === (a.comment ?? null) &&
    sameItems(b.grants ?? [], a.grants ?? []) &&
    sameItems(b.ordered?.items ?? [], a.ordered?.items ?? [])
  );
}

const sameItems = (x: readonly string[], y: readonly string[]): boolean =>
  x.length === y.length && x.every((item, i) => item === y[i]);

/** The common case, without building a map: the same properties, in the same order (names are unique). */
function sameProperties(b: Diffable, a: Diffable): boolean {
  if (b.properties.length !== a.properties.length) return false;
  return b.properties.every(([name, value], i) => a.properties[i][0] === name && a.properties[i][1] === value);
}

/** Relative order of the children present on both sides. */
function orderChange(b: Diffable, a: Diffable): SchemaDifference[] {
  if (!b.ordered || !a.ordered) return [];
  const before = b.ordered.items;
  const after = a.ordered.items;
  const was = before.filter((i) => after.includes(i));
  const is = after.filter((i) => before.includes(i));
  if (was.every((item, i) => item === is[i])) return [];
  return [changed(b, b.ordered.property, was.join(', '), is.join(', '))];
}

function ownerChange(b: Diffable, a: Diffable): SchemaDifference[] {
  if (b.owner === undefined || a.owner === undefined || b.owner === a.owner) return [];
  return [changed(b, 'owner', b.owner, a.owner, 'owner')];
}

function commentChange(b: Diffable, a: Diffable): SchemaDifference[] {
  const before = b.comment ?? null;
  const after = a.comment ?? null;
  if (before === after) return [];
  const base = { objectType: 'comment', identity: b.identity } as const;
  const quoted = (text: string) => (isLong(text) ? 'comment' : `comment '${text}'`);
  if (before === null) {
    const subject = `${quoted(after!)} on ${b.label}`;
    return [{ ...base, kind: 'added', subject, description: `${subject} still exists`, after: after! }];
  }
  if (after === null) {
    const subject = `${quoted(before)} on ${b.label}`;
    return [{ ...base, kind: 'removed', subject, description: `${subject} is missing`, before }];
  }
  const description =
    isLong(before) || isLong(after)
      ? `comment on ${b.label} changed`
      : `comment on ${b.label} changed from '${before}' to '${after}'`;
  return [{ ...base, kind: 'changed', property: 'comment', description, before, after }];
}

function grantChanges(b: Diffable, a: Diffable): SchemaDifference[] {
  const before = b.grants ?? [];
  const after = a.grants ?? [];
  const base = { objectType: 'grant', identity: b.identity } as const;
  return [
    ...before
      .filter((g) => !after.includes(g))
      .map(
        (g): SchemaDifference => ({
          ...base,
          kind: 'removed',
          subject: `grant ${g}`,
          description: `grant ${g} is missing`,
          before: g,
        }),
      ),
    ...after
      .filter((g) => !before.includes(g))
      .map(
        (g): SchemaDifference => ({
          ...base,
          kind: 'added',
          subject: `grant ${g}`,
          description: `grant ${g} still exists`,
          after: g,
        }),
      ),
  ];
}
