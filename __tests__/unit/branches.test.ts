/**
 * Branch ordering, on plain values: which migrations added since a revision
 * sort below one that existed there, and the version to renumber them to.
 */
import { findBranchConflicts } from '../../lib/plan/branches';
import type { FileAtRef } from '../../lib/source/git';
import type { Pair } from '../../lib/types';
import { pair } from '../helpers/pairs';

/** The files of `pairs` as git would list them at a revision. */
const filesOf = (pairs: readonly Pair[]): FileAtRef[] =>
  pairs.flatMap((p) => [p.up, p.down].map((s) => ({ version: p.version, path: s.path })));

const p1 = pair(1, 'users');
const p2 = pair(2, 'orders');
const p3 = pair(3, 'from_a');
const p4 = pair(4, 'from_b');

describe('findBranchConflicts', () => {
  it('finds nothing when the migrations added since sort above every existing one', () => {
    expect(findBranchConflicts([p1, p2, p3, p4], filesOf([p1, p2, p3]), 'main')).toEqual([]);
  });

  it('finds nothing when nothing existed at the revision', () => {
    expect(findBranchConflicts([p1, p2], [], 'main')).toEqual([]);
  });

  it('names an added migration below the highest existing one, and the next free version', () => {
    expect(findBranchConflicts([p1, p2, p3, p4], filesOf([p1, p2, p4]), 'main')).toEqual([
      {
        ref: 'main',
        version: 3n,
        name: 'from_a',
        path: '003_from_a.up.sql',
        existing: { version: 4n, path: '004_from_b.up.sql' },
        suggestedVersion: '005',
      },
    ]);
  });

  it('suggests distinct versions above everything on disk when several conflict', () => {
    const p9 = pair(9, 'nine');
    const found = findBranchConflicts([p1, p2, p3, p4, p9], filesOf([p1, p4]), 'origin/main');
    expect(found.map((c) => [c.version, c.suggestedVersion])).toEqual([
      [2n, '010'],
      [3n, '011'],
    ]);
  });

  it('pads the suggestion like the directory: timestamps stay timestamps', () => {
    const old = pair(20261124093000n, 'old', { width: 14 });
    const late = pair(20261120080000n, 'late', { width: 14 });
    const [c] = findBranchConflicts([late, old], filesOf([old]), 'main');
    expect(c.suggestedVersion).toBe('20261124093001');
  });
});

describe('findBranchConflicts and moved files', () => {
  it('does not count a pair moved to another folder since the revision as added', () => {
    const moved = {
      ...p1,
      up: { ...p1.up, path: `old/${p1.up.path}` },
      down: { ...p1.down, path: `old/${p1.down.path}` },
    };
    expect(findBranchConflicts([moved, p2, p4], filesOf([p1, p2, p4]), 'main')).toEqual([]);
  });
});
