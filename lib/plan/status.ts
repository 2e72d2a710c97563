/**
 * Status: pairs + ledger → one entry per version, on disk or in the ledger. Pure.
 */
import type { Discrepancy, LedgerRow, MigrationState, Pair, StatusEntry } from '../types';

/** One entry per version, in version order, with the state `status` shows. */
export function statusEntries(pairs: readonly Pair[], ledger: readonly LedgerRow[], discrepancies: readonly Discrepancy[]): StatusEntry[] {
  const rows = new Map(ledger.map((r) => [r.version, r]));
  const modified = new Set(discrepancies.filter((d) => d.kind === 'edited' || d.kind === 'cosmetic' || d.kind === 'renamed').map((d) => d.version));
  const entries: StatusEntry[] = pairs.map((pair) => {
    const row = rows.get(pair.version);
    const state: MigrationState = !row ? 'pending' : row.state !== 'applied' ? 'failed' : modified.has(pair.version) ? 'modified' : 'applied';
    return { version: pair.version, name: pair.name, state, appliedAt: row?.appliedAt ?? null, path: pair.up.path };
  });
  const onDisk = new Set(pairs.map((p) => p.version));
  for (const row of ledger) {
    if (onDisk.has(row.version)) continue;
    entries.push({ version: row.version, name: row.name, state: row.state === 'applied' ? 'missing' : 'failed', appliedAt: row.appliedAt, path: null });
  }
  return entries.sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
}

/** Count of entries per state, every state present. */
export function countStates(entries: readonly StatusEntry[]): Record<MigrationState, number> {
  const counts: Record<MigrationState, number> = { applied: 0, pending: 0, modified: 0, missing: 0, failed: 0 };
  for (const e of entries) counts[e.state]++;
  return counts;
}
