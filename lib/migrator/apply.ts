/**
 * `apply`: scan → check the options → session (lock) → read the ledger →
 * guard → plan → check the plan → execute → report.
 */
import { checkApplyOptions, planApply, type ApplyPlanOptions } from '../plan/planner';
import { scan } from '../source/scanner';
import type { RunContext } from './context';
import { resumeIfAsked } from './resume';
import { checkPlan, checkRunFlags, execute, readGuardedHistory, startClock, withRunSession } from './run';
import type { RunFlags, RunResult } from './run';

export interface ApplyOptions extends ApplyPlanOptions, RunFlags {
  /** Apply the whole batch in one transaction. */
  readonly singleTransaction?: boolean;
}

/**
 * Applies pending migrations in version order, each in its own transaction
 * with its ledger row (or all in one with `singleTransaction`). The
 * directory and the options are checked before connecting.
 * @throws ScanError, ConfigError (exit 2), DriftError (3), MigrationFailedError (1),
 *   LockTimeoutError (4), ConnectionError (5).
 */
export async function apply(ctx: RunContext, options: ApplyOptions = {}): Promise<RunResult> {
  const started = startClock();
  checkRunFlags(options);
  const pairs = scan(ctx.config.dir);
  checkApplyOptions(pairs, options);
  return withRunSession(ctx, options, async (client) => {
    const history = await readGuardedHistory(client, ctx, pairs, options);
    const planned = planApply(pairs, history.rows, options);
    const resumed = await resumeIfAsked(client, planned, { pairs, rows: history.rows }, options, ctx.logger);
    const plan = await checkPlan(resumed, options, ctx.logger, client);
    return execute(ctx, client, { pairs, history, plan, options, started });
  });
}
