/**
 * The pure part of `tidemark test`: which migrations a run applies and
 * checks, what a round trip found, and the verdict. No database.
 */
import type { RowCount, SchemaDifference, TableName } from '../schema';
import { ConfigError, type MigrationFailure } from '../errors';
import type { Pair } from '../types';

/** Where a round trip runs a script: the first up, the down, the up again. */
export type RoundtripPhase = 'up' | 'down' | 'reapply';

/** Why a migration is applied but not round-trip tested. */
export type NotTestedReason = 'irreversible' | 'empty-down';

/** A table whose row count the down did not restore (`--data`). */
export interface RowChange extends TableName {
  /** Rows before the up. */
  readonly before: number;
  /** Rows after the down. */
  readonly after: number;
}

/** What one round trip found. All empty and `failure` null: it passed. */
export interface RoundtripFindings {
  /** How the schema after the down differs from the schema before the up. */
  readonly afterDown: readonly SchemaDifference[];
  /** How the schema after the second up differs from the schema after the first. */
  readonly afterReapply: readonly SchemaDifference[];
  readonly rowChanges: readonly RowChange[];
  /** The script that failed; the round trip stopped there. */
  readonly failure: { readonly phase: RoundtripPhase; readonly error: MigrationFailure } | null;
}

/** The outcome of one migration in a `tidemark test` run. */
export type RoundtripResult =
  | {
      readonly status: 'passed' | 'failed';
      readonly pair: Pair;
      readonly durationMs: number;
      readonly findings: RoundtripFindings;
    }
  | {
      readonly status: 'not-tested';
      readonly pair: Pair;
      readonly durationMs: number;
      readonly reason: NotTestedReason;
    }
  /** Not run: an earlier up failed, so nothing after it can be applied. */
  | { readonly status: 'not-run'; readonly pair: Pair };

export type RoundtripStatus = RoundtripResult['status'];

export interface RoundtripSummary {
  readonly total: number;
  readonly passed: number;
  /** Of those passed: how many with warnings (a column order only a new table could restore). */
  readonly warnings: number;
  readonly failed: number;
  readonly notTested: number;
  readonly notRun: number;
}

export interface RoundtripRange {
  /** Check migrations from this version on (inclusive); apply those below it first, unchecked. */
  readonly from?: bigint;
  /** Check migrations up to this version (inclusive); run nothing above it. */
  readonly to?: bigint;
}

/**
 * Splits the pairs into those applied first without checking (below
 * `from`) and those round-trip tested. The bounds need not be versions on
 * disk; the range must hold at least one migration.
 * @throws ConfigError when `from` > `to`, or no migration lies in a non-empty directory's range (exit 2).
 */
export function selectRoundtrip(pairs: readonly Pair[], range: RoundtripRange): { setup: Pair[]; checked: Pair[] } {
  const { from, to } = range;
  if (from !== undefined && to !== undefined && from > to) throw new ConfigError(`--from ${from} is above --to ${to}.`);
  const inRange = (p: Pair) => (from === undefined || p.version >= from) && (to === undefined || p.version <= to);
  const setup = from === undefined ? [] : pairs.filter((p) => p.version < from);
  const checked = pairs.filter(inRange);
  if (pairs.length > 0 && checked.length === 0) {
    const bounds = [from === undefined ? null : `--from ${from}`, to === undefined ? null : `--to ${to}`]
      .filter(Boolean)
      .join(' ');
    throw new ConfigError(
      `${bounds} selects no migration: the versions on disk run from ${pairs[0].version} to ${pairs[pairs.length - 1].version}.`,
    );
  }
  return { setup, checked };
}

/** Why `pair` cannot be round-trip tested, or null when it can. */
export function notTestedReason(pair: Pair): NotTestedReason | null {
  if (pair.down.directives.irreversible) return 'irreversible';
  if (pair.down.isEmpty) return 'empty-down';
  return null;
}

