// Lint's guessed lock beside the observed one, with plain observation values.
import type { Finding } from '../../../lib/lint/types';
import { compareWithLint, modeTakenBy, sameRelation } from '../../../lib/observe/lint-agreement';
import type { LockMode, MigrationObservation, StatementObservation } from '../../../lib/observe/types';

const lock = (relation: string, mode: LockMode) => ({ relation, kind: 'table', existed: true, mode });
const statement = (index: number, line: number, locks: StatementObservation['locks']): StatementObservation => ({
  index,
  line,
  text: `statement ${index}`,
  ms: 1,
  locks,
});

const observation: MigrationObservation = {
  version: 2n,
  name: 'orders',
  path: '002_orders.up.sql',
  direction: 'up',
  transactional: true,
  statements: [
    statement(0, 1, [lock('public.orders', 'ACCESS EXCLUSIVE')]),
    // CREATE INDEX after an ALTER: ACCESS EXCLUSIVE is still held, SHARE is new.
    statement(1, 3, [lock('public.orders', 'ACCESS EXCLUSIVE'), lock('public.orders', 'SHARE')]),
    statement(2, 5, [lock('public.orders', 'ACCESS EXCLUSIVE'), lock('public.orders', 'SHARE')]),
  ],
  relations: [],
  totalMs: 3,
};

const finding = (line: number, mode: LockMode, relation = 'orders'): Finding => ({
  rule: 'some-rule',
  severity: 'error',
  path: '002_orders.up.sql',
  line,
  column: 1,
  message: 'm',
  why: 'w',
  lock: { mode, relation, blocks: 'b' },
});

describe('lint and observation', () => {
  it('match a relation written without schema, with schema, or quoted', () => {
    expect(sameRelation('public.orders', 'orders')).toBe(true);
    expect(sameRelation('public.orders', 'public.orders')).toBe(true);
    expect(sameRelation('public.orders', 'app.orders')).toBe(false);
    expect(sameRelation('public.Orders', '"Orders"')).toBe(true);
    expect(sameRelation('public.orders', '"Orders"')).toBe(false);
  });

  it('take the mode a statement newly took, not one an earlier statement holds', () => {
    expect(modeTakenBy(observation.statements, 0, 'orders')).toBe('ACCESS EXCLUSIVE');
    expect(modeTakenBy(observation.statements, 1, 'orders')).toBe('SHARE');
    // Nothing new: the strongest held.
    expect(modeTakenBy(observation.statements, 2, 'orders')).toBe('ACCESS EXCLUSIVE');
    expect(modeTakenBy(observation.statements, 1, 'customers')).toBeNull();
  });

  it('agree when the guess is the observed mode, and say so when not', () => {
    const [same, other, none] = compareWithLint(
      [finding(3, 'SHARE'), finding(1, 'SHARE'), finding(4, 'SHARE', 'customers')],
      [observation],
    );
    expect(same).toMatchObject({ agrees: true, guessed: 'SHARE', observed: 'SHARE', line: 3 });
    expect(other).toMatchObject({ agrees: false, guessed: 'SHARE', observed: 'ACCESS EXCLUSIVE' });
    expect(other?.message).toMatch(/PostgreSQL took ACCESS EXCLUSIVE there: one of them is wrong/);
    expect(none).toMatchObject({ agrees: false, observed: null });
  });

  it('leave out findings without a lock or without an observed script', () => {
    const { lock: _lock, ...noLock } = finding(1, 'SHARE');
    expect(compareWithLint([noLock, { ...finding(1, 'SHARE'), path: '009_other.up.sql' }], [observation])).toEqual([]);
  });
});
