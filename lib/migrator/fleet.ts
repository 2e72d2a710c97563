/**
 * `tidemark fleet <command>` and the library's `fleet()`: one command over
 * many targets. Load the targets → this shard → `--only failed` → the
 * canary and the waves → each phase at `concurrency` (and `perHost`),
 * stopping between targets on a threshold → the report. Each target runs
 * the single-database use case with its own Config (url, schema) and the
 * ledger's lock; the ledgers are the truth, so running again continues.
 * A run file records every target as it finishes.
 */
import { randomBytes } from 'node:crypto';
import { ClientPool } from '../db/client-pool';
import { ConfigError, ExitCode, exitCodeOf } from '../errors';
import { policyProblem, thresholdReached } from '../fleet/policy';
import { newRunId } from '../fleet/run-file';
import { selectCanary, selectShard, splitWaves, type Phase } from '../fleet/select';
import type { FleetReport, FleetRunOptions, FleetTarget, TargetResult, TargetState } from '../fleet/types';
import { scan } from '../source/scanner';
import type { RunContext } from './context';
import { DEFAULT_RUN_DIR, failedInLastRun, RunFileWriter } from './fleet-run-file';
import { runPhase } from './fleet-schedule';
import { describeSource, loadTargets } from './fleet-sources';
import { notStarted, prepare, runTarget, type Prepared, type TargetRunner } from './fleet-target';

export { DEFAULT_RUN_DIR } from './fleet-run-file';
export { runTargetsCommand } from './fleet-sources';

/** The targets a run takes, in phases: this shard's, `--only failed`'s, the canary first. */
function phasesOf(targets: readonly FleetTarget[], options: FleetRunOptions, runDir: string): Phase<FleetTarget>[] {
  const { policy } = options;
  let chosen = selectShard(targets, policy.shard);
  if (policy.onlyFailed) {
    const { names } = failedInLastRun(runDir, policy.shard, options.command);
    chosen = chosen.filter((t) => names.has(t.name));
  }
  const canary = policy.canary === undefined ? [] : selectCanary(chosen, policy.canary, targets);
  const inCanary = new Set(canary);
  const waves = splitWaves(
    chosen.filter((t) => !inCanary.has(t)),
    policy.waves,
  );
  return canary.length > 0 ? [{ name: 'canary', targets: canary }, ...waves] : waves;
}

const COMMANDS_THAT_SCAN_ONCE = new Set(['apply']);

/** The state of a run in progress. */
class Progress {
  readonly results: TargetResult[] = [];
  readonly counts: Record<TargetState, number> = {
    migrated: 0,
    'up-to-date': 0,
    failed: 0,
    'not-started': 0,
    checked: 0,
  };
  stoppedBy: string | undefined;

  constructor(
    private readonly total: number,
    private readonly options: FleetRunOptions,
    private readonly writer: RunFileWriter,
  ) {}

  record(result: TargetResult): void {
    this.results.push(result);
    this.counts[result.state]++;
    this.writer.target(result);
    this.options.onEvent?.({ kind: 'target-end', result });
    if (result.state === 'not-started' || this.stoppedBy !== undefined) return;
    const finished = this.results.length - this.counts['not-started'];
    const reason = thresholdReached(this.options.policy, { finished, failed: this.counts.failed, total: this.total });
    if (reason !== null) this.stop(reason);
  }

  stop(reason: string): void {
    if (this.stoppedBy !== undefined) return;
    this.stoppedBy = reason;
    this.options.onEvent?.({ kind: 'stopped', reason });
  }
}

/**
 * Runs `options.command` on every selected target; see lib/fleet/types.ts.
 * @throws ConfigError (exit 2) for a bad target list, policy, canary or
 *   waves, or no run file for `onlyFailed`; ScanError for a bad migrations
 *   directory; ConnectionError (5) for an unreachable control database.
 *   A target's failure is in its result, never thrown.
 */
