/**
 * verify, repair, baseline: checking history and changing it on purpose.
 */
import {
  acceptFiles,
  ensureAudit,
  markApplied,
  markNotApplied,
  readAudit,
  recordBaseline,
  type AuditAction,
  type AuditEntry,
} from '../db/audit';
import { withCancellableClient } from '../db/cancel';
import { ensureLedger, readLedger } from '../db/ledger';
import { requireLedgerWrites, type TablePrivilege } from '../db/privileges';
import { withAdvisoryLock } from '../db/lock';
import { ConfigError } from '../errors';
import { mixedScripts, throwTransactionProblems, transactionProblems, type MixedScript } from '../plan/transactions';
import { findBranchConflicts, type BranchConflict } from '../plan/branches';
import { blockingDiscrepancies } from '../plan/validator';
import { migrationsAtRef } from '../source/git';
import { scan } from '../source/scanner';
import type { Discrepancy, Pair } from '../types';
import { connectionOf, ledgerOf, readHistory, type RunContext } from './context';

const STOPPED_READING = 'Stopped while reading the ledger (the query was cancelled); nothing was changed.';
const STOPPED_REPAIRING =
  'Stopped (the running query was cancelled and its transaction rolled back); a repair logged above as done stays done, nothing else was changed.';

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
    ? await withCancellableClient(
        connectionOf(ctx.config),
        ctx.logger,
        ctx.signal,
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

export interface RepairCandidate {
  readonly version: bigint;
  readonly name: string;
  /**
   * null: not something repair can accept (restore the files, or renumber; a
   * migration running now). `choose`: a failed or interrupted migration,
   * resolved with --applied or --not-applied.
   */
  readonly action: AuditAction | 'choose' | null;
  readonly discrepancy: Discrepancy;
}

export interface RepairOptions {
  /** Repair this version only. */
  readonly version?: bigint;
  /** Repair every repairable discrepancy. */
  readonly all?: boolean;
  /** Why; required to change anything, and kept in the audit table. */
  readonly reason?: string;
  /**
   * For a failed or interrupted migration: `applied` (finished by hand: the
   * row becomes applied) or `not-applied` (undone by hand: the row is removed).
   */
  readonly outcome?: 'applied' | 'not-applied';
}

export interface RepairReport {
  readonly candidates: readonly RepairCandidate[];
  /** The candidates that were repaired (empty when only listing). */
  readonly repaired: readonly RepairCandidate[];
}

function candidateFor(d: Discrepancy, outcome: RepairOptions['outcome']): RepairCandidate {
  const stopped = d.kind === 'failed' || d.kind === 'interrupted';
  const action: RepairCandidate['action'] =
    d.kind === 'edited' || d.kind === 'cosmetic'
      ? 'accept-edit'
      : d.kind === 'renamed'
        ? 'accept-rename'
        : stopped
          ? outcome === 'applied'
            ? 'mark-applied'
            : outcome === 'not-applied'
              ? 'mark-not-applied'
              : 'choose'
          : null;
  return { version: d.version, name: d.name, action, discrepancy: d };
}

function chooseRepairs(candidates: readonly RepairCandidate[], options: RepairOptions): RepairCandidate[] {
  if (options.version === undefined && !options.all) {
    if (options.outcome !== undefined)
      throw new ConfigError(
        `--${options.outcome} needs --version V (the failed or interrupted migration it resolves).`,
      );
    return [];
  }
  if (options.version !== undefined && options.all)
    throw new ConfigError('Use either --version V or --all with repair, not both.');
  if (options.reason === undefined || options.reason.trim() === '') {
    throw new ConfigError('repair needs --reason "…": it is kept in the audit table with who and when.');
  }
  const chosen = candidates.filter((c) => c.action !== null && (options.all || c.version === options.version));
  const undecided = chosen.filter((c) => c.action === 'choose');
  if (undecided.length > 0) {
    throw new ConfigError(
      `${undecided.map((c) => `Version ${c.version} (${c.name})`).join(', ')} stopped part-way: say how you resolved it by hand. ` +
        'Check the database first, then add --applied if you finished it (its row becomes applied), or --not-applied if you undid it (its row is removed).',
    );
  }
  if (options.version !== undefined && chosen.length === 0) {
    const running = candidates.some((c) => c.version === options.version && c.discrepancy.kind === 'running');
    throw new ConfigError(
      running
        ? `Version ${options.version} is running now (another tidemark run holds the lock); wait for it to finish.`
        : `Version ${options.version} has nothing repair can accept. Run \`tidemark repair\` to list what it can.`,
    );
  }
  if (
    options.outcome !== undefined &&
    options.version !== undefined &&
    !chosen.some((c) => c.action === 'mark-applied' || c.action === 'mark-not-applied')
  ) {
    throw new ConfigError(
      `--${options.outcome} is for a failed or interrupted migration; version ${options.version} is neither.`,
    );
  }
  return chosen;
}

/**
 * Lists what repair would change, or, with `version` or `all` and a
 * `reason`, accepts today's files (checksums, text, name) or clears `failed`
 * rows — one transaction per version, audited, under the lock.
 */
export async function repair(ctx: RunContext, options: RepairOptions): Promise<RepairReport> {
  const pairs = scan(ctx.config.dir);
  const ledger = ledgerOf(ctx.config);
  return withCancellableClient(connectionOf(ctx.config), ctx.logger, ctx.signal, STOPPED_REPAIRING, (client) =>
    withAdvisoryLock(client, ledger, { waitSeconds: ctx.config.lockWait, signal: ctx.signal }, ctx.logger, async () => {
      const history = await readHistory(client, ledger, pairs);
      const candidates = history.discrepancies.map((d) => candidateFor(d, options.outcome));
      const chosen = chooseRepairs(candidates, options);
      const repaired = dedupe(chosen);
      if (repaired.length > 0) {
        await requireLedgerWrites(client, ledger, repairWrites(repaired), REPAIR_WRITES);
        await ensureAudit(client, ledger);
      }
      const byVersion = new Map(pairs.map((p) => [p.version, p]));
      for (const c of repaired) {
        await client.query('BEGIN');
        try {
          if (c.action === 'mark-not-applied')
            await markNotApplied(client, ledger, c.version, options.reason as string);
          else if (c.action === 'mark-applied') await markApplied(client, ledger, c.version, options.reason as string);
          else
            await acceptFiles(
              client,
              ledger,
              byVersion.get(c.version) as Pair,
              c.action as 'accept-edit' | 'accept-rename',
              options.reason as string,
            );
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => {});
          throw err;
        }
        ctx.logger.info(
          { version: c.version.toString(), action: c.action },
          `repaired version ${c.version} (${c.action})`,
        );
      }
      return { candidates, repaired };
    }),
  );
}

