import { ConfigError, IrreversibleError } from '../../lib/errors';
import { planApply, planRollback } from '../../lib/plan/planner';
import type { Plan } from '../../lib/types';
import { appliedRow, pair, versionsOf } from '../helpers/pairs';

const pairs = [1, 2, 3, 4, 5].map((v) => pair(v, `m${v}`));
const [p1, p2, p3, p4, p5] = pairs;

/** What threw, for assertions on class and fields. */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

const directions = (plan: Plan) => plan.steps.map((s) => s.direction);

describe('planApply', () => {
  it('applies every pending migration in version order', () => {
    const shuffled = [p3, p1, p5, p2, p4];
    const plan = planApply(
      [...shuffled].sort((a, b) => Number(a.version - b.version)),
      [appliedRow(p1), appliedRow(p2)],
    );
    expect(plan.direction).toBe('up');
    expect(versionsOf(plan.steps)).toEqual([3n, 4n, 5n]);
    expect(directions(plan)).toEqual(['up', 'up', 'up']);
    expect(plan.steps[0].pair).toBe(p3);
  });

  it('applies everything to an empty ledger', () => {
    expect(versionsOf(planApply(pairs, []).steps)).toEqual([1n, 2n, 3n, 4n, 5n]);
  });

  it('plans nothing when everything is applied', () => {
    expect(
      planApply(
        pairs,
        pairs.map((p) => appliedRow(p)),
      ).steps,
    ).toEqual([]);
  });

  it('stops at --target, inclusive', () => {
    expect(versionsOf(planApply(pairs, [appliedRow(p1)], { target: 3n }).steps)).toEqual([2n, 3n]);
  });

  it('plans nothing for a --target already applied', () => {
    expect(planApply(pairs, [appliedRow(p1), appliedRow(p2)], { target: 2n }).steps).toEqual([]);
  });

  it('refuses a --target that is not on disk with ConfigError', () => {
    expect(thrownBy(() => planApply(pairs, [], { target: 6n }))).toBeInstanceOf(ConfigError);
    expect(thrownBy(() => planApply([p1, p3], [], { target: 2n }))).toMatchObject({ code: 'config', exitCode: 2 });
  });

  it('does not re-apply a failed row', () => {
    expect(versionsOf(planApply([p1, p2], [appliedRow(p1, { state: 'failed' })]).steps)).toEqual([2n]);
  });
});

describe('planRollback', () => {
  const history = [appliedRow(p1), appliedRow(p2), appliedRow(p3), appliedRow(p4)];

  it('rolls back the most recent migration by default', () => {
    const plan = planRollback(pairs, history);
    expect(plan.direction).toBe('down');
    expect(versionsOf(plan.steps)).toEqual([4n]);
    expect(directions(plan)).toEqual(['down']);
  });

  it('picks the highest version, whatever order the ledger rows come in', () => {
    expect(versionsOf(planRollback(pairs, [...history].reverse()).steps)).toEqual([4n]);
  });

  it('rolls back everything above --target, highest first, and keeps the target', () => {
    expect(versionsOf(planRollback(pairs, history, { target: 2n }).steps)).toEqual([4n, 3n]);
  });

  it('rolls back everything with --target 0', () => {
    expect(versionsOf(planRollback(pairs, history, { target: 0n }).steps)).toEqual([4n, 3n, 2n, 1n]);
  });

  it('--target 0 rolls back a version 0 too: "all" means all', () => {
    const p0 = pair(0, 'zero');
    const withZero = [p0, ...pairs];
    const rows = [appliedRow(p0), appliedRow(p1), appliedRow(p2)];
    expect(versionsOf(planRollback(withZero, rows, { target: 0n }).steps)).toEqual([2n, 1n, 0n]);
    expect(versionsOf(planRollback(withZero, rows, { target: 1n }).steps)).toEqual([2n]);
    expect(versionsOf(planRollback(withZero, rows, { steps: 2 }).steps)).toEqual([2n, 1n]);
  });

  it('plans nothing for a --target at or above the highest applied version', () => {
    expect(planRollback(pairs, history, { target: 4n }).steps).toEqual([]);
    expect(planRollback(pairs, history, { target: 9n }).steps).toEqual([]);
  });

  it('rolls back --steps N, most recent first', () => {
    expect(versionsOf(planRollback(pairs, history, { steps: 3 }).steps)).toEqual([4n, 3n, 2n]);
    expect(versionsOf(planRollback(pairs, history, { steps: 10 }).steps)).toEqual([4n, 3n, 2n, 1n]);
  });

  it('plans nothing when nothing is applied', () => {
    expect(planRollback(pairs, []).steps).toEqual([]);
  });

  it('skips failed rows: they are repaired, not rolled back', () => {
    expect(versionsOf(planRollback(pairs, [appliedRow(p1), appliedRow(p2, { state: 'failed' })]).steps)).toEqual([1n]);
  });

  it('refuses --target together with --steps with ConfigError', () => {
    expect(thrownBy(() => planRollback(pairs, history, { target: 1n, steps: 1 }))).toBeInstanceOf(ConfigError);
  });

  it.each([0, -1, 1.5])('refuses --steps %s with ConfigError', (steps) => {
    expect(thrownBy(() => planRollback(pairs, history, { steps }))).toBeInstanceOf(ConfigError);
  });

  it('refuses an irreversible or empty down script, listing each refused script', () => {
    const marked = pair(3, 'm3', { down: '-- tidemark:irreversible\n-- data is gone\n' });
    const empty = pair(4, 'm4', { down: '-- nothing to undo\n' });
    const err = thrownBy(() => planRollback([p1, p2, marked, empty], history, { target: 1n }));
    expect(err).toBeInstanceOf(IrreversibleError);
    expect(err).toMatchObject({
      code: 'irreversible',
      exitCode: 2,
      refused: [
        { version: 4n, name: 'm4', path: '004_m4.down.sql', reason: 'empty' },
        { version: 3n, name: 'm3', path: '003_m3.down.sql', reason: 'marked' },
      ],
    });
  });

  it('does not refuse when the irreversible migration stays applied', () => {
    const marked = pair(2, 'm2', { down: '-- tidemark:irreversible\n' });
    expect(versionsOf(planRollback([p1, marked, p3, p4], history, { target: 2n }).steps)).toEqual([4n, 3n]);
  });
});