/** Tables in both lists (a table the down dropped is a schema difference, not a row count). */
export function commonTables(before: readonly TableName[], after: readonly TableName[]): TableName[] {
  const key = (t: TableName) => `${t.schema}\u0000${t.table}`;
  const present = new Set(after.map(key));
  return before.filter((t) => present.has(key(t)));
}

/** Tables whose row count changed between `before` and `after`, in the order of `before`. */
export function compareRowCounts(before: readonly RowCount[], after: readonly RowCount[]): RowChange[] {
  const found = new Map(after.map((c) => [`${c.schema}\u0000${c.table}`, c.rows]));
  return before.flatMap((c) => {
    const rows = found.get(`${c.schema}\u0000${c.table}`);
    return rows === undefined || rows === c.rows
      ? []
      : [{ schema: c.schema, table: c.table, before: c.rows, after: rows }];
  });
}

/**
 * A difference that is reported but does not fail the round trip unless
 * `--strict`: a different column order alone. A down script that drops a
 * column the up added is fine; one that re-adds a column the up dropped
 * can only put it at the end (PostgreSQL has no `ADD COLUMN … AFTER`), so
 * the only way to restore the order would be to rebuild the table.
 */
export function isWarning(difference: SchemaDifference, strict = false): boolean {
  return !strict && difference.kind === 'changed' && difference.property === 'column order';
}

/**
 * The verdict on a migration whose up ran: passed exactly when nothing was
 * found but warnings (which `strict` turns into failures).
 */
export function judge(pair: Pair, durationMs: number, findings: RoundtripFindings, strict = false): RoundtripResult {
  const failing = (list: readonly SchemaDifference[]) => list.some((d) => !isWarning(d, strict));
  const clean =
    !failing(findings.afterDown) &&
    !failing(findings.afterReapply) &&
    findings.rowChanges.length === 0 &&
    findings.failure === null;
  return { status: clean ? 'passed' : 'failed', pair, durationMs, findings };
}

/** Differences of a passed round trip: its warnings. */
export function hasWarnings(result: RoundtripResult): boolean {
  return result.status === 'passed' && [...result.findings.afterDown, ...result.findings.afterReapply].length > 0;
}

/** `table public.extra, created by the down script, still exists`: how an object the down script made is told apart. */
const CREATED = {
  afterDown: 'was created by the down script',
  afterReapply: ', created by the down script, still exists',
} as const;

/**
 * Rewords the extra objects that the down script created (they were not
 * there after the up either) instead of "still exists", which reads as
 * "the down forgot to drop it". `byDown` is what the down script added: the
 * differences from the schema after the up to the schema after the down.
 */
export function attributeToDown(
  differences: readonly SchemaDifference[],
  byDown: readonly SchemaDifference[],
  phase: keyof typeof CREATED,
): SchemaDifference[] {
  const key = (d: SchemaDifference) =>
    d.kind === 'added' ? `${d.objectType}\u0000${d.identity}\u0000${d.after}` : null;
  const created = new Set(byDown.map(key));
  return differences.map((d) => {
    if (d.kind !== 'added' || !created.has(key(d))) return d;
    const description =
      phase === 'afterDown' ? `${d.subject} ${CREATED.afterDown}` : `${d.subject}${CREATED.afterReapply}`;
    return { ...d, description };
  });
}

/** Findings of a round trip stopped by a failing script. */
export function scriptFailed(
  phase: RoundtripPhase,
  error: MigrationFailure,
  found: Partial<RoundtripFindings> = {},
): RoundtripFindings {
  return { afterDown: [], afterReapply: [], rowChanges: [], ...found, failure: { phase, error } };
}

/** Counts per status. */
export function summarize(results: readonly RoundtripResult[]): RoundtripSummary {
  const count = (status: RoundtripStatus) => results.filter((r) => r.status === status).length;
  return {
    total: results.length,
    passed: count('passed'),
    warnings: results.filter(hasWarnings).length,
    failed: count('failed'),
    notTested: count('not-tested'),
    notRun: count('not-run'),
  };
}
