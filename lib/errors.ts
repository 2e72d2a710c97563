/**
 * Typed errors. Library code throws these; only `cli/main.ts` catches them,
 * prints them once and maps `exitCode` to the process exit code (SPEC §6).
 */
import type { Direction, Discrepancy } from './types';

export const ExitCode = {
  ok: 0,
  migrationFailed: 1,
  usage: 2,
  drift: 3,
  lockTimeout: 4,
  unreachable: 5,
} as const;

export abstract class TidemarkError extends Error {
  /** Stable, machine-readable identifier of the error class. */
  abstract readonly code: string;
  abstract readonly exitCode: number;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Where a configuration problem is, when it is in a config file. */
export interface ConfigErrorFacts {
  /** The config file, as it was named (`tidemark.config.json`, `--config` value). */
  readonly file?: string;
  /** The key path in the file: `environments.production.lockWait`. */
  readonly key?: string;
  /** 1-based position of a JSON syntax error. */
  readonly line?: number;
  readonly column?: number;
  /** The environment variable a `{"env": …}` value names. */
  readonly variable?: string;
}

/** Bad flags or configuration values. Exit 2. */
export class ConfigError extends TidemarkError {
  readonly code = 'config';
  readonly exitCode = ExitCode.usage;

  constructor(
    message: string,
    readonly facts: ConfigErrorFacts = {},
  ) {
    super(message);
  }
}

/** One problem the scanner found in one file. */
export interface ScanProblem {
  /** Path relative to the migrations directory. */
  readonly path: string;
  readonly reason: string;
}

/** The migrations directory is malformed. Nothing was sent to the database. Exit 2. */
export class ScanError extends TidemarkError {
  readonly code = 'scan';
  readonly exitCode = ExitCode.usage;

  constructor(
    readonly dir: string,
    readonly problems: readonly ScanProblem[],
  ) {
    super(
      `${dir} has ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was sent to the database:\n` +
        problems.map((p) => `  ${p.path}: ${p.reason}`).join('\n'),
    );
  }
}

/** A rollback the files forbid (irreversible or empty down script). Exit 2. */
export class IrreversibleError extends TidemarkError {
  readonly code = 'irreversible';
  readonly exitCode = ExitCode.usage;

  constructor(
    readonly refused: readonly { version: bigint; name: string; path: string; reason: 'marked' | 'empty' }[],
  ) {
    super(
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
  /** The command, as PostgreSQL names it: `CREATE INDEX CONCURRENTLY`. */
  readonly reason: string;
}

/** Transactional scripts hold statements PostgreSQL refuses in a transaction. Nothing was run. Exit 2. */
export class TransactionSafetyError extends TidemarkError {
  readonly code = 'needs-no-transaction';
  readonly exitCode = ExitCode.usage;

  constructor(readonly problems: readonly TransactionProblem[]) {
    const files = [...new Set(problems.map((p) => p.path))];
    super(
      'These statements cannot run inside a transaction block; nothing was run:\n' +
        problems.map((p) => `  ${p.path}:${p.line}:${p.column}: ${p.reason}`).join('\n') +
        `\nAdd "-- tidemark:no-transaction" as the first line of ${files.join(', ')}: it then runs outside a transaction, ` +
        'statement by statement. Keep such a file to the statements that need it.',
    );
  }
}

/** History on disk and in the ledger disagree. Nothing was run. Exit 3. */
export class DriftError extends TidemarkError {
  readonly code = 'drift';
  readonly exitCode = ExitCode.drift;

  constructor(readonly discrepancies: readonly Discrepancy[]) {
    super(`History check failed with ${discrepancies.length} discrepanc${discrepancies.length === 1 ? 'y' : 'ies'}; the database was not changed.`);
  }
}

/** Another run holds the ledger's advisory lock. Exit 4. */
export class LockTimeoutError extends TidemarkError {
  readonly code = 'lock-timeout';
  readonly exitCode = ExitCode.lockTimeout;

  constructor(
    readonly waitedSeconds: number,
    readonly holderPid: number | null,
  ) {
    super(
      `Another tidemark run holds the migration lock${holderPid === null ? '' : ` (server process ${holderPid})`}; ` +
        `gave up after ${waitedSeconds}s. Nothing was changed. Wait for it to finish, or raise --lock-wait.`,
    );
  }
}

/** The server could not be reached or refused the login. Exit 5. */
export class ConnectionError extends TidemarkError {
  readonly code = 'unreachable';
  readonly exitCode = ExitCode.unreachable;

  constructor(
    message: string,
    /** user@host:port/database of the server, never with the password. */
    readonly target: string | null = null,
  ) {
    super(message);
  }
}

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
   * A non-transactional script failed part-way: statements before `statement`
   * (1-based) took effect, the rest did not run. Its ledger row is `failed`.
   */
  readonly partial: {
    readonly statement: number;
    readonly total: number;
    /** Indexes a failed concurrent build left INVALID, schema-qualified and quoted. */
    readonly invalidIndexes: readonly string[];
  } | null;
}

/** A migration script failed; it was rolled back. Exit 1. */
export class MigrationFailedError extends TidemarkError {
  readonly code = 'migration-failed';
  readonly exitCode = ExitCode.migrationFailed;

  constructor(readonly failure: MigrationFailure) {
    const { path, sql } = failure;
    super(`${path}${sql.line === null ? '' : `:${sql.line}:${sql.column}`}: ${sql.message}`);
  }
}

/** Is this any tidemark error? */
export function isTidemarkError(err: unknown): err is TidemarkError {
  return err instanceof TidemarkError;
}

/**
 * The run was stopped by a signal (Ctrl-C, a CI job cancelled) after it
 * cleaned up. Exit 128 + the signal's number, as a shell reports it: 130 for
 * SIGINT, 143 for SIGTERM.
 */
export class InterruptedError extends TidemarkError {
  readonly code = 'interrupted';
  readonly exitCode: number;

  constructor(
    /** `SIGINT` or `SIGTERM` (anything else counts as SIGTERM). */
    readonly signal: string,
    /** What was done and undone, for the message. */
    detail: string,
  ) {
    super(`Interrupted by ${signal}. ${detail}`);
    this.exitCode = signal === 'SIGINT' ? 130 : 143;
  }
}

/** The detail of an interrupted apply or rollback: what this run completed, cancelled and left. */
export function interruptionDetail(completed: readonly string[], cancelled: string | null, notApplied: number): string {
  const parts = [completed.length > 0 ? `This run completed ${completed.join(', ')} before it.` : 'This run had completed nothing before it.'];
  if (cancelled) parts.push(`${cancelled} was cancelled and rolled back.`);
  parts.push(`${notApplied} not done. The lock was released; the next run continues from there.`);
  return parts.join(' ');
}
