/**
 * `verify`, the CI drift check: scan → check the scripts → branch order
 * (git) → with a database, session → read the ledger → report. Never writes.
 */
import type { Client } from 'pg';
import type { LintSettings } from '../config';
import { findBranchConflicts, type BranchConflict } from '../plan/branches';
import { mixedScripts, throwTransactionProblems, transactionProblems, type MixedScript } from '../plan/transactions';
import { blockingDiscrepancies } from '../plan/validator';
import { migrationsAtRef } from '../source/git';
import { scan } from '../source/scanner';
import type { Discrepancy, Pair } from '../types';
import { ledgerOf, type RunContext } from './context';
import { readHistory } from './history';
import type { LintReport } from './lint';
import { allUps, pendingUps, upsAdded, type SelectedScript, type Selection } from './lint-select';
import { STOPPED_READING, withSession } from './session';

export interface VerifyOptions {
  /** Compare with the database's ledger (false: check the files only). */
  readonly online: boolean;
  /** A git revision: migrations added since must sort above those that existed there. */
  readonly since?: string;
  /** Cosmetic edits fail too. */
  readonly strict?: boolean;
  /**
   * Lint the pending migrations too (the config's `"lint": {"inVerify": true}`),
   * with these settings: with a database, the versions not in the ledger;
   * without, those added since `since`, else every up script.
   */
  readonly lint?: LintSettings;
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
  /** With `lint`: what lint found in the pending migrations. */
  readonly lint?: LintReport;
}

/**
 * The CI drift check. Throws ScanError for a malformed directory (exit 2);
 * otherwise reports, and the caller exits 3 when `failing > 0`.
 */
export async function verify(ctx: RunContext, options: VerifyOptions): Promise<VerifyReport> {
  const pairs = scan(ctx.config.dir);
  const scripts = pairs.flatMap((p) => [p.up, p.down]);
  throwTransactionProblems(scripts.flatMap(transactionProblems), 'verify');
  const atRef = options.since === undefined ? undefined : migrationsAtRef(ctx.config.dir, options.since);
  const branchConflicts = atRef === undefined ? [] : findBranchConflicts(pairs, atRef, options.since as string);
  const { discrepancies, lint } = options.online
    ? await withSession(ctx, STOPPED_READING, async (client) => {
        const history = await readHistory(client, ledgerOf(ctx.config), pairs);
        const linted =
          options.lint && (await lintPending(ctx, options.lint, pendingUps(pairs, history.rows), 'pending', client));
        return { discrepancies: history.discrepancies, lint: linted };
      })
    : {
        discrepancies: [],
        lint:
          options.lint &&
          (await lintPending(
            ctx,
            options.lint,
            atRef === undefined ? allUps(pairs) : upsAdded(pairs, atRef),
            atRef === undefined ? 'all' : 'since',
          )),
      };
  const blocking = blockingDiscrepancies(discrepancies, { allowOutOfOrder: false, strict: options.strict === true });
  return {
    online: options.online,
    strict: options.strict === true,
    pairs,
    discrepancies,
    branchConflicts,
    mixed: mixedScripts(scripts),
    failing: blocking.length + branchConflicts.length,
    ...(lint ? { lint } : {}),
  };
}

/** lint.ts, loaded only when the config asks verify to lint. */
async function lintPending(
  ctx: RunContext,
  settings: LintSettings,
  scripts: readonly SelectedScript[],
  selection: Selection,
  client?: Client,
): Promise<LintReport> {
  const { lintScripts } = await import('./lint');
  return lintScripts(ctx, scripts, settings, { selection, ...(client ? { client } : {}) });
}
