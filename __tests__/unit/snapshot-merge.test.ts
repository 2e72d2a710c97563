/**
 * Scoped snapshots, the pure half: mergeSnapshot (the previous snapshot with
 * the relations read again replaced) and diffSnapshots narrowed to those
 * relations must give what the whole computation gives.
 */
import { mergeSnapshot } from '../../lib/db/catalog/merge';
import { sortBy } from '../../lib/db/catalog/take';
import { diffSnapshots, narrowed, relationKey, type Snapshot } from '../../lib/schema';
import { column, emptySnapshot, index, sequence, table } from '../helpers/snapshots';

/** Tables t0…t(n-1), each with two columns, an index and a sequence. */
function schemaOf(names: readonly string[]): Snapshot {
  return emptySnapshot({
    tables: names.map((n) => table(n)),
    columns: names.flatMap((n) => [column(n, 'id', 1), column(n, 'name', 2)]),
    indexes: names.map((n) => index(n, `${n}_name_idx`, 'name')),
    sequences: names.map((n) => sequence(`${n}_id_seq`, `public.${n}.id`)),
  });
}

const names = Array.from({ length: 40 }, (_, i) => `t${String(i).padStart(2, '0')}`);

/** What a scoped read of `read` returns: those relations' rows, sorted as assemble sorts them. */
const readOf = (s: Snapshot, read: readonly string[]): Snapshot =>
  narrowed(s, new Set(read.map((n) => relationKey('public', n))));

/** A read's relation sections in assemble's order (take.ts). */
const sorted = (s: Snapshot): Snapshot => ({
  ...s,
  tables: sortBy([...s.tables], (r) => [r.schema, r.name]),
  columns: sortBy([...s.columns], (c) => [c.schema, c.table, c.position]),
  indexes: sortBy([...s.indexes], (r) => [r.schema, r.name]),
  sequences: sortBy([...s.sequences], (r) => [r.schema, r.name]),
});

/** The merge as it was before it kept the order: everything concatenated and sorted again. */
function resorted(before: Snapshot, read: Snapshot, replaced: Set<string>): Snapshot {
  const keep = <R extends { schema: string }>(rows: readonly R[], name: (r: R) => string) =>
    rows.filter((r) => !replaced.has(relationKey(r.schema, name(r))));
  return {
    ...read,
    tables: sortBy([...keep(before.tables, (r) => r.name), ...read.tables], (r) => [r.schema, r.name]),
    columns: sortBy([...keep(before.columns, (r) => r.table), ...read.columns], (c) => [c.schema, c.table, c.position]),
    indexes: sortBy([...keep(before.indexes, (r) => r.table), ...read.indexes], (r) => [r.schema, r.name]),
    sequences: sortBy([...keep(before.sequences, (r) => r.name), ...read.sequences], (r) => [r.schema, r.name]),
    types: before.types,
    routines: before.routines,
  };
}

describe('mergeSnapshot', () => {
  it.each([
    ['a changed table in the middle', ['t17'], ['t17']],
    ['a new table first and one last', ['a_first', 'z_last'], ['a_first', 'z_last']],
    ['a dropped table (read, nothing found)', [], ['t03']],
    ['several, changed and new', ['t00', 't05a', 't39', 'u'], ['t00', 't05a', 't39', 'u', 't20']],
  ])('%s: the same rows in the same order as sorting everything again', (_what, readNames, replacedNames) => {
    const before = schemaOf(names);
    const now = schemaOf([...names.filter((n) => !replacedNames.includes(n)), ...readNames].sort());
    // The relations read again come back with a third column: changed.
    const read = sorted(
      structuredClone({
        ...readOf(now, readNames),
        columns: [...readOf(now, readNames).columns, ...readNames.map((n) => column(n, 'extra', 3))],
      }),
    );
    const replaced = new Set(replacedNames.map((n) => relationKey('public', n)));
    const scope = { read: [], replaced, relations: new Map(), types: false, routines: false };
    const merged = mergeSnapshot(before, read, scope);
    expect(merged).toEqual(resorted(before, read, replaced));
    // Kept rows are the previous snapshot's own objects.
    const kept = merged.tables.find((t) => t.name === 't10');
    expect(kept).toBe(before.tables.find((t) => t.name === 't10'));
  });
});

describe('diffSnapshots narrowed to the relations read again', () => {
  it('finds what the whole comparison finds when the other relations share their rows', () => {
    const before = schemaOf(names);
    const replaced = new Set(['t05', 't06', 'new'].map((n) => relationKey('public', n)));
    const read = sorted(
      structuredClone({
        ...emptySnapshot(),
        tables: [table('t05'), table('new')],
        columns: [column('t05', 'id', 1, { type: 'bigint' }), column('t05', 'name', 2), column('new', 'id', 1)],
        indexes: [index('t05', 't05_name_idx', 'name')],
        sequences: [sequence('t05_id_seq', 'public.t05.id')],
      }),
    );
    const after = mergeSnapshot(before, read, {
      read: [],
      replaced,
      relations: new Map(),
      types: false,
      routines: false,
    });
    const whole = diffSnapshots(before, after);
    expect(whole.map((d) => d.description)).toEqual([
      'table public.new still exists',
      'table public.t06 is missing',
      'column public.t05.id: type changed from integer to bigint',
    ]);
    expect(diffSnapshots(before, after, { onlyRelations: replaced })).toEqual(whole);
  });

  it('compares the other sections whole: a schema or a routine is not a relation', () => {
    const before = schemaOf(['t']);
    const after = { ...before, schemas: [...before.schemas, { ...before.schemas[0], name: 'extra' }] };
    expect(diffSnapshots(before, after, { onlyRelations: new Set() }).map((d) => d.description)).toEqual(
      diffSnapshots(before, after).map((d) => d.description),
    );
    expect(diffSnapshots(before, after, { onlyRelations: new Set() })).toHaveLength(1);
  });
});
