/** Snapshot → Diffable for tables and what hangs off them, views and sequences. Pure. */
import { type Diffable, dotted, either, grantPhrases, listOrNone, ownedFields } from './diffable';
import type { Snapshot } from './types';

const relationKey = (schema: string, name: string) => `relation:${dotted(schema, name)}`;

/**
 * The Diffables of rows that need nothing but the row, made once per row
 * object: rows are read-only, and `tidemark test`'s scoped snapshots share
 * most of their rows with the previous snapshot.
 */
export function perRow<R extends object>(
  rows: readonly R[],
  cache: WeakMap<object, Diffable>,
  make: (row: R) => Diffable,
) {
  return rows.map((row) => {
    let made = cache.get(row);
    if (!made) cache.set(row, (made = make(row)));
    return made;
  });
}

const caches = {
  constraints: new WeakMap<object, Diffable>(),
  indexes: new WeakMap<object, Diffable>(),
  views: new WeakMap<object, Diffable>(),
  sequences: new WeakMap<object, Diffable>(),
  triggers: new WeakMap<object, Diffable>(),
  policies: new WeakMap<object, Diffable>(),
};

/** What a table-level object (constraint, trigger, policy) has in common: named per table, a child of it. */
interface OnTable {
  readonly schema: string;
  readonly table: string;
  readonly name: string;
  readonly comment: string | null;
}

function onTable(
  objectType: 'constraint' | 'trigger' | 'policy',
  o: OnTable,
  summary: string,
  properties: Diffable['properties'],
): Diffable {
  return {
    objectType,
    identity: dotted(o.schema, o.table, o.name),
    label: `${objectType} ${o.name} on ${dotted(o.schema, o.table)}`,
    summary,
    key: `${objectType}:${dotted(o.schema, o.table, o.name)}`,
    parentKey: relationKey(o.schema, o.table),
    properties,
    comment: o.comment,
  };
}

export function tableObjects(s: Snapshot): Diffable[] {
  const columns = new Map<string, string[]>();
  for (const c of s.columns) {
    const table = dotted(c.schema, c.table);
    columns.set(table, [...(columns.get(table) ?? []), c.name]);
  }
  return s.tables.map((t) => {
    const label = `table ${dotted(t.schema, t.name)}`;
    return {
      objectType: 'table',
      identity: dotted(t.schema, t.name),
      label,
      summary: t.kind,
      key: relationKey(t.schema, t.name),
      parentKey: `schema:${t.schema}`,
      properties: [
        ['kind', t.kind],
        ['persistence', t.persistence],
        ['partition key', t.partitionKey],
        ['parent partitioned table', t.partitionOf],
        ['partition bound', t.partitionBound],
        ['inherited tables', listOrNone(t.inherits)],
        ['row level security', either(t.rowSecurity, 'enabled', 'disabled')],
        ['forced row level security', either(t.forceRowSecurity, 'on', 'off')],
        ['storage parameters', listOrNone(t.options)],
        ['replica identity', t.replicaIdentity],
      ],
      ordered: { property: 'column order', items: columns.get(dotted(t.schema, t.name)) ?? [] },
      ...ownedFields(t, label),
    };
  });
}

export function columnObjects(s: Snapshot): Diffable[] {
  const owners = new Map(s.tables.map((t) => [dotted(t.schema, t.name), t.owner]));
  return s.columns.map((c) => {
    const identity = dotted(c.schema, c.table, c.name);
    const label = `column ${identity}`;
    const nullability = either(c.notNull, 'NOT NULL', 'nullable');
    return {
      objectType: 'column',
      identity,
      label,
      summary: [c.type, c.notNull ? 'NOT NULL' : ''].join(' ').trim(),
      key: `column:${identity}`,
      parentKey: relationKey(c.schema, c.table),
      properties: [
        ['type', c.type],
        ['nullability', nullability],
        ['default', c.default],
        ['generation expression', c.generated],
        ['identity', c.identity],
        ['collation', c.collation],
      ],
      comment: c.comment,
      grants: grantPhrases(c.grants, label, owners.get(dotted(c.schema, c.table)) ?? null),
    };
  });
}

export function constraintObjects(s: Snapshot): Diffable[] {
  return perRow(s.constraints, caches.constraints, (c) =>
    onTable('constraint', c, c.definition, [
      ['type', c.type],
      ['definition', c.definition],
    ]),
  );
}

export function indexObjects(s: Snapshot): Diffable[] {
  return perRow(s.indexes, caches.indexes, (i) => ({
    objectType: 'index',
    identity: dotted(i.schema, i.name),
    label: `index ${i.name} on ${dotted(i.schema, i.table)}`,
    summary: i.definition,
    key: relationKey(i.schema, i.name),
    parentKey: relationKey(i.schema, i.table),
    properties: [
      ['table', dotted(i.schema, i.table)],
      ['definition', i.definition],
      ['validity', either(i.valid, 'valid', 'INVALID')],
      ['clustering', either(i.clustered, 'clustered', 'not clustered')],
    ],
    comment: i.comment,
  }));
}

export function viewObjects(s: Snapshot): Diffable[] {
  return perRow(s.views, caches.views, (v) => {
    const label = `${v.kind} ${dotted(v.schema, v.name)}`;
    return {
      objectType: v.kind,
      identity: dotted(v.schema, v.name),
      label,
      summary: v.definition,
      key: relationKey(v.schema, v.name),
      parentKey: `schema:${v.schema}`,
      properties: [
        ['definition', v.definition],
        ['options', listOrNone(v.options)],
        ['data', v.populated === null ? null : either(v.populated, 'populated', 'not populated')],
      ],
      ...ownedFields(v, label),
    };
  });
}

export function sequenceObjects(s: Snapshot): Diffable[] {
  return perRow(s.sequences, caches.sequences, (q) => {
    const label = `sequence ${dotted(q.schema, q.name)}`;
    return {
      objectType: 'sequence',
      identity: dotted(q.schema, q.name),
      label,
      summary: q.type,
      key: relationKey(q.schema, q.name),
      parentKey: q.ownedBy === null ? `schema:${q.schema}` : `column:${q.ownedBy}`,
      properties: [
        ['type', q.type],
        ['start', q.start],
        ['increment', q.increment],
        ['minimum', q.min],
        ['maximum', q.max],
        ['cache', q.cache],
        ['cycle', either(q.cycle, 'CYCLE', 'NO CYCLE')],
        ['owning column', q.ownedBy],
      ],
      ...ownedFields(q, label),
    };
  });
}

export function triggerObjects(s: Snapshot): Diffable[] {
  return perRow(s.triggers, caches.triggers, (t) =>
    onTable('trigger', t, t.definition, [
      ['definition', t.definition],
      ['state', t.enabled],
    ]),
  );
}

export function policyObjects(s: Snapshot): Diffable[] {
  return perRow(s.policies, caches.policies, (p) => {
    const roles = p.roles.join(', ');
    const using = p.using === null ? '' : ` USING ${p.using}`;
    const check = p.withCheck === null ? '' : ` WITH CHECK ${p.withCheck}`;
    return onTable(
      'policy',
      p,
      `AS ${p.mode.toUpperCase()} FOR ${p.command.toUpperCase()} TO ${roles}${using}${check}`,
      [
        ['mode', p.mode],
        ['command', p.command],
        ['roles', roles],
        ['USING expression', p.using],
        ['WITH CHECK expression', p.withCheck],
      ],
    );
  });
}
