/**
 * `tidemark test`: proves every down script undoes its up script. On a
 * throwaway database, for each migration in order: snapshot (S0) → up →
 * snapshot (S1) → down → compare with S0 → up again → compare with S1 →
 * leave it applied and go on. Scripts run through the executor, so the
 * ledger row is written and deleted as in a real run (the ledger table is
 * left out of the snapshots). With `--locks` the first up is observed
 * instead (test-locks.ts).
 */
import { runSteps } from '../db/executor';
import { ensureLedger } from '../db/ledger';
import { requireLedgerWrites } from '../db/privileges';
import { rowCounts, type ScopedSnapshots } from '../db/catalog';
import { withThrowawayDatabase, type Throwaway } from '../db/throwaway';
import { MigrationFailedError, type MigrationFailure } from '../errors';
import type { Logger } from '../log';
import { logResult } from './test-log';
import { compared, snapshotsFor, snapshotThen } from './test-snapshots';
import type { MigrationObservation } from '../observe/types';
import {
  attributeToDown,
  commonTables,
  compareRowCounts,
  judge,
  notTestedReason,
  scriptFailed,
  selectRoundtrip,
  summarize,
  type RoundtripFindings,
  type RoundtripRange,
  type RoundtripResult,
  type RoundtripSummary,
} from '../plan/roundtrip';
import { throwTransactionProblems, transactionProblems } from '../plan/transactions';
import type { Snapshot, TableName } from '../schema';
import { scan } from '../source/scanner';
import type { Direction, Pair } from '../types';
import { connectionOf, ledgerOf, type RunContext } from './context';
import type { LockComparison } from '../observe/lint-agreement';
import { lintAgainst, locksSection, observeUp, type LocksOptions, type LocksSection } from './test-locks';

export interface RoundtripOptions extends RoundtripRange, LocksOptions {
  /** Template of the throwaway database (default template0). */
  readonly template?: string;
  /** Also compare row counts of the tables that existed before each up. */
  readonly data?: boolean;
  /** Fail on a column order that differs too (by default a warning: see isWarning). */
  readonly strict?: boolean;
  /** Abort to stop the run: the throwaway database is dropped, then InterruptedError is thrown. */
  readonly signal?: AbortSignal;
}

export interface RoundtripReport {
  /** The throwaway database (dropped by now); null when there was nothing to test. */
  readonly database: string | null;
  readonly template: string;
  readonly data: boolean;
  readonly strict: boolean;
  /** Migrations below `--from`, applied first without checking. */
  readonly appliedFirst: number;
  readonly results: readonly RoundtripResult[];
  readonly summary: RoundtripSummary;
  readonly durationMs: number;
  /** With `--locks`: what the first ups did, observed. */
  readonly locks?: LocksSection;
}

/** A run in progress: the database, and how scripts and snapshots are taken. */
interface Session {
  readonly db: Throwaway;
  readonly ctx: RunContext;
  readonly data: boolean;
  readonly strict: boolean;
  readonly signal?: AbortSignal;
  /** For the executor: its per-step lines only with --verbose. */
  readonly stepLogger: Logger;
  /** With `--locks`: each first up is observed, and its observation kept here. */
  readonly observed?: MigrationObservation[];
  /** Snapshots, scoped to what each script changed when the change log can tell (lib/db/catalog/scoped.ts). */
  readonly snapshots: ScopedSnapshots;
}

/**
 * What to do after a round trip: go on (with the current schema, when
 * known, and the next migration's first up when it was already sent),
 * rebuild, or stop.
 */
type Next =
  | {
      readonly kind: 'continue';
      readonly snapshot: Snapshot | null;
      readonly started?: Promise<MigrationFailure | null>;
    }
  | { readonly kind: 'rebuild' | 'stop' };

/**
 * Round-trip tests the migrations of `ctx.config.dir` (within `from`/`to`)
 * on a throwaway database on the configured server, always dropped at the
 * end. A failing first up stops the run (the rest are `not-run`); a failing
 * down leaves the migration applied and the run goes on; a failing second up
 * rebuilds the database up to that migration and the run goes on.
 * @throws ScanError, ConfigError, TransactionControlError (exit 2), ConnectionError (5), InterruptedError (130/143).
 */
