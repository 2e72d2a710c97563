import { formatMs, judgeBudget } from '../../lib/observe/budget';
import type { MigrationObservation, RelationObservation, StatementObservation } from '../../lib/observe/types';

const statement = (index: number, line: number, ms = 1): StatementObservation => ({
  index,
  line,
  text: `statement ${index}`,
  ms,
  locks: [],
});

const relation = (over: Partial<RelationObservation>): RelationObservation => ({
  relation: 'public.t',
  kind: 'table',
  existed: true,
  strongest: 'ACCESS EXCLUSIVE',
  blocks: 'blocks reads and writes until the transaction ends',
  rewritten: false,
  takenAt: 1,
  heldMs: 250,
  underAccessExclusive: [1],
  ...over,
});

const migration = (
  relations: RelationObservation[],
  over: Partial<MigrationObservation> = {},
): MigrationObservation => ({
  version: 2n,
  name: 'alter',
  path: '002_alter.up.sql',
  direction: 'up',
  transactional: true,
  statements: [statement(0, 1), statement(1, 4, 200)],
  relations,
  totalMs: 260,
  ...over,
});

test('no budget, no breach', () => expect(judgeBudget([migration([relation({})])], {})).toEqual([]));

test('a mode stronger than maxLock on an existing relation', () => {
  expect(judgeBudget([migration([relation({})])], { maxLock: 'SHARE UPDATE EXCLUSIVE' })).toEqual([
    {
      path: '002_alter.up.sql',
      relation: 'public.t',
      kind: 'mode',
      mode: 'ACCESS EXCLUSIVE',
      heldMs: 250,
      line: 4,
      message:
        'public.t: ACCESS EXCLUSIVE (blocks reads and writes until the transaction ends), taken by the statement at line 4 and held 250 ms; the budget allows at most SHARE UPDATE EXCLUSIVE',
    },
  ]);
});

test('maxLock itself, and weaker modes, are allowed', () => {
  const relations = [
    relation({ strongest: 'SHARE UPDATE EXCLUSIVE', relation: 'public.a' }),
    relation({ strongest: 'ROW EXCLUSIVE', relation: 'public.b' }),
  ];
  expect(judgeBudget([migration(relations)], { maxLock: 'SHARE UPDATE EXCLUSIVE' })).toEqual([]);
});

test('SHARE (CREATE INDEX) breaks a SHARE UPDATE EXCLUSIVE budget and says it blocks writes', () => {
  const [breach] = judgeBudget([migration([relation({ strongest: 'SHARE', underAccessExclusive: [] })])], {
    maxLock: 'SHARE UPDATE EXCLUSIVE',
  });
  expect(breach).toMatchObject({ kind: 'mode', mode: 'SHARE' });
  expect(breach.message).toMatch(/^public\.t: SHARE \(blocks writes \(INSERT, UPDATE, DELETE\)/);
});

test('a relation the migration created breaks no budget', () => {
  const created = relation({ existed: false, heldMs: 10_000 });
  expect(judgeBudget([migration([created])], { maxLock: 'ACCESS SHARE', maxLockMs: 1 })).toEqual([]);
});

test('ACCESS EXCLUSIVE held longer than maxLockMs', () => {
  const breaches = judgeBudget([migration([relation({})])], { maxLockMs: 100 });
  expect(breaches).toEqual([
    expect.objectContaining({ kind: 'duration', mode: 'ACCESS EXCLUSIVE', heldMs: 250, line: 4, relation: 'public.t' }),
  ]);
  expect(breaches[0].message).toBe(
    'public.t: ACCESS EXCLUSIVE (blocks reads and writes until the transaction ends) held 250 ms, taken by the statement at line 4; the budget allows it for at most 100 ms',
  );
});

test('within maxLockMs, or a long hold of a weaker mode: no duration breach', () => {
  expect(judgeBudget([migration([relation({})])], { maxLockMs: 250 })).toEqual([]);
  const share = relation({ strongest: 'SHARE', heldMs: 9_000, underAccessExclusive: [] });
  expect(judgeBudget([migration([share])], { maxLockMs: 100 })).toEqual([]);
});

test('both budgets broken: two breaches, mode first', () => {
  const kinds = judgeBudget([migration([relation({})])], { maxLock: 'SHARE', maxLockMs: 10 }).map((b) => b.kind);
  expect(kinds).toEqual(['mode', 'duration']);
});

test('without a transaction, the longest statement that held ACCESS EXCLUSIVE is judged', () => {
  const noTx = migration([relation({ takenAt: 0, heldMs: 3, underAccessExclusive: [0, 2] })], {
    transactional: false,
    statements: [statement(0, 1, 3), statement(1, 2, 900), statement(2, 7, 400)],
  });
  expect(judgeBudget([noTx], { maxLockMs: 100 })).toEqual([
    expect.objectContaining({ kind: 'duration', heldMs: 400, line: 7 }),
  ]);
});

test('breaches of several migrations, in order', () => {
  const first = migration([relation({})]);
  const second = migration([relation({ relation: 'public.u' })], { path: '003_more.up.sql' });
  expect(judgeBudget([first, second], { maxLock: 'EXCLUSIVE' }).map((b) => [b.path, b.relation])).toEqual([
    ['002_alter.up.sql', 'public.t'],
    ['003_more.up.sql', 'public.u'],
  ]);
});

test('formatMs', () =>
  expect([formatMs(0.44), formatMs(12.4), formatMs(1234.5)]).toEqual(['0.4 ms', '12 ms', '1235 ms']));
