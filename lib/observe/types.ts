/**
 * The contract of `tidemark test --locks`: what PostgreSQL itself says a
 * migration did, observed on a throwaway database — the locks each statement
 * holds (the backend's own rows in pg_locks), the relations it rewrote
 * (pg_class.relfilenode changed), and how long each strong lock was held.
 * Pure types; lib/db/observe.ts observes, lib/observe/*.ts summarise, judge
 * a budget and compare with lint.
 */
import type { LockMode } from '../lint/locks';

export type { LockMode } from '../lint/locks';

/** A relation as observed: schema-qualified, and what it is. */
export interface ObservedRelation {
  /** `schema.name`, unquoted. */
  readonly relation: string;
  /** pg_class.relkind as a word: table, partitioned table, index, sequence, view, materialized view, … */
  readonly kind: string;
  /** False when the migration created it (it had no readers before). */
  readonly existed: boolean;
}

/** A lock the migrating backend held on a relation. */
export interface ObservedLock extends ObservedRelation {
  readonly mode: LockMode;
}

/** One statement, observed. */
export interface StatementObservation {
  /** 0-based index in the script, as the lexer splits it. */
  readonly index: number;
  /** 1-based line of its first token in the script. */
  readonly line: number;
  /** Its text (first line is enough for reports; the whole text is kept). */
  readonly text: string;
  /** Wall time of the statement alone, ms. */
  readonly ms: number;
  /**
   * The relation locks the backend held right after it (in a transactional
   * script: everything taken so far, as locks last until COMMIT); for a
   * no-transaction script, the locks seen while it ran.
   */
  readonly locks: readonly ObservedLock[];
}

/** A relation the migration touched, summarised. */
export interface RelationObservation extends ObservedRelation {
  /** The strongest mode held on it. */
  readonly strongest: LockMode;
  /** What that mode blocks while held (lint/locks.ts blockedBy). */
  readonly blocks: string;
  /** Its relfilenode changed: the table (or index) was rewritten. */
  readonly rewritten: boolean;
  /** Index of the statement that first took `strongest`. */
  readonly takenAt: number;
  /** From the statement that took `strongest` to the COMMIT (or the statement's end without a transaction), ms. */
  readonly heldMs: number;
  /** Indexes of the statements that ran while it was held at ACCESS EXCLUSIVE (empty otherwise). */
  readonly underAccessExclusive: readonly number[];
}

/** One migration (one script), observed. */
export interface MigrationObservation {
  readonly version: bigint;
  readonly name: string;
  /** The script's path relative to the migrations directory. */
  readonly path: string;
  readonly direction: 'up' | 'down';
  readonly transactional: boolean;
  readonly statements: readonly StatementObservation[];
  readonly relations: readonly RelationObservation[];
  /** Whole script, BEGIN to COMMIT, ms. */
  readonly totalMs: number;
}

/** The budget of `--max-lock MODE` / `--max-lock-ms N`: on relations that existed before the migration. */
export interface LockBudget {
  readonly maxLock?: LockMode;
  readonly maxLockMs?: number;
}

/** One way a migration broke the budget. */
export interface BudgetBreach {
  readonly path: string;
  readonly relation: string;
  readonly kind: 'mode' | 'duration';
  readonly mode: LockMode;
  readonly heldMs: number;
  /** 1-based line of the statement that took the lock. */
  readonly line: number;
  readonly message: string;
}
