/**
 * Status: pairs + ledger → one entry per version, on disk or in the ledger. Pure.
 */
import type { Discrepancy, LedgerRow, MigrationState, Pair, StatusEntry, StoppedMigration } from '../types';

/** One entry per version, in version order, with the state `status` shows. */
export function statusEntries(
  pairs: readonly Pair[],
  ledger: readonly LedgerRow[],
  discrepancies: readonly Discrepancy[],
): StatusEntry[] {
  const rows = new Map(ledger.map((r) => [r.version, r]));
  const changed = new Map<bigint, MigrationState>();
  for (const d of discrepancies) {
    if (d.kind === 'edited' || d.kind === 'renamed') changed.set(d.version, 'modified');
    else if (d.kind === 'cosmetic' && !changed.has(d.version)) changed.set(d.version, 'cosmetic');
  }
  const stopped = new Map(
    discrepancies
      .filter((d): d is StoppedMigration => d.kind === 'failed' || d.kind === 'interrupted' || d.kind === 'running')
      .map((d) => [d.version, d]),
  );
  const entries: StatusEntry[] = pairs.map((pair) => {
    const row = rows.get(pair.version);
    const stop = stopped.get(pair.version);
    const state: MigrationState = !row
      ? 'pending'
      : stop
        ? stop.kind
        : row.state !== 'applied'
          ? 'failed'
          : (changed.get(pair.version) ?? 'applied');
    return {
      version: pair.version,
      name: pair.name,
      state,
      appliedAt: row?.appliedAt ?? null,
      path: pair.up.path,
      ...(stop ? { stopped: stop } : {}),
    };
  });
  const onDisk = new Set(pairs.map((p) => p.version));
  for (const row of ledger) {
    if (onDisk.has(row.version)) continue;
    const stop = stopped.get(row.version);
    const state: MigrationState = row.state === 'applied' ? 'missing' : stop ? stop.kind : 'failed';
    entries.push({
      version: row.version,
      name: row.name,
      state,
      appliedAt: row.appliedAt,
      path: null,
      ...(stop ? { stopped: stop } : {}),
    });
  }
  return entries.sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
}

/** Count of entries per state, every state present. */
export function countStates(entries: readonly StatusEntry[]): Record<MigrationState, number> {
  const counts: Record<MigrationState, number> = {
    applied: 0,
    pending: 0,
    modified: 0,
    cosmetic: 0,
    missing: 0,
    failed: 0,
    interrupted: 0,
    running: 0,
  };
  for (const e of entries) counts[e.state]++;
  return counts;
}
