/**
 * apply, rollback, status, create.
 *
 * Order: scan the directory first (a malformed directory is refused before
 * anything is sent to the database), then connect → take the lock → read the
 * ledger → validate → plan → create the ledger if needed → execute → report.
 * The lock is taken before the ledger is read or created, so two runners can
 * neither race on CREATE TABLE nor both see the same migration as pending.
 */
import type { Client } from 'pg';
import type { Config } from '../config';
import { readAudit, type AuditEntry } from '../db/audit';
import { withCancellableClient } from '../db/cancel';
import { runSteps } from '../db/executor';
import type { StepOutcome } from '../types';
import { renderSqlScript, schemaExists } from '../db/sql-script';
import { withAdvisoryLock } from '../db/lock';
import { planApply, planRollback, type ApplyPlanOptions, type RollbackPlanOptions } from '../plan/planner';
import { countStates, statusEntries } from '../plan/status';
import { assertValidName, createPair, ensureDirectory, type CreatedPair } from '../source/create';
import { inspect, scan } from '../source/scanner';
import { findInvalidIndexes } from '../db/no-transaction';
import { ConfigError } from '../errors';
import { planResume, stuckRow } from '../plan/resume';
import { checkTransactions } from '../plan/transactions';
import { enumValueHazards } from '../plan/enum-values';
import { splitStatements } from '../sql/lexer';
import { decideInDoubt, indexQuestion, type Assume } from '../plan/in-doubt';
import { indexFacts } from '../db/in-doubt';
import type { Logger } from '../log';
import type { Discrepancy, LedgerRow, MigrationState, Pair, Plan, StatusEntry } from '../types';
import { connectionOf, guardHistory, ledgerOf, readHistory, type RunContext } from './context';

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

export interface ApplyOptions extends ApplyPlanOptions, RunFlags {
  /** Apply the whole batch in one transaction. */
  readonly singleTransaction?: boolean;
}

export interface RollbackOptions extends RollbackPlanOptions, RunFlags {}

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

export interface StatusReport {
  readonly entries: readonly StatusEntry[];
  /** The pairs on disk. */
  readonly pairs: readonly Pair[];
  /** Repairs and baselines, oldest first. */
  readonly audit: readonly AuditEntry[];
  readonly counts: Readonly<Record<MigrationState, number>>;
  readonly discrepancies: readonly Discrepancy[];
  readonly ledgerExists: boolean;
}

function pendingCount(
  pairs: readonly Pair[],
  rows: readonly LedgerRow[],
  completed: readonly StepOutcome[],
  direction: 'up' | 'down',
): number {
  const applied = new Set(rows.map((r) => r.version));
  for (const { step } of completed) {
    if (direction === 'up') applied.add(step.pair.version);
    else applied.delete(step.pair.version);
  }
  return pairs.filter((p) => !applied.has(p.version)).length;
}

type Planner = (pairs: readonly Pair[], rows: readonly LedgerRow[]) => Plan;

/** The plan for this run: the planner's, or with --resume the stuck migration first (its statement in doubt decided). */
async function planFor(
  client: Client,
  pairs: readonly Pair[],
  rows: readonly LedgerRow[],
  planner: Planner,
  options: ApplyOptions,
  direction: 'up' | 'down',
  logger: Logger,
): Promise<Plan> {
  if (!options.resume && options.assume !== undefined)
    throw new ConfigError(`--assume-${options.assume} goes with --resume.`);
  const plan = options.resume
    ? await resolveInDoubt(
        client,
        planResume(pairs, rows, direction, planner(pairs, rows)),
        stuckRow(rows) as LedgerRow,
        options.assume,
        logger,
      )
    : planner(pairs, rows);
  checkTransactions(plan, options.singleTransaction === true);
  for (const h of enumValueHazards(plan, options.singleTransaction === true))
    logger.warn(
      { code: 'enum-value-in-transaction', type: h.type, label: h.label, added: h.added, used: h.used },
      h.message,
    );
  return plan;
}

/**
 * A resumed migration whose row still shows a statement in flight: decide
 * whether that statement took effect (catalog, statement, or the user's
 * word) and resume after it or from it.
 */
