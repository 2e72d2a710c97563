import { diffSnapshots, type SchemaDifference } from '../../lib/schema';
import { column, emptySnapshot, enumType, index, ownerGrants, routine, sequence, table } from '../helpers/snapshots';

const descriptions = (differences: SchemaDifference[]) => differences.map((d) => d.description);

describe('diffSnapshots', () => {
  it('finds nothing between equal snapshots', () => {
    const s = emptySnapshot({ tables: [table('t')], columns: [column('t', 'c', 1)] });
    expect(diffSnapshots(s, structuredClone(s))).toEqual([]);
  });

  it('says "still exists" for an extra object and "is missing" for an absent one', () => {
    const withIndex = emptySnapshot({ tables: [table('t')], indexes: [index('t', 't_c_idx', 'c')] });
    const without = emptySnapshot({ tables: [table('t')] });
    expect(diffSnapshots(without, withIndex)).toEqual([
      {
        kind: 'added',
        objectType: 'index',
        identity: 'public.t_c_idx',
        subject: 'index t_c_idx on public.t',
        description: 'index t_c_idx on public.t still exists',
        after: 'CREATE INDEX t_c_idx ON public.t USING btree (c)',
      },
    ]);
    expect(diffSnapshots(withIndex, without)).toMatchObject([
      { kind: 'removed', description: 'index t_c_idx on public.t is missing' },
    ]);
  });

  it('reports a missing table once, not its columns, indexes or owned sequences', () => {
    const full = emptySnapshot({
      tables: [table('t')],
      columns: [column('t', 'id', 1, { default: "nextval('public.t_id_seq'::regclass)" })],
      indexes: [index('t', 't_id_idx', 'id')],
      sequences: [sequence('t_id_seq', 'public.t.id')],
    });
    expect(descriptions(diffSnapshots(full, emptySnapshot()))).toEqual(['table public.t is missing']);
  });

  it('words a changed property "changed from … to …"', () => {
    const before = emptySnapshot({
      tables: [table('molecules')],
      columns: [column('molecules', 'mass', 1, { type: 'numeric' })],
    });
    const after = emptySnapshot({
      tables: [table('molecules')],
      columns: [column('molecules', 'mass', 1, { type: 'double precision' })],
    });
    expect(diffSnapshots(before, after)).toEqual([
      {
        kind: 'changed',
        objectType: 'column',
        identity: 'public.molecules.mass',
        property: 'type',
        description: 'column public.molecules.mass: type changed from numeric to double precision',
        before: 'numeric',
        after: 'double precision',
      },
    ]);
  });

  it('words a property that appeared or vanished "expected …, found …"', () => {
    const withDefault = emptySnapshot({ tables: [table('t')], columns: [column('t', 'c', 1, { default: '42' })] });
    const without = emptySnapshot({ tables: [table('t')], columns: [column('t', 'c', 1)] });
    expect(descriptions(diffSnapshots(withDefault, without))).toEqual([
      'default of column public.t.c: expected 42, found none',
    ]);
    expect(descriptions(diffSnapshots(without, withDefault))).toEqual([
      'default of column public.t.c: expected none, found 42',
    ]);
  });

  it('does not quote a long or multi-line value in the description, but keeps both in before/after', () => {
    const body = (n: number) => `BEGIN\n  RETURN ${n};\nEND`;
    const [d] = diffSnapshots(
      emptySnapshot({ routines: [routine('f', 'integer', { body: body(1) })] }),
      emptySnapshot({ routines: [routine('f', 'integer', { body: body(2) })] }),
    );
    expect(d).toMatchObject({
      description: 'function public.f(integer): body changed',
      before: body(1),
      after: body(2),
    });
  });

  it('names functions by argument types, so overloads are different objects', () => {
    const both = emptySnapshot({ routines: [routine('f', 'integer'), routine('f', 'text')] });
    const one = emptySnapshot({ routines: [routine('f', 'text')] });
    expect(descriptions(diffSnapshots(both, one))).toEqual(['function public.f(integer) is missing']);
  });

  it('reports enum labels one by one, and a reordering of the labels both sides share', () => {
    const before = emptySnapshot({ types: [enumType('mood', ['sad', 'ok'])] });
    expect(
      descriptions(diffSnapshots(before, emptySnapshot({ types: [enumType('mood', ['sad', 'ok', 'happy'])] }))),
    ).toEqual(["enum public.mood: label 'happy' still exists"]);
    expect(descriptions(diffSnapshots(before, emptySnapshot({ types: [enumType('mood', ['ok', 'sad'])] })))).toEqual([
      'enum public.mood: label order changed from sad, ok to ok, sad',
    ]);
  });

  it('does not call later columns moved when an earlier one is missing', () => {
    const three = emptySnapshot({
      tables: [table('t')],
      columns: [column('t', 'a', 1), column('t', 'b', 2), column('t', 'c', 3)],
    });
    const two = emptySnapshot({ tables: [table('t')], columns: [column('t', 'b', 1), column('t', 'c', 2)] });
    expect(descriptions(diffSnapshots(three, two))).toEqual(['column public.t.a is missing']);
  });

  it('reports comments, owners and grants as differences of their own', () => {
    const before = emptySnapshot({ tables: [table('t', { comment: 'old' })] });
    const after = emptySnapshot({
      tables: [
        table('t', {
          comment: null,
          owner: 'alice',
          grants: [
            ...ownerGrants.map((g) => ({ ...g, grantee: 'alice', grantor: 'alice' })),
            { grantee: 'PUBLIC', privilege: 'SELECT', grantable: false, grantor: 'alice' },
          ],
        }),
      ],
    });
    expect(diffSnapshots(before, after).map((d) => [d.kind, d.objectType, d.description])).toEqual([
      ['changed', 'owner', 'table public.t: owner changed from postgres to alice'],
      ['removed', 'comment', "comment 'old' on table public.t is missing"],
      ['added', 'grant', 'grant SELECT on table public.t to PUBLIC still exists'],
    ]);
  });

  it('orders differences by kind of object, then identity', () => {
    const after = emptySnapshot({
      schemas: [...emptySnapshot().schemas, { name: 'app', owner: 'postgres', grants: [], comment: null }],
      tables: [table('b'), table('a')],
      routines: [routine('f', '')],
    });
    expect(descriptions(diffSnapshots(emptySnapshot(), after))).toEqual([
      'schema app still exists',
      'table public.a still exists',
      'table public.b still exists',
      'function public.f() still exists',
    ]);
  });
});
