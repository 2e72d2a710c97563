/**
 * Validator: pairs on disk + ledger rows → discrepancies. Pure.
 */
import type { Direction, Discrepancy, LedgerRow, Pair } from '../types';

/**
 * Lists every way disk and ledger disagree, in version order:
 * an applied migration whose scripts were edited, renamed or deleted, a
 * `failed` row, and a pending migration below the highest applied version.
 */
export function findDiscrepancies(pairs: readonly Pair[], ledger: readonly LedgerRow[]): Discrepancy[] {
  const onDisk = new Map(pairs.map((p) => [p.version, p]));
  const inLedger = new Set(ledger.map((r) => r.version));
  const found: Discrepancy[] = [];
  for (const row of ledger) {
    const pair = onDisk.get(row.version);
    if (row.state !== 'applied') found.push({ kind: 'failed', version: row.version, name: row.name });
    if (!pair) {
      found.push({ kind: 'missing', version: row.version, name: row.name });
      continue;
    }
    const paths = [pair.up.path, pair.down.path];
    if (pair.name !== row.name) {
      found.push({ kind: 'renamed', version: row.version, name: pair.name, ledgerName: row.name, paths });
    }
    const scripts = editedScripts(pair, row);
    if (scripts.length > 0 && row.state === 'applied') {
      found.push({ kind: 'edited', version: row.version, name: pair.name, scripts, paths });
    }
  }
  const highestApplied = highestVersion(ledger);
  if (highestApplied !== null) {
    for (const pair of pairs) {
      if (pair.version < highestApplied && !inLedger.has(pair.version)) {
        found.push({ kind: 'out-of-order', version: pair.version, name: pair.name, path: pair.up.path, highestApplied });
      }
    }
  }
  return found.sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
}

function editedScripts(pair: Pair, row: LedgerRow): Direction[] {
  const edited: Direction[] = [];
  if (pair.up.checksum !== row.upChecksum) edited.push('up');
  if (row.downChecksum !== null && pair.down.checksum !== row.downChecksum) edited.push('down');
  return edited;
}

/** The highest version in the ledger, or null when it is empty. */
export function highestVersion(ledger: readonly LedgerRow[]): bigint | null {
  let max: bigint | null = null;
  for (const row of ledger) if (max === null || row.version > max) max = row.version;
  return max;
}

/** Discrepancies that stop `apply` and `rollback`; `--out-of-order` lets pending ones below the top through. */
export function blockingDiscrepancies(all: readonly Discrepancy[], allowOutOfOrder: boolean): Discrepancy[] {
  return all.filter((d) => !(allowOutOfOrder && d.kind === 'out-of-order'));
}
