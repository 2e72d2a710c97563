import {
  type EventRow,
  type RelationRow,
  type Relations,
  scopeOf,
  type ScopeDocument,
} from '../../lib/db/catalog/scope';

/** public.zz1 (oid 100) with its identity sequence (101) and two indexes (102, 103), as the relation map holds them. */
const before: Relations = new Map<number, RelationRow>([
  [100, [100, 'public', 'zz1', 'r', null, []]],
  [101, [101, 'public', 'zz1_id_seq', 'S', null, []]],
  [102, [102, 'public', 'zz1_pkey', 'i', 100, []]],
  [103, [103, 'public', 'zz1_name_idx', 'i', 100, []]],
  [200, [200, 'public', 'other', 'r', null, []]],
]);
const roles = { '10': 'postgres' };

const doc = (events: EventRow[], extra: Partial<ScopeDocument> = {}): ScopeDocument => ({
  healthy: true,
  lastId: events.length,
  events,
  touched: [],
  types: false,
  routines: false,
  relations: [],
  roles,
  ...extra,
});

const drop = (classid: string, objid: number, otype: string, names: string[]): EventRow => [
  'drop',
  'DROP TABLE',
  classid,
  objid,
  otype,
  null,
  null,
  names,
];

/** The events of `DROP TABLE zz1` as the change log records them (PostgreSQL 15). */
const DROP_TABLE: EventRow[] = [
  drop('pg_class', 100, 'table', ['public', 'zz1']),
  drop('pg_class', 101, 'sequence', ['public', 'zz1_id_seq']),
  drop('pg_type', 110, 'type', ['public.zz1']),
  drop('pg_type', 111, 'type', ['public.zz1[]']),
  drop('pg_class', 104, 'toast table', ['pg_toast', 'pg_toast_100']),
  drop('pg_class', 105, 'index', ['pg_toast', 'pg_toast_100_index']),
  drop('pg_constraint', 106, 'table constraint', ['public', 'zz1', 'zz1_pkey']),
  drop('pg_class', 102, 'index', ['public', 'zz1_pkey']),
  drop('pg_class', 103, 'index', ['public', 'zz1_name_idx']),
];

describe('scopeOf', () => {
  it('a DROP TABLE replaces the table and its parts, and reads neither types nor routines again (its TOAST table is no composite type)', () => {
    const scope = scopeOf(doc(DROP_TABLE), before, roles);
    expect(scope).not.toBeNull();
    expect(scope?.types).toBe(false);
    expect(scope?.routines).toBe(false);
    expect([...(scope?.replaced ?? [])].sort()).toEqual(
      ['public\u0000zz1', 'public\u0000zz1_id_seq', 'public\u0000zz1_name_idx', 'public\u0000zz1_pkey'].sort(),
    );
    expect([...(scope?.relations.keys() ?? [])]).toEqual([200]);
  });

  it('a dropped relation the map does not hold (a composite type) reads the types again', () => {
    const composite: EventRow[] = [
      ['drop', 'DROP TYPE', 'pg_type', 120, 'composite type', null, null, ['public.pair']],
      ['drop', 'DROP TYPE', 'pg_class', 121, 'composite type', null, null, ['public', 'pair']],
    ];
    expect(scopeOf(doc(composite), before, roles)?.types).toBe(true);
  });

  it('a log that is not intact, or a renamed role, means a full snapshot', () => {
    expect(scopeOf(doc(DROP_TABLE, { healthy: false }), before, roles)).toBeNull();
    expect(scopeOf(doc(DROP_TABLE, { roles: { '10': 'renamed' } }), before, roles)).toBeNull();
  });
});
