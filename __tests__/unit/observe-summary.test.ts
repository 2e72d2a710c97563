import { kindOf, lockModeOf, summarise, type RelationFile, type SummaryInput } from '../../lib/observe/summary';
import type { ObservedLock, StatementObservation } from '../../lib/observe/types';

const lock = (relation: string, mode: ObservedLock['mode'], existed = true, kind = 'table'): ObservedLock => ({
  relation,
  kind,
  existed,
  mode,
});
const statement = (index: number, ms: number, locks: ObservedLock[]): StatementObservation => ({
  index,
  line: index * 2 + 1,
  text: `statement ${index}`,
  ms,
  locks,
});
const file = (oid: string, relation: string, relfilenode = oid): RelationFile => ({
  oid,
  relfilenode,
  relation,
  kind: 'table',
});

const input = (over: Partial<SummaryInput>): SummaryInput => ({
  transactional: true,
  statements: [],
  startedAt: [],
  endedAt: 0,
  before: [],
  after: [],
  ...over,
});

describe('lockModeOf', () => {
  test.each([
    ['AccessShareLock', 'ACCESS SHARE'],
    ['RowShareLock', 'ROW SHARE'],
    ['RowExclusiveLock', 'ROW EXCLUSIVE'],
    ['ShareUpdateExclusiveLock', 'SHARE UPDATE EXCLUSIVE'],
    ['ShareLock', 'SHARE'],
    ['ShareRowExclusiveLock', 'SHARE ROW EXCLUSIVE'],
    ['ExclusiveLock', 'EXCLUSIVE'],
    ['AccessExclusiveLock', 'ACCESS EXCLUSIVE'],
  ])('%s is %s', (pg, mode) => expect(lockModeOf(pg)).toBe(mode));

  test('a mode that is not a table lock mode', () => expect(lockModeOf('SIReadLock')).toBeNull());
});

test('kindOf names relkinds', () => {
  expect([kindOf('r'), kindOf('p'), kindOf('i'), kindOf('S'), kindOf('m')]).toEqual([
    'table',
    'partitioned table',
    'index',
    'sequence',
    'materialized view',
  ]);
});

describe('summarise, in a transaction', () => {
  // 0: CREATE TABLE n; 1: ALTER TABLE t (ACCESS EXCLUSIVE); 2: UPDATE t; COMMIT ends at 100 ms.
  const statements = [
    statement(0, 5, [lock('public.n', 'ACCESS EXCLUSIVE', false)]),
    statement(1, 10, [lock('public.n', 'ACCESS EXCLUSIVE', false), lock('public.t', 'ACCESS EXCLUSIVE')]),
    statement(2, 60, [
      lock('public.n', 'ACCESS EXCLUSIVE', false),
      lock('public.t', 'ACCESS EXCLUSIVE'),
      lock('public.u', 'ROW EXCLUSIVE'),
    ]),
  ];
  const summary = summarise(
    input({
      statements,
      startedAt: [0, 10, 25],
      endedAt: 100,
      before: [file('10', 'public.t'), file('20', 'public.u')],
      after: [file('10', 'public.t', '11'), file('20', 'public.u'), file('30', 'public.n')],
    }),
  );

  test('one entry per relation, in the order first locked', () =>
    expect(summary.map((r) => r.relation)).toEqual(['public.n', 'public.t', 'public.u']));

  test('the strongest mode, what it blocks, from which statement, held to the COMMIT', () =>
    expect(summary[1]).toEqual({
      relation: 'public.t',
      kind: 'table',
      existed: true,
      strongest: 'ACCESS EXCLUSIVE',
      blocks: 'blocks reads and writes until the transaction ends',
      rewritten: true,
      takenAt: 1,
      heldMs: 90,
      underAccessExclusive: [1, 2],
    }));

  test('a relation the script created is not rewritten; a weaker lock runs no statement under ACCESS EXCLUSIVE', () => {
    expect(summary[0]).toMatchObject({ existed: false, rewritten: false, takenAt: 0, heldMs: 100 });
    expect(summary[2]).toMatchObject({
      strongest: 'ROW EXCLUSIVE',
      rewritten: false,
      underAccessExclusive: [],
      heldMs: 75,
    });
  });
});

test('a stronger mode later: takenAt is the statement that took the strongest', () => {
  const [t] = summarise(
    input({
      statements: [
        statement(0, 1, [lock('public.t', 'SHARE UPDATE EXCLUSIVE')]),
        statement(1, 1, [lock('public.t', 'ACCESS EXCLUSIVE')]),
      ],
      startedAt: [0, 4],
      endedAt: 10,
    }),
  );
  expect(t).toMatchObject({ strongest: 'ACCESS EXCLUSIVE', takenAt: 1, heldMs: 6, underAccessExclusive: [1] });
});

test('a dropped relation (gone after) and one without storage (relfilenode 0) are not rewritten', () => {
  const summary = summarise(
    input({
      statements: [statement(0, 1, [lock('public.gone', 'ACCESS EXCLUSIVE'), lock('public.p', 'ACCESS EXCLUSIVE')])],
      startedAt: [0],
      endedAt: 2,
      before: [file('10', 'public.gone'), file('20', 'public.p', '0')],
      after: [file('20', 'public.p', '0')],
    }),
  );
  expect(summary.map((r) => r.rewritten)).toEqual([false, false]);
});

test('a new relation with the name of a dropped one is its own entry', () => {
  const summary = summarise(
    input({
      statements: [
        statement(0, 1, [lock('public.i', 'ACCESS EXCLUSIVE'), lock('public.i', 'ACCESS EXCLUSIVE', false)]),
      ],
      startedAt: [0],
      endedAt: 1,
    }),
  );
  expect(summary.map((r) => [r.relation, r.existed])).toEqual([
    ['public.i', true],
    ['public.i', false],
  ]);
});

test('without a transaction: held for the statement that took it; under ACCESS EXCLUSIVE only the statements that held it', () => {
  const summary = summarise(
    input({
      transactional: false,
      statements: [
        statement(0, 300, [lock('public.t', 'SHARE UPDATE EXCLUSIVE')]),
        statement(1, 2, []),
        statement(2, 40, [lock('public.u', 'ACCESS EXCLUSIVE')]),
        statement(3, 5, [lock('public.u', 'ACCESS EXCLUSIVE')]),
      ],
      startedAt: [0, 300, 302, 342],
      endedAt: 347,
    }),
  );
  expect(summary).toEqual([
    expect.objectContaining({ relation: 'public.t', strongest: 'SHARE UPDATE EXCLUSIVE', takenAt: 0, heldMs: 300 }),
    expect.objectContaining({ relation: 'public.u', takenAt: 2, heldMs: 40, underAccessExclusive: [2, 3] }),
  ]);
});