const REPAIR_WRITES = 'repair rewrites ledger rows (UPDATE), and removes them for --not-applied (DELETE).';

/** The ledger privileges the chosen repairs need besides SELECT. */
function repairWrites(chosen: readonly RepairCandidate[]): TablePrivilege[] {
  const deletes = chosen.some((c) => c.action === 'mark-not-applied');
  const updates = chosen.some((c) => c.action !== 'mark-not-applied');
  return [...(updates ? ['UPDATE' as const] : []), ...(deletes ? ['DELETE' as const] : [])];
}

/**
 * One repair per version: a rename and an edit of one version are accepted
 * together, and clearing a failed row (which deletes it) makes both moot.
 */
const PRIORITY: Record<AuditAction, number> = {
  'mark-not-applied': 3,
  'mark-applied': 3,
  'clear-failed': 3,
  'accept-rename': 2,
  'accept-edit': 1,
  baseline: 0,
};
function dedupe(chosen: readonly RepairCandidate[]): RepairCandidate[] {
  const seen = new Map<bigint, RepairCandidate>();
  for (const c of chosen) {
    const kept = seen.get(c.version);
    if (!kept || PRIORITY[c.action as AuditAction] > PRIORITY[kept.action as AuditAction]) seen.set(c.version, c);
  }
  return [...seen.values()];
}

/**
 * Records every migration up to `version` as applied without running it,
 * for a database whose schema already exists.
 * @throws ConfigError when `version` is not on disk or the ledger has rows (exit 2).
 */
export async function baseline(
  ctx: RunContext,
  options: { version: bigint; reason?: string },
): Promise<readonly Pair[]> {
  const pairs = scan(ctx.config.dir);
  if (!pairs.some((p) => p.version === options.version)) {
    throw new ConfigError(
      `baseline --version ${options.version}: no migration with that version in ${ctx.config.dir}. Pick the last migration the database already has.`,
    );
  }
  const ledger = ledgerOf(ctx.config);
  const chosen = pairs.filter((p) => p.version <= options.version);
  return withCancellableClient(
    connectionOf(ctx.config),
    ctx.logger,
    ctx.signal,
    'Stopped (the running query was cancelled and rolled back); no baseline was recorded.',
    (client) =>
      withAdvisoryLock(
        client,
        ledger,
        { waitSeconds: ctx.config.lockWait, signal: ctx.signal },
        ctx.logger,
        async () => {
          const { rows } = await readLedger(client, ledger);
          if (rows.length > 0) {
            throw new ConfigError(
              `baseline refused: the ledger ${ledger.schema}.${ledger.table} already has ${rows.length} row(s); baseline is only for a database tidemark has never migrated. Use apply, or repair.`,
            );
          }
          if (!(await ensureLedger(client, ledger)))
            await requireLedgerWrites(
              client,
              ledger,
              ['INSERT'],
              'baseline records each migration in the ledger (INSERT).',
            );
          await ensureAudit(client, ledger);
          await client.query('BEGIN');
          try {
            for (const pair of chosen)
              await recordBaseline(client, ledger, pair, ctx.config.environment, options.reason ?? 'baseline');
            await client.query('COMMIT');
          } catch (err) {
            await client.query('ROLLBACK').catch(() => {});
            throw err;
          }
          return chosen;
        },
      ),
  );
}

/** The audit trail of repairs and baselines. Never writes. */
export function auditTrail(ctx: RunContext): Promise<AuditEntry[]> {
  return withCancellableClient(connectionOf(ctx.config), ctx.logger, ctx.signal, STOPPED_READING, (client) =>
    readAudit(client, ledgerOf(ctx.config)),
  );
}
