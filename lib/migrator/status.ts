/**
 * `status`: scan → session → read the ledger → report. Never writes, never locks.
 */
import { readAudit, type AuditEntry } from '../db/audit';
import { countStates, statusEntries } from '../plan/status';
import { scan } from '../source/scanner';
import type { Discrepancy, MigrationState, Pair, StatusEntry } from '../types';
import { ledgerOf, type RunContext } from './context';
import { readHistory } from './history';
import { STOPPED_READING, withSession } from './session';

export interface StatusReport {
  readonly entries: readonly StatusEntry[];
  /** The pairs on disk. */
  readonly pairs: readonly Pair[];
  /** Repairs and baselines, oldest first. */
  readonly audit: readonly AuditEntry[];
  readonly counts: Readonly<Record<MigrationState, number>>;
  readonly discrepancies: readonly Discrepancy[];
  readonly ledgerExists: boolean;
}

/** Every migration on disk or in the ledger with its state. Never writes, never locks. */
export async function status(ctx: RunContext): Promise<StatusReport> {
  const pairs = scan(ctx.config.dir);
  return withSession(ctx, STOPPED_READING, async (client) => {
    const { exists, rows, discrepancies } = await readHistory(client, ledgerOf(ctx.config), pairs);
    const entries = statusEntries(pairs, rows, discrepancies);
    const audit = exists ? await readAudit(client, ledgerOf(ctx.config)) : [];
    return { entries, pairs, audit, counts: countStates(entries), discrepancies, ledgerExists: exists };
  });
}
