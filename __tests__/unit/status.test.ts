import { countStates, statusEntries } from '../../lib/plan/status';
import { findDiscrepancies } from '../../lib/plan/validator';
import type { LedgerRow, Pair } from '../../lib/types';
import { appliedRow, pair } from '../helpers/pairs';

const entriesFor = (pairs: Pair[], ledger: LedgerRow[]) =>
  statusEntries(pairs, ledger, findDiscrepancies(pairs, ledger));

describe('statusEntries', () => {
  it('gives one entry per version on disk or in the ledger, in version order, with its state', () => {
    const p1 = pair(1, 'a');
    const p2 = pair(2, 'b');
    const p4 = pair(4, 'd');
    const p5 = pair(5, 'e');
    const edited2 = pair(2, 'b', { up: 'SELECT 22;' });
    const renamed4 = pair(4, 'd_renamed', { up: p4.up.body.text(), down: p4.down.body.text() });
    const ledger = [
      appliedRow(p5, { state: 'failed' }),
      appliedRow(pair(3, 'c')),
      appliedRow(p4),
      appliedRow(p2),
      appliedRow(p1),
    ];
    const entries = entriesFor([p1, edited2, renamed4, p5, pair(6, 'f')], ledger);
    expect(entries.map((e) => [e.version, e.name, e.state, e.path])).toEqual([
      [1n, 'a', 'applied', '001_a.up.sql'],
      [2n, 'b', 'modified', '002_b.up.sql'],
      [3n, 'c', 'missing', null],
      [4n, 'd_renamed', 'modified', '004_d_renamed.up.sql'],
      [5n, 'e', 'failed', '005_e.up.sql'],
      [6n, 'f', 'pending', '006_f.up.sql'],
    ]);
    expect(entries[0].appliedAt).toEqual(ledger[4].appliedAt);
    expect(entries[5].appliedAt).toBeNull();
  });

  it('shows a comment-only edit as cosmetic, and one that PostgreSQL reads differently as modified', () => {
    const applied = "SELECT 'a'\n'b';\n";
    const p1 = pair(1, 'a', { up: applied });
    const p2 = pair(2, 'b', { up: applied });
    const commented = pair(1, 'a', { up: `-- why\n${applied}`, down: p1.down.body.text() });
    const joined = pair(2, 'b', { up: "SELECT 'a' 'b';\n", down: p2.down.body.text() });
    const ledger = [appliedRow(p1), appliedRow(p2)];
    const kept = new Map([
      [1n, { up: applied }],
      [2n, { up: applied }],
    ]);
    const entries = statusEntries([commented, joined], ledger, findDiscrepancies([commented, joined], ledger, kept));
    expect(entries.map((e) => [e.version, e.state])).toEqual([
      [1n, 'cosmetic'],
      [2n, 'modified'],
    ]);
    expect(countStates(entries)).toMatchObject({ applied: 0, modified: 1, cosmetic: 1 });
  });

  it('shows a failed row whose files are gone as failed', () => {
    const gone = pair(1, 'a');
    expect(entriesFor([], [appliedRow(gone, { state: 'failed' })])).toMatchObject([
      { version: 1n, state: 'failed', path: null },
    ]);
  });
});

describe('countStates', () => {
  it('counts every state, zero included', () => {
    const p1 = pair(1, 'a');
    const counts = countStates(entriesFor([p1, pair(2, 'b'), pair(3, 'c')], [appliedRow(p1)]));
    expect(counts).toEqual({
      applied: 1,
      pending: 2,
      modified: 0,
      cosmetic: 0,
      missing: 0,
      failed: 0,
      interrupted: 0,
      running: 0,
    });
  });
});
