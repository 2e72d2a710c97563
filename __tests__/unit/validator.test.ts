import { blockingDiscrepancies, findDiscrepancies, highestVersion } from '../../lib/plan/validator';
import type { Discrepancy } from '../../lib/types';
import { appliedRow, pair } from '../helpers/pairs';

const p1 = pair(1, 'users');
const p2 = pair(2, 'orders');
const p3 = pair(3, 'index');

describe('findDiscrepancies', () => {
  it('finds nothing when every applied migration matches its files', () => {
    expect(findDiscrepancies([p1, p2, p3], [appliedRow(p1), appliedRow(p2)])).toEqual([]);
  });

  it('finds nothing with an empty ledger, or with nothing on disk and nothing applied', () => {
    expect(findDiscrepancies([p1, p2], [])).toEqual([]);
    expect(findDiscrepancies([], [])).toEqual([]);
  });

  it('reports an edited up script', () => {
    const edited = pair(2, 'orders', { up: 'SELECT 2; -- edited\n' });
    expect(findDiscrepancies([p1, edited], [appliedRow(p1), appliedRow(p2)])).toEqual([
      {
        kind: 'edited',
        version: 2n,
        name: 'orders',
        scripts: ['up'],
        paths: ['002_orders.up.sql', '002_orders.down.sql'],
      },
    ]);
  });

  it('reports an edited down script', () => {
    const edited = pair(2, 'orders', { down: 'DROP TABLE orders;\n' });
    expect(findDiscrepancies([edited], [appliedRow(p2)])).toMatchObject([
      { kind: 'edited', version: 2n, scripts: ['down'] },
    ]);
  });

  it('reports both scripts when both were edited', () => {
    const edited = pair(2, 'orders', { up: 'SELECT 20;', down: 'SELECT -20;' });
    expect(findDiscrepancies([edited], [appliedRow(p2)])).toMatchObject([{ kind: 'edited', scripts: ['up', 'down'] }]);
  });

  it('does not compare the down script when the ledger stored no down checksum', () => {
    const edited = pair(2, 'orders', { down: 'SELECT 0;' });
    expect(findDiscrepancies([edited], [appliedRow(p2, { downChecksum: null })])).toEqual([]);
  });

  it('reports a renamed pair, with the name in the ledger and on disk', () => {
    const renamed = pair(2, 'purchase_orders', { up: p2.up.body.text(), down: p2.down.body.text() });
    expect(findDiscrepancies([renamed], [appliedRow(p2)])).toEqual([
      {
        kind: 'renamed',
        version: 2n,
        name: 'purchase_orders',
        ledgerName: 'orders',
        paths: ['002_purchase_orders.up.sql', '002_purchase_orders.down.sql'],
      },
    ]);
  });

  it('reports an applied migration whose files are gone', () => {
    expect(findDiscrepancies([p1], [appliedRow(p1), appliedRow(p2)])).toEqual([
      { kind: 'missing', version: 2n, name: 'orders' },
    ]);
  });

  it('reports a failed row, and not an edit of its scripts', () => {
    const edited = pair(2, 'orders', { up: 'SELECT 22;' });
    expect(findDiscrepancies([p1, edited], [appliedRow(p1), appliedRow(p2, { state: 'failed' })])).toEqual([
      { kind: 'failed', version: 2n, name: 'orders', progress: null, path: null, inDoubt: null, holderPid: null },
    ]);
  });

  it('reports a row left running by a killed run (no session holds the lock) as interrupted, with its statement in doubt', () => {
    const script = pair(1, 'users', {
      up: '-- tidemark:no-transaction\nCREATE TABLE a (i int);\nCREATE INDEX CONCURRENTLY a_i ON a (i);\n',
    });
    const progress = {
      direction: 'up' as const,
      done: 1,
      total: 2,
      error: null,
      endedTransaction: false,
      inFlight: 2,
      pid: 4242,
    };
    expect(findDiscrepancies([script], [appliedRow(script, { state: 'running', progress })])).toEqual([
      {
        kind: 'interrupted',
        version: 1n,
        name: 'users',
        progress,
        path: '001_users.up.sql',
        inDoubt: { statement: 2, line: 3, text: 'CREATE INDEX CONCURRENTLY a_i ON a (i)' },
        holderPid: null,
      },
    ]);
    // Another session holds the lock, but not the one that wrote the row: still interrupted.
    expect(
      findDiscrepancies([script], [appliedRow(script, { state: 'running', progress })], undefined, 77)[0].kind,
    ).toBe('interrupted');
  });

  it('reports a row whose session holds the migration lock as running, which blocks nothing', () => {
    const progress = {
      direction: 'up' as const,
      done: 0,
      total: 1,
      error: null,
      endedTransaction: false,
      inFlight: 1,
      pid: 4242,
    };
    const found = findDiscrepancies([p1], [appliedRow(p1, { state: 'running', progress })], undefined, 4242);
    expect(found).toEqual([expect.objectContaining({ kind: 'running', holderPid: 4242, inDoubt: null })]);
    expect(blockingDiscrepancies(found, { allowOutOfOrder: false, strict: false })).toEqual([]);
  });

  it('reports a pending migration below the highest applied version', () => {
    expect(findDiscrepancies([p1, p2, p3], [appliedRow(p1), appliedRow(p3)])).toEqual([
      { kind: 'out-of-order', version: 2n, name: 'orders', path: '002_orders.up.sql', highestApplied: 3n },
    ]);
  });

  it('does not report pending migrations above the highest applied version', () => {
    expect(findDiscrepancies([p1, p2, p3], [appliedRow(p1)])).toEqual([]);
  });

  it('lists every discrepancy in version order', () => {
    const edited1 = pair(1, 'users', { up: 'SELECT 11;' });
    const p5 = pair(5, 'five');
    const found = findDiscrepancies([edited1, p2, p5], [appliedRow(p1), appliedRow(p3), appliedRow(p5)]);
    expect(found.map((d) => [d.kind, d.version])).toEqual([
      ['edited', 1n],
      ['out-of-order', 2n],
      ['missing', 3n],
    ]);
  });

  it('compares versions above 2^53 exactly', () => {
    const big = pair(9007199254740993n, 'big', { width: 1 });
    const next = pair(9007199254740992n, 'below', { width: 1 });
    expect(findDiscrepancies([next, big], [appliedRow(big)])).toMatchObject([
      { kind: 'out-of-order', version: 9007199254740992n },
    ]);
  });
});

describe('highestVersion', () => {
  it('is null for an empty ledger and the maximum otherwise, whatever the row order', () => {
    expect(highestVersion([])).toBeNull();
    expect(highestVersion([appliedRow(p3), appliedRow(p1), appliedRow(p2)])).toBe(3n);
  });
});

describe('blockingDiscrepancies', () => {
  const all: Discrepancy[] = [
    { kind: 'missing', version: 1n, name: 'a' },
    { kind: 'out-of-order', version: 2n, name: 'b', path: '002_b.up.sql', highestApplied: 3n },
    { kind: 'failed', version: 3n, name: 'c', progress: null, path: null, inDoubt: null, holderPid: null },
  ];

  it('keeps everything without --out-of-order', () => {
    expect(blockingDiscrepancies(all, { allowOutOfOrder: false, strict: false })).toEqual(all);
  });

  it('lets only out-of-order through with --out-of-order', () => {
    expect(blockingDiscrepancies(all, { allowOutOfOrder: true, strict: false }).map((d) => d.kind)).toEqual([
      'missing',
      'failed',
    ]);
  });
});
