/**
 * One fleet command on one target, by the single-database use case, with
 * the target's Config. apply first asks the ledger, on the shared
 * connection, whether there is anything to do: an up-to-date target costs
 * one query (no scan, no lock).
 */
import { planApply } from '../plan/planner';
import type { FleetCommandName, TargetState, TargetStatus } from '../fleet/types';
import type { Pair } from '../types';
import { apply, type ApplyOptions } from './apply';
import { ledgerOf, type RunContext } from './context';
import { readHistory } from './history';
import { lint, type LintOptions } from './lint';
import { rollback, type RollbackOptions } from './rollback';
import type { RunResult } from './run';
import { status } from './status';
import { verify, type VerifyOptions } from './verify';

/** What a command found on a target; a thrown error is its failure. */
export interface CommandOutcome {
  readonly state: TargetState;
  readonly versions: readonly string[];
  readonly status?: TargetStatus;
  /** verify/lint: the single-database command's exit code. */
  readonly exitCode?: number;
  /** verify/lint that found something: the finding, as a failure message. */
  readonly finding?: string;
}

type Options = Readonly<Record<string, unknown>>;

/** The run's scan, once for every target: apply's up-to-date check (a target with work scans again in apply). */
export interface Shared {
  readonly pairs: readonly Pair[];
}

const versionsOf = (r: RunResult) =>
  (r.dryRun ? r.plan.steps.map((s) => s.pair.version) : r.completed.map((o) => o.step.pair.version)).map(String);

/** A dry run changed nothing: what it would run is a finding ('checked'), never "up to date". */
const ran = (r: RunResult): CommandOutcome => ({
  state: r.dryRun ? 'checked' : r.completed.length > 0 ? 'migrated' : 'up-to-date',
  versions: versionsOf(r),
});

export async function runCommand(
  command: FleetCommandName,
  ctx: RunContext,
  options: Options,
  shared: Shared,
): Promise<CommandOutcome> {
  switch (command) {
    case 'apply':
      return applyTarget(ctx, options as ApplyOptions, shared);
    case 'rollback':
      return ran(await rollback(ctx, options as RollbackOptions));
    case 'plan':
      return {
        state: 'checked',
        versions: versionsOf(await apply(ctx, { ...(options as ApplyOptions), dryRun: true })),
      };
    case 'status':
      return statusOf(ctx);
    case 'verify':
      return verifyTarget(ctx, options);
    case 'lint':
      return lintTarget(ctx, options);
  }
}

async function applyTarget(ctx: RunContext, options: ApplyOptions, { pairs }: Shared): Promise<CommandOutcome> {
  if (ctx.client !== undefined && !options.resume && !options.dryRun) {
    const history = await readHistory(ctx.client, ledgerOf(ctx.config), pairs);
    if (history.discrepancies.length === 0 && planApply(pairs, history.rows, options).steps.length === 0)
      return { state: 'up-to-date', versions: [] };
  }
  return ran(await apply(ctx, options));
}

async function statusOf(ctx: RunContext): Promise<CommandOutcome> {
  const report = await status(ctx);
  const applied = report.entries.filter(
    (e) => e.state === 'applied' || e.state === 'modified' || e.state === 'cosmetic',
  );
  const highest = applied.reduce<bigint | null>((max, e) => (max === null || e.version > max ? e.version : max), null);
  return {
    state: 'checked',
    versions: [],
    status: {
      highestApplied: highest === null ? null : highest.toString(),
      pending: report.counts.pending,
      drift: report.discrepancies.filter((d) => d.kind !== 'cosmetic').length,
      failedRows: report.counts.failed + report.counts.interrupted,
    },
  };
}

async function verifyTarget(ctx: RunContext, options: Options): Promise<CommandOutcome> {
  const report = await verify(ctx, { online: true, ...(options as Partial<VerifyOptions>) });
  const lintErrors = report.lint?.summary.error ?? 0;
  const exitCode = report.failing > 0 ? 3 : lintErrors > 0 ? 6 : 0;
  const finding =
    report.failing > 0
      ? `verify: ${report.failing} discrepanc${report.failing === 1 ? 'y' : 'ies'} between the files and the ledger`
      : lintErrors > 0
        ? `verify: lint found ${lintErrors} error${lintErrors === 1 ? '' : 's'} in the pending migrations`
        : undefined;
  return { state: exitCode === 0 ? 'checked' : 'failed', versions: [], exitCode, ...(finding ? { finding } : {}) };
}

async function lintTarget(ctx: RunContext, options: Options): Promise<CommandOutcome> {
  const report = await lint(ctx, { online: true, ...(options as Partial<LintOptions>) });
  const errors = report.summary.error;
  const first = report.findings.find((f) => f.severity === 'error');
  return {
    state: errors > 0 ? 'failed' : 'checked',
    versions: [],
    exitCode: errors > 0 ? 6 : 0,
    ...(errors > 0
      ? {
          finding: `lint: ${errors} error${errors === 1 ? '' : 's'}${first ? ` (first: ${first.rule} at ${first.path}:${first.line}:${first.column})` : ''}`,
        }
      : {}),
  };
}
