/**
 * `baseline`: scan → check the version → session (lock) → read the ledger →
 * guard (it must be empty) → create the ledger → record every migration up
 * to the version in one transaction → report.
 */
import type { Client } from 'pg';
import { ensureAudit, recordBaseline } from '../db/audit';
import { ensureLedger, readLedger, type LedgerTable } from '../db/ledger';
import { requireLedgerWrites } from '../db/privileges';
import { withTransaction } from '../db/transaction';
import { ConfigError } from '../errors';
import { scan } from '../source/scanner';
import type { Pair } from '../types';
import { ledgerOf, type RunContext } from './context';
import { withLock, withSession } from './session';

export interface BaselineOptions {
  /** The last migration the database already has. */
  readonly version: bigint;
  /** Kept in the audit table (default `baseline`). */
  readonly reason?: string;
}

const STOPPED_BASELINE = 'Stopped (the running query was cancelled and rolled back); no baseline was recorded.';

/**
 * Records every migration up to `version` as applied without running it,
 * for a database whose schema already exists.
 * @throws ConfigError when `version` is not on disk or the ledger has rows (exit 2).
 */
export async function baseline(ctx: RunContext, options: BaselineOptions): Promise<readonly Pair[]> {
  const chosen = pairsUpTo(scan(ctx.config.dir), options.version, ctx.config.dir);
  const ledger = ledgerOf(ctx.config);
  return withSession(ctx, STOPPED_BASELINE, (client) =>
    withLock(ctx, client, async () => {
      await requireEmptyLedger(client, ledger);
      await prepareLedger(client, ledger);
      const reason = options.reason ?? 'baseline';
      await withTransaction(client, async () => {
        for (const pair of chosen) await recordBaseline(client, ledger, pair, ctx.config.environment, reason);
      });
      return chosen;
    }),
  );
}

/** @throws ConfigError when `version` is not on disk. */
function pairsUpTo(pairs: readonly Pair[], version: bigint, dir: string): Pair[] {
  if (!pairs.some((p) => p.version === version)) {
    throw new ConfigError(
      `baseline --version ${version}: no migration with that version in ${dir}. Pick the last migration the database already has.`,
    );
  }
  return pairs.filter((p) => p.version <= version);
}

/** @throws ConfigError when the ledger has rows: baseline is for a database tidemark never migrated. */
async function requireEmptyLedger(client: Client, ledger: LedgerTable): Promise<void> {
  const { rows } = await readLedger(client, ledger);
  if (rows.length > 0) {
    throw new ConfigError(
      `baseline refused: the ledger ${ledger.schema}.${ledger.table} already has ${rows.length} row(s); baseline is only for a database tidemark has never migrated. Use apply, or repair.`,
    );
  }
}

/** Creates the ledger (or checks INSERT on an existing one) and the audit table. */
async function prepareLedger(client: Client, ledger: LedgerTable): Promise<void> {
  if (!(await ensureLedger(client, ledger)))
    await requireLedgerWrites(client, ledger, ['INSERT'], 'baseline records each migration in the ledger (INSERT).');
  await ensureAudit(client, ledger);
}