export async function roundtrip(ctx: RunContext, options: RoundtripOptions = {}): Promise<RoundtripReport> {
  const started = performance.now();
  const { setup, checked } = selectRoundtrip(scan(ctx.config.dir), options);
  throwTransactionProblems(
    [...setup, ...checked].flatMap((p) => [...transactionProblems(p.up), ...transactionProblems(p.down)]),
  );
  const template = options.template ?? 'template0';
  const observed: MigrationObservation[] | undefined = options.locks ? [] : undefined;
  let lint: LockComparison[] = [];
  const report = (database: string | null, results: RoundtripResult[]): RoundtripReport => ({
    database,
    template,
    data: options.data === true,
    strict: options.strict === true,
    appliedFirst: setup.length,
    results,
    summary: summarize(results),
    durationMs: Math.round(performance.now() - started),
    ...(observed && { locks: locksSection(observed, options, lint) }),
  });
  if (checked.length === 0) return report(null, []);
  const connection = connectionOf(ctx.config);
  return withThrowawayDatabase({ connection, template, signal: options.signal }, ctx.logger, async (db) => {
    const debug = ctx.logger.isLevelEnabled('debug');
    const session: Session = {
      db,
      ctx,
      data: options.data === true,
      strict: options.strict === true,
      signal: options.signal,
      stepLogger: ctx.logger.child({}, { level: debug ? 'debug' : 'warn' }),
      observed,
      snapshots: snapshotsFor(db, ctx, template, [...setup, ...checked]),
    };
    const results = await runAll(session, setup, checked);
    const { scoped, full } = session.snapshots.counts;
    ctx.logger.debug({ scoped, full }, `schema snapshots: ${scoped} scoped, ${full} full`);
    if (observed) lint = await lintAgainst(db.client, checked, observed, ctx.config);
    return report(db.name, results);
  });
}

async function runAll(s: Session, setup: readonly Pair[], checked: readonly Pair[]): Promise<RoundtripResult[]> {
  await prepareLedger(s);
  const results: RoundtripResult[] = [];
  const setupFailure = await applyUnchecked(s, setup);
  if (setupFailure) {
    const failed = setup.find((p) => p.version === setupFailure.version) as Pair;
    return [judge(failed, 0, scriptFailed('up', setupFailure), s.strict), ...checked.map(notRun)];
  }
  let current: Snapshot | null = null;
  let started: Promise<MigrationFailure | null> | undefined;
  for (const [i, pair] of checked.entries()) {
    s.signal?.throwIfAborted();
    const { result, next } = await roundTrip(s, pair, current ?? (await snapshot(s)), started, checked[i + 1]);
    results.push(result);
    logResult(s.ctx.logger, result);
    if (next.kind === 'stop') return [...results, ...checked.slice(i + 1).map(notRun)];
    if (next.kind === 'rebuild' && i < checked.length - 1) await rebuild(s, [...setup, ...checked.slice(0, i + 1)]);
    current = next.kind === 'continue' ? next.snapshot : null;
    started = next.kind === 'continue' ? next.started : undefined;
  }
  return results;
}

const notRun = (pair: Pair): RoundtripResult => ({ status: 'not-run', pair });

/**
 * One migration: up (unless `upStarted` already sent it), down, compare, up
 * again, compare. The first up of `following` goes out before the last
 * comparison is computed, when nothing has to be read before it (see
 * startsEarly).
 */
async function roundTrip(
  s: Session,
  pair: Pair,
  before: Snapshot,
  upStarted?: Promise<MigrationFailure | null>,
  following?: Pair,
): Promise<{ result: RoundtripResult; next: Next }> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const counts = s.data ? await rowCounts(s.db.client, tablesOf(before)) : [];
  const verdict = (findings: RoundtripFindings) => judge(pair, elapsed(), findings, s.strict);
  const upFailure = await (upStarted ?? firstUp(s, pair));
  if (upFailure) return { result: verdict(scriptFailed('up', upFailure)), next: { kind: 'stop' } };
  const reason = notTestedReason(pair);
  if (reason)
    return {
      result: { status: 'not-tested', pair, durationMs: elapsed(), reason },
      next: { kind: 'continue', snapshot: null },
    };
  const [applied, down] = await snapshotThen(s.snapshots, () => runScript(s, pair, 'down'));
  const downFailure = await down;
  // The failed down was rolled back: the migration is still applied, as S1 describes.
  if (downFailure)
    return { result: verdict(scriptFailed('down', downFailure)), next: { kind: 'continue', snapshot: applied } };
  // The second up goes out with the snapshot (unless row counts must be read first): the server runs it while the snapshot is assembled and compared.
  const reapply = () => runScript(s, pair, 'up');
  const [undone, upAgain] = await snapshotThen(s.snapshots, s.data ? null : reapply);
  const rowChanges = s.data
    ? compareRowCounts(counts, await rowCounts(s.db.client, commonTables(tablesOf(before), tablesOf(undone))))
    : [];
  const reapplying = upAgain ?? reapply();
  reapplying.catch(() => undefined); // awaited below, after the comparisons
  const byDown = compared(applied, undone);
  const afterDown = attributeToDown(compared(before, undone), byDown, 'afterDown');
  const reapplyFailure = await reapplying;
  if (reapplyFailure) {
    return {
      result: verdict(scriptFailed('reapply', reapplyFailure, { afterDown, rowChanges })),
      next: { kind: 'rebuild' },
    };
  }
  // The next migration's first up goes out with this snapshot: the server runs it while this one is assembled and compared.
  const [reapplied, nextUp] = await snapshotThen(
    s.snapshots,
    following && startsEarly(s) ? () => firstUp(s, following) : null,
  );
  const afterReapply = attributeToDown(compared(applied, reapplied), byDown, 'afterReapply');
  return {
    result: verdict({ afterDown, afterReapply, rowChanges, failure: null }),
    next: { kind: 'continue', snapshot: reapplied, started: nextUp ?? undefined },
  };
}

