/**
 * `repair`: scan → session (lock) → read the ledger → choose the repairs →
 * check the privileges → repair each version in its own transaction → report.
 */
import { escapeIdentifier, type Client } from 'pg';
import { acceptFiles, ensureAudit, markApplied, markNotApplied } from '../db/audit';
import type { LedgerTable } from '../db/ledger';
import { requireLedgerWrites } from '../db/privileges';
import { withTransaction } from '../db/transaction';
import { scan } from '../source/scanner';
import type { Pair } from '../types';
import { ledgerOf, type RunContext } from './context';
import { readHistory } from './history';
import {
  candidateFor,
  chooseRepairs,
  repairWrites,
  type RepairCandidate,
  type RepairOptions,
} from './repair-candidates';
import { withLock, withSession } from './session';

export type { RepairCandidate, RepairOptions } from './repair-candidates';

export interface RepairReport {
  readonly candidates: readonly RepairCandidate[];
  /** The candidates that were repaired (empty when only listing). */
  readonly repaired: readonly RepairCandidate[];
  /** The audit table the repairs are recorded in, quoted as in SQL: `"public"."tidemark_migrations_audit"`. */
  readonly auditTable: string;
}

const STOPPED_REPAIRING =
  'Stopped (the running query was cancelled and its transaction rolled back); a repair logged above as done stays done, nothing else was changed.';
const REPAIR_WRITES = 'repair rewrites ledger rows (UPDATE), and removes them for --not-applied (DELETE).';

/**
 * Lists what repair would change, or, with `version` or `all` and a
 * `reason`, accepts today's files (checksums, text, name) or clears `failed`
 * rows — one transaction per version, audited, under the lock.
 * @throws ConfigError (exit 2) for options that fit nothing, PrivilegeError (2), LockTimeoutError (4).
 */
export async function repair(ctx: RunContext, options: RepairOptions): Promise<RepairReport> {
  const pairs = scan(ctx.config.dir);
  const ledger = ledgerOf(ctx.config);
  const auditTable = `${escapeIdentifier(ledger.schema)}.${escapeIdentifier(`${ledger.table}_audit`)}`;
  return withSession(ctx, STOPPED_REPAIRING, (client) =>
    withLock(ctx, client, async () => {
      const history = await readHistory(client, ledger, pairs);
      const candidates = history.discrepancies.map((d) => candidateFor(d, options.outcome));
      const repaired = chooseRepairs(candidates, options);
      if (repaired.length > 0) {
        await requireLedgerWrites(client, ledger, repairWrites(repaired), REPAIR_WRITES);
        await ensureAudit(client, ledger);
      }
      const byVersion = new Map(pairs.map((p) => [p.version, p]));
      for (const c of repaired) {
        await withTransaction(client, () => repairOne(client, ledger, c, byVersion, options.reason as string));
        ctx.logger.info(
          { version: c.version.toString(), action: c.action },
          `repaired version ${c.version} (${c.action})`,
        );
      }
      return { candidates, repaired, auditTable };
    }),
  );
}

/** One version's repair, audited, inside the caller's transaction. */
function repairOne(
  client: Client,
  ledger: LedgerTable,
  c: RepairCandidate,
  byVersion: ReadonlyMap<bigint, Pair>,
  reason: string,
): Promise<void> {
  if (c.action === 'mark-not-applied') return markNotApplied(client, ledger, c.version, reason);
  if (c.action === 'mark-applied') return markApplied(client, ledger, c.version, reason);
  const pair = byVersion.get(c.version) as Pair;
  return acceptFiles(client, ledger, pair, c.action as 'accept-edit' | 'accept-rename', reason);
}
