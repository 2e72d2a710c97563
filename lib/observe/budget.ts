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

/**
 * The ways `observations` break `budget`, in migration order and, within one,
 * in the order the relations were first locked: a relation that existed
 * before holding a mode stronger than `maxLock`, or ACCESS EXCLUSIVE for
 * longer than `maxLockMs`. An empty budget allows everything.
 */
export function judgeBudget(observations: readonly MigrationObservation[], budget: LockBudget): BudgetBreach[] {
  const breaches: BudgetBreach[] = [];
  for (const migration of observations) {
    for (const relation of migration.relations) {
      if (!relation.existed) continue;
      const { maxLock, maxLockMs } = budget;
      if (maxLock !== undefined && relation.strongest !== maxLock && atLeast(relation.strongest, maxLock)) {
        breaches.push(modeBreach(migration, relation, maxLock));
      }
      const duration = maxLockMs === undefined ? null : durationBreach(migration, relation, maxLockMs);
      if (duration) breaches.push(duration);
    }
  }
  return breaches;
}
