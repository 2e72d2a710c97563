/**
 * What `repair` can do about each discrepancy, and which repairs the options
 * choose. Pure.
 */
import type { AuditAction } from '../db/audit';
import type { TablePrivilege } from '../db/privileges';
import { ConfigError } from '../errors';
import type { Discrepancy } from '../types';

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

/** What repair would do about `d`, given the outcome the user stated. */
export function candidateFor(d: Discrepancy, outcome: RepairOptions['outcome']): RepairCandidate {
  return { version: d.version, name: d.name, action: actionFor(d, outcome), discrepancy: d };
}

function actionFor(d: Discrepancy, outcome: RepairOptions['outcome']): RepairCandidate['action'] {
  if (d.kind === 'edited' || d.kind === 'cosmetic') return 'accept-edit';
  if (d.kind === 'renamed') return 'accept-rename';
  if (d.kind !== 'failed' && d.kind !== 'interrupted') return null;
  return outcome === 'applied' ? 'mark-applied' : outcome === 'not-applied' ? 'mark-not-applied' : 'choose';
}

/**
 * The repairs to make, one per version; none when only listing.
 * @throws ConfigError for options that do not fit together or fit no candidate.
 */
export function chooseRepairs(candidates: readonly RepairCandidate[], options: RepairOptions): RepairCandidate[] {
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
  checkChosen(chosen, candidates, options);
  return dedupe(chosen);
}

function checkChosen(
  chosen: readonly RepairCandidate[],
  candidates: readonly RepairCandidate[],
  options: RepairOptions,
): void {
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

/** The ledger privileges the chosen repairs need besides SELECT. */
export function repairWrites(chosen: readonly RepairCandidate[]): TablePrivilege[] {
  const deletes = chosen.some((c) => c.action === 'mark-not-applied');
  const updates = chosen.some((c) => c.action !== 'mark-not-applied');
  return [...(updates ? ['UPDATE' as const] : []), ...(deletes ? ['DELETE' as const] : [])];
}
