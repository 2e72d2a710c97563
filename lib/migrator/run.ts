/**
 * The steps apply and rollback share, in the order they run: check the flags,
 * open the session (the lock unless a dry run), read and guard history,
 * check the plan, execute it, report.
 */
import type { Client } from 'pg';
import { runSteps } from '../db/executor';
import { serverMajorVersion } from '../db/lint-facts';
import { ConfigError } from '../errors';
import type { Logger } from '../log';
import { enumValueHazards } from '../plan/enum-values';
import type { Assume } from '../plan/in-doubt';
import { stuckRow } from '../plan/resume';
import { checkTransactions } from '../plan/transactions';
import type { Pair, Plan, StepOutcome } from '../types';
import { ledgerOf, settingsOf, type RunContext } from './context';
import { sqlScriptOf } from './dry-run';
import { guardHistory, readHistory, type History } from './history';
import { assertNoInvalidIndex } from './resume';
import { withLock, withSession } from './session';

export interface RunFlags {
  /** Print the plan, change nothing (no lock, no ledger table). */
  readonly dryRun?: boolean;
  /** First finish the non-transactional migration that failed, from its failed statement. */
  readonly resume?: boolean;
  /** Let pending migrations below the highest applied one through. */
  readonly outOfOrder?: boolean;
  /** With resume: the user's word on a statement in doubt that the catalog cannot decide. */
  readonly assume?: Assume;
  /** With dryRun: also render the SQL the run would send, as a psql script (RunResult.sql). */
  readonly sql?: boolean;
}

/** The flags as the shared steps read them: apply's, with `singleTransaction`; rollback's, without. */
export type StepFlags = RunFlags & { readonly singleTransaction?: boolean };

export interface RunResult {
  readonly plan: Plan;
  readonly dryRun: boolean;
  readonly completed: readonly StepOutcome[];
  /** With `dryRun` and `sql`: what the run would send, in order, as a psql script. */
  readonly sql?: string;
  /** Pending migrations on disk after the run. */
  readonly pending: number;
  readonly durationMs: number;
}

/** A run once planned: what `execute` needs. */
export interface PlannedRun {
  readonly pairs: readonly Pair[];
  readonly history: History;
  readonly plan: Plan;
  readonly options: StepFlags;
  /** From startClock(). */
  readonly started: bigint;
}

const STOPPED_BEFORE_RUNNING =
  'Stopped before any migration ran (the query it was waiting for was cancelled); the database was not changed.';

/** Not performance.now(): that global loads perf_hooks, on every run. */
export const startClock = (): bigint => process.hrtime.bigint();

/** @throws ConfigError for `sql` without `dryRun`. */
export function checkRunFlags(options: RunFlags): void {
  if (options.sql && !options.dryRun)
    throw new ConfigError(
      '--sql prints what a dry run would send: add --dry-run (to run the migrations, leave out --sql).',
    );
}

/** Connects and, unless this is a dry run (which changes nothing), takes the lock around `body`. */
export function withRunSession<T>(
  ctx: RunContext,
  options: RunFlags,
  body: (client: Client) => Promise<T>,
): Promise<T> {
  return withSession(ctx, STOPPED_BEFORE_RUNNING, (client) =>
    options.dryRun ? body(client) : withLock(ctx, client, () => body(client)),
  );
}

/**
 * Reads history and stops on drift (the migration being resumed excepted).
 * @throws DriftError (exit 3); ConfigError for `assume` without `resume`.
 */
export async function readGuardedHistory(
  client: Client,
  ctx: RunContext,
  pairs: readonly Pair[],
  options: RunFlags,
): Promise<History> {
  const history = await readHistory(client, ledgerOf(ctx.config), pairs);
  const resuming = options.resume ? stuckRow(history.rows)?.version : undefined;
  guardHistory(history, { allowOutOfOrder: options.outOfOrder === true, strict: false, resuming }, ctx.logger);
  if (!options.resume && options.assume !== undefined)
    throw new ConfigError(`--assume-${options.assume} goes with --resume.`);
  return history;
}

/**
 * Refuses a plan whose scripts cannot run as asked; warns about enum values
 * added and used in one transaction (not, on PostgreSQL 17 and later, when
 * that transaction created the type too: asked of the server only then).
 * @throws TransactionSafetyError, TransactionControlError (exit 2).
 */
export async function checkPlan(plan: Plan, options: StepFlags, logger: Logger, client: Client): Promise<Plan> {
  checkTransactions(plan, options.singleTransaction === true);
  const hazards = enumValueHazards(plan, options.singleTransaction === true);
  const acceptsNewTypes = hazards.some((h) => h.typeCreatedHere) && (await serverMajorVersion(client)) >= 17;
  for (const h of hazards.filter((h) => !(h.typeCreatedHere && acceptsNewTypes)))
    logger.warn(
      { code: 'enum-value-in-transaction', type: h.type, label: h.label, added: h.added, used: h.used },
      h.message,
    );
  return plan;
}

/**
 * Runs the plan's steps (a dry run: renders the SQL when asked) and reports.
 * @throws MigrationFailedError (exit 1), InterruptedError, and the executor's other errors.
 */
export async function execute(ctx: RunContext, client: Client, run: PlannedRun): Promise<RunResult> {
  const { config, logger } = ctx;
  const { plan, history, options } = run;
  if (options.dryRun)
    return report(
      run,
      [],
      options.sql ? await sqlScriptOf(client, plan, history.exists, config, options, ctx.searchPath) : undefined,
    );
  if (plan.steps.length === 0) return report(run, []);
  await assertNoInvalidIndex(client, plan);
  const completed = await runSteps(client, plan.steps, {
    createLedger: !history.exists,
    ledger: ledgerOf(config),
    settings: settingsOf(config, ctx.searchPath),
    singleTransaction: options.singleTransaction === true,
    logger,
    resumeFrom: plan.resumeFrom,
    retries: config.retries,
    signal: ctx.signal, // the cancel itself is the session's: one per signal
    onStepStart: ctx.onStepStart,
  });
  return report(run, completed);
}

function report(run: PlannedRun, completed: readonly StepOutcome[], sql?: string): RunResult {
  return {
    plan: run.plan,
    dryRun: run.options.dryRun === true,
    completed,
    ...(sql === undefined ? {} : { sql }),
    pending: pendingCount(run, completed),
    durationMs: Math.round(Number(startClock() - run.started) / 1e6),
  };
}

function pendingCount({ pairs, history, plan }: PlannedRun, completed: readonly StepOutcome[]): number {
  const applied = new Set(history.rows.map((r) => r.version));
  for (const { step } of completed) {
    if (plan.direction === 'up') applied.add(step.pair.version);
    else applied.delete(step.pair.version);
  }
  return pairs.filter((p) => !applied.has(p.version)).length;
}
