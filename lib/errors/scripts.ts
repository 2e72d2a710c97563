/**
 * The migration files refused before anything runs: a malformed directory, an
 * irreversible rollback, transaction statements in a transactional script (exit 2).
 */
import { TidemarkError } from './base';

/** One problem the scanner found in one file. */
export interface ScanProblem {
  /** Path relative to the migrations directory. */
  readonly path: string;
  readonly reason: string;
  /** 1-based line and column (code points) of the offending spot, when the problem is at one. */
  readonly line?: number;
  readonly column?: number;
}

/** The migrations directory is malformed. Nothing was sent to the database. Exit 2. */
export class ScanError extends TidemarkError<'scan'> {
  constructor(
    readonly dir: string,
    readonly problems: readonly ScanProblem[],
  ) {
    super(
      'scan',
      `${dir} has ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was sent to the database:\n` +
        problems
          .map((p) => `  ${p.path}${p.line === undefined ? '' : `:${p.line}:${p.column}`}: ${p.reason}`)
          .join('\n'),
    );
  }
}

/** A rollback the files forbid (irreversible or empty down script). Exit 2. */
export class IrreversibleError extends TidemarkError<'irreversible'> {
  constructor(
    readonly refused: readonly { version: bigint; name: string; path: string; reason: 'marked' | 'empty' }[],
  ) {
    super(
      'irreversible',
      'Rollback refused; the database was not changed:\n' +
        refused
          .map((r) =>
            r.reason === 'marked'
              ? `  ${r.path} (version ${r.version}) is marked -- tidemark:irreversible.`
              : `  ${r.path} (version ${r.version}) is empty: there is no down script to run.`,
          )
          .join('\n') +
        '\nRoll back to a higher --target, or write a down script that undoes the migration.',
    );
  }
}

/** A statement that cannot run in a transaction, in a script without `-- tidemark:no-transaction`. */
export interface TransactionProblem {
  readonly path: string;
  readonly line: number;
  readonly column: number;
  /** The command, as PostgreSQL names it: `CREATE INDEX CONCURRENTLY`, `COMMIT`. */
  readonly reason: string;
  /**
   * `needs-no-transaction`: PostgreSQL refuses it inside a transaction block.
   * `transaction-control`: it ends the migration's transaction or starts one.
   */
  readonly kind: 'needs-no-transaction' | 'transaction-control';
}

/**
 * Which command found transaction problems: one that would have run the
 * scripts (`apply`, `rollback`, `test`), which ran nothing, or `verify`,
 * which never runs anything.
 */
export type CheckedBy = 'run' | 'verify';

/** What the message says was done about the problems found. */
function refused(by: CheckedBy): string {
  return by === 'verify'
    ? ' (apply, rollback and test refuse such a script before running anything)'
    : '; nothing was run';
}

/** Transactional scripts hold statements PostgreSQL refuses in a transaction. Nothing was run. Exit 2. */
export class TransactionSafetyError extends TidemarkError<'needs-no-transaction'> {
  constructor(
    readonly problems: readonly TransactionProblem[],
    by: CheckedBy = 'run',
  ) {
    const files = [...new Set(problems.map((p) => p.path))];
    super(
      'needs-no-transaction',
      `These statements cannot run inside a transaction block${refused(by)}:\n` +
        problems.map((p) => `  ${p.path}:${p.line}:${p.column}: ${p.reason}`).join('\n') +
        `\nAdd "-- tidemark:no-transaction" as the first line of ${files.join(', ')}: it then runs outside a transaction, ` +
        'statement by statement. Keep such a file to the statements that need it.',
    );
  }
}

/**
 * Transactional scripts end their transaction or start one themselves
 * (COMMIT, ROLLBACK, BEGIN…): run as they are, part of a migration would be
 * committed or rolled back apart from its ledger row. Nothing was run. Exit 2.
 */
export class TransactionControlError extends TidemarkError<'transaction-control'> {
  constructor(
    readonly problems: readonly TransactionProblem[],
    by: CheckedBy = 'run',
  ) {
    const files = [...new Set(problems.map((p) => p.path))];
    super(
      'transaction-control',
      `These statements end or start a transaction inside a migration that tidemark runs in one transaction with its ledger row${refused(by)}:\n` +
        problems.map((p) => `  ${p.path}:${p.line}:${p.column}: ${p.reason}`).join('\n') +
        `\nRemove them: tidemark begins the transaction and commits it together with the ledger row. ` +
        `To control transactions yourself, mark ${files.join(', ')} "-- tidemark:no-transaction" (first line): it then runs outside tidemark's transaction, statement by statement.`,
    );
  }
}