async function resolveInDoubt(
  client: Client,
  plan: Plan,
  row: LedgerRow,
  assume: Assume,
  logger: Logger,
): Promise<Plan> {
  const inFlight = row.state === 'running' ? (row.progress?.inFlight ?? null) : null;
  const step = plan.steps[0];
  if (inFlight === null || !step) {
    if (assume !== undefined)
      throw new ConfigError(
        `--assume-${assume}: no statement of version ${row.version} is in doubt; resume without it.`,
      );
    return plan;
  }
  const script = step.pair[step.direction];
  const statement = splitStatements(script.sql)[inFlight - 1];
  const question = indexQuestion(statement.text);
  const facts = question ? await indexFacts(client, question) : null;
  const doubt = {
    statement: inFlight,
    line: statement.line,
    text: statement.text,
    path: script.path,
    version: row.version,
    direction: step.direction,
  };
  const tookEffect = decideInDoubt(doubt, facts, assume);
  const why = facts
    ? `the catalog says the index ${'index' in facts ? `${facts.index} is ${facts.state}` : 'left nothing behind'}`
    : assume
      ? `--assume-${assume}`
      : "it controls the script's own transaction block";
  logger.warn(
    {
      version: row.version.toString(),
      statement: inFlight,
      line: statement.line,
      in_doubt: true,
      took_effect: tookEffect,
    },
    `${script.path}:${statement.line}: statement ${inFlight} was in doubt; ${tookEffect ? 'it took effect' : 'it did not take effect'} (${why}): resuming from statement ${tookEffect ? inFlight + 1 : inFlight}`,
  );
  return { ...plan, resumeFrom: tookEffect ? inFlight : inFlight - 1 };
}

/** Before resuming: a failed concurrent build's INVALID index must be gone, or the rerun fails or keeps it. */
async function assertNoInvalidIndex(client: Client, plan: Plan): Promise<void> {
  const first = plan.steps[0];
  if (plan.resumeFrom === undefined || !first) return;
  const statement = splitStatements(first.pair[first.direction].sql)[plan.resumeFrom];
  const invalid = statement ? await findInvalidIndexes(client, statement) : [];
  if (invalid.length > 0) {
    throw new ConfigError(
      `--resume: the failed statement left the INVALID index ${invalid.join(', ')}. Remove it first, then resume:\n` +
        invalid.map((name) => `  DROP INDEX CONCURRENTLY IF EXISTS ${name};`).join('\n'),
    );
  }
}

const STOPPED_BEFORE_RUNNING =
  'Stopped before any migration ran (the query it was waiting for was cancelled); the database was not changed.';
const STOPPED_READING = 'Stopped while reading the ledger (the query was cancelled); nothing was changed.';

async function run(
  ctx: RunContext,
  planner: Planner,
  options: ApplyOptions,
  direction: 'up' | 'down',
): Promise<RunResult> {
  const { config, logger } = ctx;
  const started = process.hrtime.bigint(); // not performance.now(): that global loads perf_hooks, on every run
  if (options.sql && !options.dryRun)
    throw new ConfigError(
      '--sql prints what a dry run would send: add --dry-run (to run the migrations, leave out --sql).',
    );
  const pairs = scan(config.dir);
  planner(pairs, []); // option errors (a --target not on disk, bad --steps) before connecting
  const ledger = ledgerOf(config);
  const finish = (
    plan: Plan,
    rows: readonly LedgerRow[],
    completed: readonly StepOutcome[],
    sql?: string,
  ): RunResult => ({
    plan,
    dryRun: options.dryRun === true,
    completed,
    ...(sql === undefined ? {} : { sql }),
    pending: pendingCount(pairs, rows, completed, plan.direction),
    durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e6),
  });
  // A signal cancels any query of the run (a ledger read behind a table lock too), not only a migration step.
  return withCancellableClient(
    connectionOf(config),
    logger,
    ctx.signal,
    STOPPED_BEFORE_RUNNING,
    async (client: Client) => {
      const prepare = async () => {
        const history = await readHistory(client, ledger, pairs);
        const resuming = options.resume ? stuckRow(history.rows)?.version : undefined;
        guardHistory(history, { allowOutOfOrder: options.outOfOrder === true, strict: false, resuming }, logger);
        return { history, plan: await planFor(client, pairs, history.rows, planner, options, direction, logger) };
      };
      if (options.dryRun) {
        const { history, plan } = await prepare();
        return finish(
          plan,
          history.rows,
          [],
          options.sql ? await sqlScriptOf(client, plan, history.exists, config, options) : undefined,
        );
      }
      return withAdvisoryLock(
        client,
        ledger,
        { waitSeconds: config.lockWait, signal: ctx.signal },
        logger,
        async () => {
          const { history, plan } = await prepare();
          if (plan.steps.length === 0) return finish(plan, history.rows, []);
          await assertNoInvalidIndex(client, plan);
          const completed = await runSteps(client, plan.steps, {
            createLedger: !history.exists,
            ledger,
            settings: {
              environment: config.environment,
              lockTimeout: config.lockTimeout,
              statementTimeout: config.statementTimeout,
            },
            singleTransaction: options.singleTransaction === true,
            logger,
            resumeFrom: plan.resumeFrom,
            retries: config.retries,
            signal: ctx.signal, // the cancel itself is withCancellableClient's: one per signal
            onStepStart: ctx.onStepStart,
          });
          return finish(plan, history.rows, completed);
        },
      );
    },
  );
}

