/**
 * `tidemark test --locks-only`: the locks of each migration, without the
 * round trip. On a throwaway database, the migrations below `--from` are
 * applied first (unobserved), then each migration in range has its up
 * observed (test-locks.ts), in order: no snapshots, no down, no second up.
 * A failing up stops the run; the migrations after it are not observed.
 */
import { runSteps } from '../db/executor';
import { ensureLedger } from '../db/ledger';
import { withThrowawayDatabase, type Throwaway } from '../db/throwaway';
import { MigrationFailedError, type MigrationFailure } from '../errors';
import type { MigrationObservation } from '../observe/types';
import { selectRoundtrip, type RoundtripRange } from '../plan/roundtrip';
import { throwTransactionProblems, transactionProblems } from '../plan/transactions';
import { scan } from '../source/scanner';
import type { Pair } from '../types';
import { connectionOf, ledgerOf, settingsOf, type RunContext } from './context';
import type { LockComparison } from '../observe/lint-agreement';
import { lintAgainst, locksSection, observeUp, type LocksOptions, type LocksSection } from './test-locks';

export interface LocksOnlyOptions extends RoundtripRange, Omit<LocksOptions, 'locks'> {
  /** Template of the throwaway database (default template0): a template with data makes the times meaningful. */
  readonly template?: string;
  readonly signal?: AbortSignal;
}

export interface LocksOnlyReport {
  /** The throwaway database (dropped by now); null when there was nothing to observe. */
  readonly database: string | null;
  readonly template: string;
  /** Migrations below `--from`, applied first without observing them. */
  readonly appliedFirst: number;
  /** The migrations in range, in order. */
  readonly total: number;
  readonly locks: LocksSection;
  /** The up (or, before the range, the earlier migration) that failed; the run stopped there. */
  readonly failure: MigrationFailure | null;
  readonly durationMs: number;
}

/**
 * Observes the up of every migration of `ctx.config.dir` within `from`/`to`
 * on a throwaway database, always dropped at the end.
 * @throws ScanError, ConfigError, TransactionControlError (exit 2), ConnectionError (5), InterruptedError (130/143).
 */
export async function observeLocks(ctx: RunContext, options: LocksOnlyOptions = {}): Promise<LocksOnlyReport> {
  const started = performance.now();
  const { setup, checked } = selectRoundtrip(scan(ctx.config.dir), options);
  throwTransactionProblems([...setup, ...checked].flatMap((p) => transactionProblems(p.up)));
  const template = options.template ?? 'template0';
  const observed: MigrationObservation[] = [];
  let lint: LockComparison[] = [];
  const report = (database: string | null, failure: MigrationFailure | null): LocksOnlyReport => ({
    database,
    template,
    appliedFirst: setup.length,
    total: checked.length,
    locks: locksSection(observed, options, lint),
    failure,
    durationMs: Math.round(performance.now() - started),
  });
  if (checked.length === 0) return report(null, null);
  const connection = connectionOf(ctx.config);
  return withThrowawayDatabase({ connection, template, signal: options.signal }, ctx.logger, async (db) => {
    await ensureLedger(db.client, ledgerOf(ctx.config));
    const failure = (await applyUp(ctx, db, setup)) ?? (await observeAll(ctx, db, checked, observed, options.signal));
    lint = await lintAgainst(db.client, checked, observed, ctx.config);
    return report(db.name, failure);
  });
}

async function observeAll(
  ctx: RunContext,
  db: Throwaway,
  pairs: readonly Pair[],
  observed: MigrationObservation[],
  signal?: AbortSignal,
): Promise<MigrationFailure | null> {
  for (const pair of pairs) {
    signal?.throwIfAborted();
    const observation = await observeUp(db, pair, ctx.config);
    if (observation === null) {
      const failure = await applyUp(ctx, db, [pair]);
      if (failure) return failure;
      continue; // it failed when observed only (a no-transaction script part-applied, say): go on unobserved
    }
    observed.push(observation);
    ctx.logger.debug(
      { version: pair.version.toString(), name: pair.name, duration_ms: Math.round(observation.totalMs) },
      `${pair.label}: observed`,
    );
  }
  return null;
}

/** Applies `pairs`' ups through the executor; a failing script is returned, anything else thrown. */
async function applyUp(ctx: RunContext, db: Throwaway, pairs: readonly Pair[]): Promise<MigrationFailure | null> {
  if (pairs.length === 0) return null;
  try {
    await runSteps(
      db.client,
      pairs.map((pair) => ({ direction: 'up' as const, pair })),
      {
        ledger: ledgerOf(ctx.config),
        settings: settingsOf(ctx.config),
        singleTransaction: false,
        logger: ctx.logger.child({}, { level: ctx.logger.isLevelEnabled('debug') ? 'debug' : 'warn' }),
      },
    );
    return null;
  } catch (err) {
    if (err instanceof MigrationFailedError) return err.failure;
    throw err;
  }
}
