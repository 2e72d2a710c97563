/**
 * `rollback`: scan → check the options → session (lock) → read the ledger →
 * guard → plan → check the plan → execute → report.
 */
import { checkRollbackOptions, planRollback, type RollbackPlanOptions } from '../plan/planner';
import { scan } from '../source/scanner';
import type { LedgerRow, Pair, Plan } from '../types';
import type { RunContext } from './context';
import { resumeIfAsked } from './resume';
import { checkPlan, checkRunFlags, execute, readGuardedHistory, startClock, withRunSession } from './run';
import type { RunFlags, RunResult } from './run';

export interface RollbackOptions extends RollbackPlanOptions, RunFlags {}

/**
 * Rolls back applied migrations, highest version first: the most recent one,
 * or everything above `target`, or `steps` of them.
 * @throws as `apply`, and IrreversibleError (exit 2) before anything runs.
 */
export async function rollback(ctx: RunContext, options: RollbackOptions = {}): Promise<RunResult> {
  const started = startClock();
  checkRunFlags(options);
  const pairs = scan(ctx.config.dir);
  checkRollbackOptions(options);
  return withRunSession(ctx, options, async (client) => {
    const history = await readGuardedHistory(client, ctx, pairs, options);
    const planned = planFor(pairs, history.rows, options);
    const resumed = await resumeIfAsked(client, planned, { pairs, rows: history.rows }, options, ctx.logger);
    const plan = await checkPlan(resumed, options, ctx.logger, client);
    return execute(ctx, client, { pairs, history, plan, options, started });
  });
}

/** `rollback --resume` alone finishes the interrupted rollback: that is its one step, not one more besides. */
function planFor(pairs: readonly Pair[], rows: readonly LedgerRow[], options: RollbackOptions): Plan {
  const finishOnly = options.resume === true && options.target === undefined && options.steps === undefined;
  return finishOnly ? { direction: 'down', steps: [] } : planRollback(pairs, rows, options);
}
