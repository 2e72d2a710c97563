/**
 * Validator: pairs on disk + ledger rows → discrepancies. Pure.
 */
import { splitStatements } from '../sql/lexer';
import type { AppliedText, Direction, Discrepancy, LedgerRow, Pair, StoppedMigration } from '../types';
import { isCosmeticEdit } from './cosmetic';

/**
 * Lists every way disk and ledger disagree, in version order:
 * an applied migration whose scripts were edited, renamed or deleted, a
 * `failed` row, and a pending migration below the highest applied version.
 * With `applied` (the scripts' text as applied, by version), an edit that
 * only touches comments and whitespace is classed `cosmetic`.
 */
export function findDiscrepancies(
  pairs: readonly Pair[],
  ledger: readonly LedgerRow[],
  applied: ReadonlyMap<bigint, AppliedText> = new Map(),
  /** The server process holding the migration lock now (not this session), when one does. */
  lockHolder: number | null = null,
): Discrepancy[] {
  const onDisk = new Map(pairs.map((p) => [p.version, p]));
  const found: Discrepancy[] = [];
  for (const row of ledger) {
    const pair = onDisk.get(row.version);
    if (row.state !== 'applied') found.push(stoppedMigration(row, pair, lockHolder));
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
      const before = applied.get(row.version);
      const texts = before ? Object.fromEntries(scripts.map((d) => [d, before[d] ?? null])) : undefined;
      const cosmetic = scripts.every((d) => isCosmeticEdit(before?.[d], pair[d].body.text()));
      found.push({
        kind: cosmetic ? 'cosmetic' : 'edited',
        version: row.version,
        name: pair.name,
        scripts,
        paths,
        ...(texts ? { applied: texts } : {}),
      });
    }
  }
  found.push(...outOfOrder(pairs, ledger));
  return found.sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
}

/** Pending migrations below the highest applied version. */
function outOfOrder(pairs: readonly Pair[], ledger: readonly LedgerRow[]): Discrepancy[] {
  const highestApplied = highestVersion(ledger);
  if (highestApplied === null) return [];
  const inLedger = new Set(ledger.map((r) => r.version));
  return pairs
    .filter((pair) => pair.version < highestApplied && !inLedger.has(pair.version))
    .map((pair) => ({
      kind: 'out-of-order',
      version: pair.version,
      name: pair.name,
      path: pair.up.path,
      highestApplied,
    }));
}

/**
 * A `running` row is running now when the migration lock is held by the
 * session that wrote it; otherwise that session is gone and it was
 * interrupted, with its in-flight statement in doubt.
 */
function stoppedMigration(row: LedgerRow, pair: Pair | undefined, lockHolder: number | null): StoppedMigration {
  const live = row.state === 'running' && lockHolder !== null && (row.progress?.pid ?? lockHolder) === lockHolder;
  const kind = row.state === 'failed' ? 'failed' : live ? 'running' : 'interrupted';
  const script = pair && row.progress ? pair[row.progress.direction] : null;
  const inFlight = row.progress?.inFlight ?? null;
  const statement =
    kind === 'interrupted' && script && inFlight !== null
      ? splitStatements(script.body.text())[inFlight - 1]
      : undefined;
  return {
    kind,
    version: row.version,
    name: row.name,
    progress: row.progress,
    path: script?.path ?? null,
    inDoubt: statement
      ? { statement: inFlight as number, line: statement.line, text: statement.text.split('\n')[0].slice(0, 100) }
      : null,
    holderPid: live ? lockHolder : null,
  };
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

export interface BlockingRules {
  /** `--out-of-order`: pending migrations below the highest applied one are allowed. */
  readonly allowOutOfOrder: boolean;
  /** `--strict`: cosmetic edits block too. */
  readonly strict: boolean;
  /** `--resume`: the failed migration of this version is being finished, not a blocker. */
  readonly resuming?: bigint;
}

/** Discrepancies that stop a run (and fail `verify`); the rest are warnings. */
export function blockingDiscrepancies(all: readonly Discrepancy[], rules: BlockingRules): Discrepancy[] {
  return all.filter(
    (d) =>
      !(rules.allowOutOfOrder && d.kind === 'out-of-order') &&
      !(!rules.strict && d.kind === 'cosmetic') &&
      d.kind !== 'running' &&
      !((d.kind === 'failed' || d.kind === 'interrupted') && d.version === rules.resuming),
  );
}

/** Versions whose stored checksums differ from the files: the ones whose applied text is worth reading. */
export function mismatchedVersions(pairs: readonly Pair[], ledger: readonly LedgerRow[]): bigint[] {
  const onDisk = new Map(pairs.map((p) => [p.version, p]));
  return ledger
    .filter((row) => {
      const pair = onDisk.get(row.version);
      return pair !== undefined && editedScripts(pair, row).length > 0;
    })
    .map((row) => row.version);
}
