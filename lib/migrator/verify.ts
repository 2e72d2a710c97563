/**
 * `verify`, the CI drift check: scan → check the scripts → branch order
 * (git) → with a database, session → read the ledger → report. Never writes.
 */
import { findBranchConflicts, type BranchConflict } from '../plan/branches';
import { mixedScripts, throwTransactionProblems, transactionProblems, type MixedScript } from '../plan/transactions';
import { blockingDiscrepancies } from '../plan/validator';
import { migrationsAtRef } from '../source/git';
import { scan } from '../source/scanner';
import type { Discrepancy, Pair } from '../types';
import { ledgerOf, type RunContext } from './context';
import { readHistory } from './history';
import { STOPPED_READING, withSession } from './session';

export interface VerifyOptions {
  /** Compare with the database's ledger (false: check the files only). */
  readonly online: boolean;
  /** A git revision: migrations added since must sort above those that existed there. */
  readonly since?: string;
  /** Cosmetic edits fail too. */
  readonly strict?: boolean;
}

export interface VerifyReport {
  readonly online: boolean;
  /** The pairs on disk, well formed. */
  readonly pairs: readonly Pair[];
  readonly discrepancies: readonly Discrepancy[];
  readonly branchConflicts: readonly BranchConflict[];
  /** `--strict`: cosmetic edits fail. */
  readonly strict: boolean;
  /** Warnings: no-transaction scripts that also hold ordinary DDL. */
  readonly mixed: readonly MixedScript[];
  /** Discrepancies and conflicts that fail the check (the rest are warnings). */
  readonly failing: number;
}

/**
 * The CI drift check. Throws ScanError for a malformed directory (exit 2);
 * otherwise reports, and the caller exits 3 when `failing > 0`.
 */
export async function verify(ctx: RunContext, options: VerifyOptions): Promise<VerifyReport> {
  const pairs = scan(ctx.config.dir);
  const scripts = pairs.flatMap((p) => [p.up, p.down]);
  throwTransactionProblems(scripts.flatMap(transactionProblems), 'verify');
  const branchConflicts =
    options.since === undefined
      ? []
      : findBranchConflicts(pairs, migrationsAtRef(ctx.config.dir, options.since), options.since);
  const discrepancies = options.online
    ? await withSession(
        ctx,
        STOPPED_READING,
        async (client) => (await readHistory(client, ledgerOf(ctx.config), pairs)).discrepancies,
      )
    : [];
  const blocking = blockingDiscrepancies(discrepancies, { allowOutOfOrder: false, strict: options.strict === true });
  return {
    online: options.online,
    strict: options.strict === true,
    pairs,
    discrepancies,
    branchConflicts,
    mixed: mixedScripts(scripts),
    failing: blocking.length + branchConflicts.length,
  };
}
