/**
 * The lock budget of `tidemark test --locks` (`--max-lock MODE`,
 * `--max-lock-ms N`): on relations that existed before the migration — a
 * relation it created has no readers or writers to block — no mode stronger
 * than maxLock, and ACCESS EXCLUSIVE for no longer than maxLockMs. Pure.
 */
import { atLeast, blockedBy } from '../lint/locks';
import type { BudgetBreach, LockBudget, MigrationObservation, RelationObservation } from './types';

/** A duration for a message: 0.4 ms, 12 ms, 1234 ms. */
export function formatMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

const lineOf = (migration: MigrationObservation, index: number) =>
  migration.statements.find((s) => s.index === index)?.line ?? 1;

function modeBreach(
  migration: MigrationObservation,
  relation: RelationObservation,
  maxLock: NonNullable<LockBudget['maxLock']>,
): BudgetBreach {
  const line = lineOf(migration, relation.takenAt);
  const { strongest: mode, heldMs } = relation;
  return {
    path: migration.path,
    relation: relation.relation,
    kind: 'mode',
    mode,
    heldMs,
    line,
    message: `${relation.relation}: ${mode} (${blockedBy(mode)}), taken by the statement at line ${line} and held ${formatMs(heldMs)}; the budget allows at most ${maxLock}`,
  };
}

/**
 * How long ACCESS EXCLUSIVE was held on `relation`, and from which statement:
 * in a transaction, from the statement that took it to the COMMIT; without
 * one, the longest single statement that held it (each releases it at its end).
 */
function exclusiveHold(
  migration: MigrationObservation,
  relation: RelationObservation,
): { heldMs: number; index: number } {
  if (migration.transactional) return { heldMs: relation.heldMs, index: relation.takenAt };
  let longest = { heldMs: relation.heldMs, index: relation.takenAt };
  for (const statement of migration.statements) {
    if (!relation.underAccessExclusive.includes(statement.index)) continue;
    if (statement.ms > longest.heldMs) longest = { heldMs: statement.ms, index: statement.index };
  }
  return longest;
}

function durationBreach(
  migration: MigrationObservation,
  relation: RelationObservation,
  maxLockMs: number,
): BudgetBreach | null {
  if (relation.strongest !== 'ACCESS EXCLUSIVE') return null;
  const { heldMs, index } = exclusiveHold(migration, relation);
  if (heldMs <= maxLockMs) return null;
  const line = lineOf(migration, index);
  return {
    path: migration.path,
    relation: relation.relation,
    kind: 'duration',
    mode: 'ACCESS EXCLUSIVE',
    heldMs,
    line,
    message: `${relation.relation}: ACCESS EXCLUSIVE (${blockedBy('ACCESS EXCLUSIVE')}) held ${formatMs(heldMs)}, taken by the statement at line ${line}; the budget allows it for at most ${formatMs(maxLockMs)}`,
  };
}

/** Tables (and what holds rows like one): a breach on them is the one to report. */
const TABLE_KINDS = new Set(['table', 'partitioned table', 'materialized view']);

/**
 * The ways `observations` break `budget`, in migration order and, within one,
 * in the order the relations were first locked: a relation that existed
 * before holding a mode stronger than `maxLock`, or ACCESS EXCLUSIVE for
 * longer than `maxLockMs`. An index (or sequence) locked alongside a table
 * that already breaks the budget the same way is not reported again (an
 * ALTER COLUMN TYPE is one breach, not one per index of the table). An empty
 * budget allows everything.
 */
export function judgeBudget(observations: readonly MigrationObservation[], budget: LockBudget): BudgetBreach[] {
  return observations.flatMap((migration) => {
    const all = migration.relations.filter((r) => r.existed).flatMap((r) => breachesOf(migration, r, budget));
    const byTable = new Set(all.filter((b) => TABLE_KINDS.has(kindOf(migration, b))).map((b) => b.kind));
    return all.filter((b) => TABLE_KINDS.has(kindOf(migration, b)) || !byTable.has(b.kind));
  });
}

function kindOf(migration: MigrationObservation, breach: BudgetBreach): string {
  return migration.relations.find((r) => r.relation === breach.relation)?.kind ?? '';
}

function breachesOf(
  migration: MigrationObservation,
  relation: RelationObservation,
  budget: LockBudget,
): BudgetBreach[] {
  const { maxLock, maxLockMs } = budget;
  const breaches: BudgetBreach[] = [];
  if (maxLock !== undefined && relation.strongest !== maxLock && atLeast(relation.strongest, maxLock))
    breaches.push(modeBreach(migration, relation, maxLock));
  const duration = maxLockMs === undefined ? null : durationBreach(migration, relation, maxLockMs);
  if (duration) breaches.push(duration);
  return breaches;
}
