/**
 * Planner: pairs + ledger + options → plan. Pure.
 */
import { ConfigError, IrreversibleError } from '../errors';
import type { LedgerRow, Pair, Plan } from '../types';

export interface ApplyPlanOptions {
  /** Apply pending migrations up to and including this version; it must exist on disk. */
  readonly target?: bigint;
}

export interface RollbackPlanOptions {
  /** Roll back every applied migration above this version; 0 rolls back all, a version 0 included. */
  readonly target?: bigint;
  /** Roll back this many migrations, most recent first. */
  readonly steps?: number;
}

/**
 * The apply options that can be checked against the files alone, before connecting.
 * @throws ConfigError when `target` is not a version on disk.
 */
export function checkApplyOptions(pairs: readonly Pair[], { target }: ApplyPlanOptions): void {
  if (target !== undefined && !pairs.some((p) => p.version === target)) {
    throw new ConfigError(
      `--target ${target} is not a migration in the directory. Pick a version that exists on disk (tidemark status lists them).`,
    );
  }
}

/**
 * The pending pairs in version order, up to `target`.
 * @throws ConfigError when `target` is not a version on disk.
 */
export function planApply(pairs: readonly Pair[], ledger: readonly LedgerRow[], options: ApplyPlanOptions = {}): Plan {
  checkApplyOptions(pairs, options);
  const { target } = options;
  const applied = new Set(ledger.map((r) => r.version));
  const steps = pairs
    .filter((p) => !applied.has(p.version) && (target === undefined || p.version <= target))
    .map((pair) => ({ direction: 'up' as const, pair }));
  return { direction: 'up', steps };
}

/**
 * The rollback options that can be checked alone, before connecting.
 * @throws ConfigError when both `target` and `steps` are given, or steps < 1.
 */
export function checkRollbackOptions({ target, steps }: RollbackPlanOptions): void {
  if (target !== undefined && steps !== undefined) {
    throw new ConfigError('Use either --target or --steps with rollback, not both.');
  }
  if (steps !== undefined && (!Number.isInteger(steps) || steps < 1)) {
    throw new ConfigError(`--steps must be a whole number of 1 or more (got ${steps}).`);
  }
}

/**
 * Applied migrations to roll back, highest version first. Without options,
 * the single most recent one.
 * @throws ConfigError when both `target` and `steps` are given, or steps < 1.
 * @throws IrreversibleError when a step's down script is marked irreversible or empty.
 */
export function planRollback(
  pairs: readonly Pair[],
  ledger: readonly LedgerRow[],
  options: RollbackPlanOptions = {},
): Plan {
  checkRollbackOptions(options);
  const { target, steps } = options;
  const onDisk = new Map(pairs.map((p) => [p.version, p]));
  const history = [...ledger]
    .filter((r) => r.state === 'applied')
    .sort((a, b) => (a.version > b.version ? -1 : a.version < b.version ? 1 : 0));
  // `--target 0` is "roll back all" (SPEC §4): a migration numbered 0 goes too, or "all" would keep it.
  const chosen =
    target === 0n
      ? history
      : target !== undefined
        ? history.filter((r) => r.version > target)
        : history.slice(0, steps ?? 1);
  const planned = chosen.map((row) => onDisk.get(row.version)).filter((p): p is Pair => p !== undefined);
  const refused = planned
    .filter((p) => p.down.directives.irreversible || p.down.isEmpty)
    .map((p) => ({
      version: p.version,
      name: p.name,
      path: p.down.path,
      reason: p.down.directives.irreversible ? ('marked' as const) : ('empty' as const),
    }));
  if (refused.length > 0) throw new IrreversibleError(refused);
  return { direction: 'down', steps: planned.map((pair) => ({ direction: 'down' as const, pair })) };
}
