/**
 * A migration that failed while running, and the batch whose COMMIT failed (exit 1).
 */
import type { Direction } from '../types';
import { TidemarkError } from './base';

/** The PostgreSQL error fields tidemark reports. */
export interface SqlErrorFields {
  readonly sqlstate: string | null;
  readonly message: string;
  readonly detail: string | null;
  readonly hint: string | null;
  readonly where: string | null;
  /** 1-based line and column in the script, when the server gave a position. */
  readonly line: number | null;
  readonly column: number | null;
}

export interface MigrationFailure {
  readonly version: bigint;
  readonly name: string;
  /** `<version>_<name>` as written on disk. */
  readonly label: string;
  readonly direction: Direction;
  /** Path of the failing script, relative to the migrations directory. */
  readonly path: string;
  readonly sql: SqlErrorFields;
  /** The offending line and a caret under the position, when known. */
  readonly frame: string | null;
  /** Steps of this run that were committed before the failure. */
  readonly completed: number;
  /** Steps of this run's plan not applied, the failed one included. */
  readonly notApplied: number;
  /** With --single-transaction the completed steps were rolled back too. */
  readonly batchRolledBack: boolean;
  /**
   * Every statement ran, and the error came when the transaction committed
   * (a deferred constraint or constraint trigger): no statement to point at.
   */
  readonly atCommit?: boolean;
  /**
   * A non-transactional script failed part-way: statements before `statement`
   * (1-based) took effect, the rest did not run. Its ledger row is `failed`.
   */
  readonly partial: {
    readonly statement: number;
    readonly total: number;
    /** Indexes a failed concurrent build left INVALID, schema-qualified and quoted. */
    readonly invalidIndexes: readonly string[];
    /** Statements that took effect: statement - 1, or fewer when the script's own transaction block rolled back. */
    readonly done: number;
  } | null;
}

/** A migration script failed; it was rolled back. Exit 1. */
export class MigrationFailedError extends TidemarkError<'migration-failed'> {
  constructor(readonly failure: MigrationFailure) {
    const { path, sql } = failure;
    const fix = noTransactionFix(failure);
    const at =
      sql.line !== null
        ? `:${sql.line}:${sql.column}`
        : failure.atCommit
          ? ' (at COMMIT, after its last statement)'
          : '';
    super('migration-failed', `${path}${at}: ${sql.message}${fix === null ? '' : `. ${fix}`}`);
  }
}

/**
 * The way out when PostgreSQL refused a statement of a transactional script
 * with 25001 ("… cannot run inside a transaction block") that tidemark's
 * check of the text let through: REINDEX or CLUSTER of a partitioned table,
 * a procedure that commits. Null for any other failure (25001 also says
 * "SET TRANSACTION … must be called before any query").
 */
export function noTransactionFix(f: MigrationFailure): string | null {
  if (f.sql.sqlstate !== '25001' || f.partial !== null || f.sql.message.includes('before any query')) return null;
  const at = f.sql.line === null ? f.path : `${f.path}:${f.sql.line}`;
  const batch = f.batchRolledBack ? ', so apply it without --single-transaction' : '';
  return (
    `The statement at ${at} cannot run in the transaction tidemark runs the script in. ` +
    `Add "-- tidemark:no-transaction" as the first line of ${f.path}: it then runs outside a transaction, statement by statement${batch}. ` +
    'Keep such a file to the statements that need it.'
  );
}

/**
 * The COMMIT of a --single-transaction batch failed after every script ran:
 * a deferred constraint or constraint trigger. PostgreSQL rolled the whole
 * batch back, ledger rows included. Exit 1.
 */
export class BatchCommitError extends TidemarkError<'batch-commit-failed'> {
  constructor(
    readonly size: number,
    readonly sql: SqlErrorFields,
  ) {
    super(
      'batch-commit-failed',
      `--single-transaction: every script of the batch of ${size} ran, and its COMMIT failed: ${sql.sqlstate ? `SQLSTATE ${sql.sqlstate}: ` : ''}${sql.message}` +
        `${sql.detail ? ` (${sql.detail})` : ''}. A deferred constraint or constraint trigger of one of its migrations failed; ` +
        'the whole batch was rolled back, ledger rows included: nothing was applied. Apply without --single-transaction to find the migration it belongs to.',
    );
  }
}