export async function runFleet(given: RunContext, options: FleetRunOptions): Promise<FleetReport> {
  // policy.retries retries the whole target (its ledger says where to resume), never each migration as well.
  const ctx: RunContext = { ...given, config: { ...given.config, retries: 0 } };
  const startedAt = new Date();
  const problem = policyProblem(options.policy);
  if (problem !== null) throw new ConfigError(`fleet: ${problem}`);
  const runDir = options.runDir ?? DEFAULT_RUN_DIR;
  const phases = phasesOf(await loadTargets(ctx, options.source), options, runDir);
  const shared = { pairs: COMMANDS_THAT_SCAN_ONCE.has(options.command) ? scan(ctx.config.dir) : [] };
  const prepared = phases.map((ph) => ({
    name: ph.name,
    targets: ph.targets.map((t) => prepare(t, ctx.config.url, process.env)),
  }));
  const total = prepared.reduce((n, ph) => n + ph.targets.length, 0);
  const runId = newRunId(startedAt, randomBytes(3).toString('hex'));
  const { shard } = options.policy;
  const writer = new RunFileWriter(runDir, {
    runId,
    command: options.command,
    startedAt: startedAt.toISOString(),
    ...(shard ? { shard } : {}),
    total,
    source: describeSource(options.source),
  });
  const progress = new Progress(total, options, writer);
  options.onEvent?.({ kind: 'start', total, runId });
  try {
    await runPhases(ctx, options, prepared, progress, shared);
  } catch (err) {
    writer.abandon();
    throw err;
  }
  const report = reportOf(ctx, options, { runId, startedAt, progress });
  writer.end(report);
  return report;
}

async function runPhases(
  ctx: RunContext,
  options: FleetRunOptions,
  phases: readonly { name: string; targets: readonly Prepared[] }[],
  progress: Progress,
  shared: { pairs: ReturnType<typeof scan> },
): Promise<void> {
  const remaining = new Map<string, number>();
  for (const ph of phases)
    for (const p of ph.targets) remaining.set(p.url ?? '', (remaining.get(p.url ?? '') ?? 0) + 1);
  const pool = new ClientPool(options.policy.concurrency, ctx.config.wait, ctx.logger);
  const runner: TargetRunner = {
    ctx,
    command: options.command,
    options: options.commandOptions ?? {},
    policy: options.policy,
    shared,
    pool,
    emit: (e) => options.onEvent?.(e),
    stillNeeded: (url) => (remaining.get(url ?? '') ?? 0) > 0,
  };
  const canStart = () => {
    if (ctx.signal?.aborted) progress.stop(`interrupted by ${String(ctx.signal.reason ?? 'SIGTERM')}`);
    return progress.stoppedBy === undefined;
  };
  const started = async (p: Prepared, wave: string) => {
    const key = p.url ?? '';
    remaining.set(key, (remaining.get(key) ?? 1) - 1);
    progress.record(await runTarget(runner, p, wave));
    if ((remaining.get(key) ?? 0) === 0) await pool.drain(p.url);
  };
  try {
    for (const phase of phases) {
      if (canStart() && phase.targets.length > 0)
        options.onEvent?.({ kind: 'wave', wave: phase.name, targets: phase.targets.length });
      const left = await runPhase(phase.targets, options.policy, canStart, (p) => started(p, phase.name));
      for (const p of left) progress.record(notStarted(p, phase.name));
      if (phase.name === 'canary' && progress.counts.failed > 0) progress.stop(canaryFailed(progress.results));
    }
  } finally {
    await pool.close();
  }
}

function canaryFailed(results: readonly TargetResult[]): string {
  const failed = results.filter((r) => r.wave === 'canary' && r.state === 'failed').map((r) => r.name);
  return `canary failed (${failed.slice(0, 5).join(', ')}${failed.length > 5 ? ', …' : ''}): nothing else was started`;
}

function reportOf(
  ctx: RunContext,
  options: FleetRunOptions,
  run: { runId: string; startedAt: Date; progress: Progress },
): FleetReport {
  const { progress } = run;
  const interrupted = ctx.signal?.aborted === true;
  // "Stopped early" only when a stop left targets not started (the last target reaching a threshold stopped nothing).
  const stoppedBy = progress.counts['not-started'] > 0 ? progress.stoppedBy : undefined;
  const exitCode = interrupted
    ? exitCodeOf('interrupted', String(ctx.signal?.reason ?? 'SIGTERM'))
    : stoppedBy !== undefined
      ? ExitCode.stopped
      : progress.counts.failed > 0
        ? ExitCode.someFailed
        : ExitCode.ok;
  return {
    runId: run.runId,
    command: options.command,
    startedAt: run.startedAt.toISOString(),
    durationMs: Date.now() - run.startedAt.getTime(),
    ...(options.policy.shard ? { shard: options.policy.shard } : {}),
    results: progress.results,
    ...(stoppedBy === undefined ? {} : { stoppedBy }),
    counts: progress.counts,
    exitCode,
  };
}