/** `--dry-run --sql`: the SQL the run would send, from the plan and whether the ledger (and its schema) exist. */
async function sqlScriptOf(
  client: Client,
  plan: Plan,
  ledgerExists: boolean,
  config: Config,
  options: ApplyOptions,
): Promise<string> {
  const ledger = ledgerOf(config);
  const singleTransaction = options.singleTransaction === true;
  const createLedger = !ledgerExists && plan.steps.length > 0;
  return renderSqlScript(plan, {
    ledger,
    settings: {
      environment: config.environment,
      lockTimeout: config.lockTimeout,
      statementTimeout: config.statementTimeout,
    },
    singleTransaction,
    createLedger,
    createSchema: createLedger && !(await schemaExists(client, ledger.schema)),
    resumeFrom: plan.resumeFrom,
    command: `tidemark ${plan.direction === 'up' ? 'apply' : 'rollback'} --dry-run --sql${singleTransaction ? ' --single-transaction' : ''}`,
  });
}

/**
 * Applies pending migrations in version order, each in its own transaction
 * with its ledger row (or all in one with `singleTransaction`).
 * @throws ScanError, ConfigError (exit 2), DriftError (3), MigrationFailedError (1),
 *   LockTimeoutError (4), ConnectionError (5).
 */
export function apply(ctx: RunContext, options: ApplyOptions = {}): Promise<RunResult> {
  return run(ctx, (pairs, rows) => planApply(pairs, rows, options), options, 'up');
}

/**
 * Rolls back applied migrations, highest version first: the most recent one,
 * or everything above `target`, or `steps` of them.
 * @throws as `apply`, and IrreversibleError (exit 2) before anything runs.
 */
export function rollback(ctx: RunContext, options: RollbackOptions = {}): Promise<RunResult> {
  // `rollback --resume` alone finishes the interrupted rollback: that is its one step, not one more besides.
  const finishOnly = options.resume === true && options.target === undefined && options.steps === undefined;
  return run(
    ctx,
    (pairs, rows) => (finishOnly ? { direction: 'down', steps: [] } : planRollback(pairs, rows, options)),
    options,
    'down',
  );
}

/** Every migration on disk or in the ledger with its state. Never writes, never locks. */
export async function status(ctx: RunContext): Promise<StatusReport> {
  const pairs = scan(ctx.config.dir);
  return withCancellableClient(connectionOf(ctx.config), ctx.logger, ctx.signal, STOPPED_READING, async (client) => {
    const { exists, rows, discrepancies } = await readHistory(client, ledgerOf(ctx.config), pairs);
    const entries = statusEntries(pairs, rows, discrepancies);
    const audit = exists ? await readAudit(client, ledgerOf(ctx.config)) : [];
    return { entries, pairs, audit, counts: countStates(entries), discrepancies, ledgerExists: exists };
  });
}

/**
 * Writes the next pair of scripts, creating the directory first when it does
 * not exist yet (`createdDirectory`). No database. Numbering looks at every
 * well-named file, so a pair just created (still empty) counts.
 */
export function create(
  config: Pick<Config, 'dir'>,
  name: string,
  now = new Date(),
): CreatedPair & { readonly createdDirectory: boolean } {
  assertValidName(name); // before the directory is made: a bad name leaves nothing behind
  const createdDirectory = ensureDirectory(config.dir);
  return { ...createPair(config.dir, name, inspect(config.dir).highest, now), createdDirectory };
}
