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
  const changed = changedStates(discrepancies);
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
    return entry(pair.version, pair.name, state, row?.appliedAt ?? null, pair.up.path, stop);
  });
  const onDisk = new Set(pairs.map((p) => p.version));
  for (const row of ledger) {
    if (onDisk.has(row.version)) continue;
    const stop = stopped.get(row.version);
    const state: MigrationState = row.state === 'applied' ? 'missing' : stop ? stop.kind : 'failed';
    entries.push(entry(row.version, row.name, state, row.appliedAt, null, stop));
  }
  return entries.sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
}

/** The state of applied migrations changed on disk: `modified` (an edit or rename) wins over `cosmetic`. */
function changedStates(discrepancies: readonly Discrepancy[]): Map<bigint, MigrationState> {
  const changed = new Map<bigint, MigrationState>();
  for (const d of discrepancies) {
    if (d.kind === 'edited' || d.kind === 'renamed') changed.set(d.version, 'modified');
    else if (d.kind === 'cosmetic' && !changed.has(d.version)) changed.set(d.version, 'cosmetic');
  }
  return changed;
}

function entry(
  version: bigint,
  name: string,
  state: MigrationState,
  appliedAt: StatusEntry['appliedAt'],
  path: string | null,
  stop: StoppedMigration | undefined,
): StatusEntry {
  return { version, name, state, appliedAt, path, ...(stop ? { stopped: stop } : {}) };
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
