/**
 * What every use case shares: the context, and reading history (ledger +
 * discrepancies) the same way everywhere.
 */
import type { Client } from 'pg';
import type { Config } from '../config';
import type { StepEvent } from '../types';
import { readAppliedScripts, readLedger, type LedgerTable } from '../db/ledger';
import { lockHolder } from '../db/lock';
import { DriftError } from '../errors';
import type { Logger } from '../log';
import { blockingDiscrepancies, findDiscrepancies, mismatchedVersions, type BlockingRules } from '../plan/validator';
import type { Discrepancy, LedgerRow, Pair } from '../types';

export interface RunContext {
  readonly config: Config;
  readonly logger: Logger;
  /** Aborting it (reason `SIGINT`/`SIGTERM`) cancels the running query, rolls it back and stops the run. */
  readonly signal?: AbortSignal;
  /** Called as each step starts (the CLI's live progress line). */
  readonly onStepStart?: (event: StepEvent) => void;
}

export const ledgerOf = (config: Config): LedgerTable => ({ schema: config.schema, table: config.table });
export const connectionOf = (config: Config) => ({ url: config.url, wait: config.wait });

export interface History {
  readonly exists: boolean;
  readonly rows: readonly LedgerRow[];
  readonly discrepancies: readonly Discrepancy[];
}

/**
 * Reads the ledger in one query and compares it with the pairs. The applied
 * text of scripts is read only for versions whose checksums differ, so a
 * clean history costs one query.
 */
export async function readHistory(client: Client, ledger: LedgerTable, pairs: readonly Pair[]): Promise<History> {
  const { exists, rows } = await readLedger(client, ledger);
  const mismatched = mismatchedVersions(pairs, rows);
  const applied = mismatched.length > 0 ? await readAppliedScripts(client, ledger, mismatched) : undefined;
  // A `running` row: is its run going on now? Only then is the lock holder looked up.
  const holder = rows.some((r) => r.state === 'running') ? await lockHolder(client, ledger) : null;
  return { exists, rows, discrepancies: findDiscrepancies(pairs, rows, applied, holder) };
}

/**
 * Throws DriftError for blocking discrepancies; logs the others (cosmetic
 * edits, allowed out-of-order migrations) as warnings.
 */
export function guardHistory(history: History, rules: BlockingRules, logger: Logger): void {
  const blocking = blockingDiscrepancies(history.discrepancies, rules);
  if (blocking.length > 0) throw new DriftError(blocking);
  for (const d of history.discrepancies) {
    if (d.kind === 'cosmetic')
      logger.warn(
        { version: d.version.toString(), kind: d.kind },
        `${d.paths[0]} (version ${d.version}): only comments or whitespace changed since it was applied`,
      );
  }
}