/**
 * A first up may be sent before the previous migration's last comparison
 * unless something has to be read before it: the row counts (--data), or
 * the observation of --locks (its timings are the client's).
 */
const startsEarly = (s: Session): boolean => !s.data && !s.observed;

const snapshot = (s: Session): Promise<Snapshot> => s.snapshots.take();

const tablesOf = (snap: Snapshot): TableName[] => snap.tables.map((t) => ({ schema: t.schema, table: t.name }));
const runScript = (s: Session, pair: Pair, direction: Direction) => runUnchecked(s, [pair], direction);

/** The first up: observed with `--locks` (a failing one is run again by the executor, for its report). */
async function firstUp(s: Session, pair: Pair): Promise<MigrationFailure | null> {
  const observation = s.observed && (await observeUp(s.db, pair, s.ctx.config));
  if (!observation) return runScript(s, pair, 'up');
  s.observed?.push(observation);
  return null;
}

/**
 * The ledger of the throwaway database, and its privileges checked once for
 * the whole run (a template can bring its own ledger): the executor, called
 * once per script, does not check them again (ledgerChecked).
 */
async function prepareLedger(s: Session): Promise<void> {
  const ledger = ledgerOf(s.ctx.config);
  if (!(await ensureLedger(s.db.client, ledger)))
    await requireLedgerWrites(s.db.client, ledger, ['INSERT', 'UPDATE', 'DELETE'], LEDGER_WRITES);
}

const LEDGER_WRITES =
  'tidemark test records each script in the ledger of the throwaway database (INSERT, UPDATE) and deletes the row of each down (DELETE).';

/** Applies `pairs` without checking them (below --from, or a rebuild). */
function applyUnchecked(s: Session, pairs: readonly Pair[]): Promise<MigrationFailure | null> {
  return pairs.length === 0 ? Promise.resolve(null) : runUnchecked(s, pairs, 'up');
}

/** Runs scripts through the executor; a failing script is returned, anything else thrown. */
async function runUnchecked(
  s: Session,
  pairs: readonly Pair[],
  direction: Direction,
): Promise<MigrationFailure | null> {
  const { config } = s.ctx;
  try {
    await runSteps(
      s.db.client,
      pairs.map((pair) => ({ direction, pair })),
      {
        ledger: ledgerOf(config),
        settings: {
          environment: config.environment,
          lockTimeout: config.lockTimeout,
          statementTimeout: config.statementTimeout,
        },
        singleTransaction: false,
        logger: s.stepLogger,
        ledgerChecked: true,
      },
    );
    return null;
  } catch (err) {
    if (!(err instanceof MigrationFailedError)) throw err;
    // A failed script may have left what no event reported (CREATE INDEX CONCURRENTLY's invalid index).
    s.snapshots.invalidate();
    return err.failure;
  }
}

/** After a failed second up: an empty database again, with everything up to `pairs`' last applied. */
async function rebuild(s: Session, pairs: readonly Pair[]): Promise<void> {
  const last = pairs[pairs.length - 1];
  s.ctx.logger.info(
    { version: last.version.toString() },
    `rebuilding the throwaway database up to ${last.label} to go on`,
  );
  await s.db.recreate();
  s.snapshots.reset(s.db.client);
  await prepareLedger(s);
  const failure = await applyUnchecked(s, pairs);
  if (failure) throw new MigrationFailedError(failure);
}
