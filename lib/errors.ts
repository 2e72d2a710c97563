/**
 * Typed errors. Library code throws these; only `cli/main.ts` catches them,
 * prints them once and maps `exitCode` to the process exit code (SPEC §6).
 */
import type { Direction, Discrepancy, Step } from './types';

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
  /** 1-based line and column (code points) of the offending spot, when the problem is at one. */
  readonly line?: number;
  readonly column?: number;
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
        problems
          .map((p) => `  ${p.path}${p.line === undefined ? '' : `:${p.line}:${p.column}`}: ${p.reason}`)
          .join('\n'),
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
export class TransactionSafetyError extends TidemarkError {
  readonly code = 'needs-no-transaction';
  readonly exitCode = ExitCode.usage;

  constructor(
    readonly problems: readonly TransactionProblem[],
    by: CheckedBy = 'run',
  ) {
    const files = [...new Set(problems.map((p) => p.path))];
    super(
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
export class TransactionControlError extends TidemarkError {
  readonly code = 'transaction-control';
  readonly exitCode = ExitCode.usage;

  constructor(
    readonly problems: readonly TransactionProblem[],
    by: CheckedBy = 'run',
  ) {
    const files = [...new Set(problems.map((p) => p.path))];
    super(
      `These statements end or start a transaction inside a migration that tidemark runs in one transaction with its ledger row${refused(by)}:\n` +
        problems.map((p) => `  ${p.path}:${p.line}:${p.column}: ${p.reason}`).join('\n') +
        `\nRemove them: tidemark begins the transaction and commits it together with the ledger row. ` +
        `To control transactions yourself, mark ${files.join(', ')} "-- tidemark:no-transaction" (first line): it then runs outside tidemark's transaction, statement by statement.`,
    );
  }
}

/** History on disk and in the ledger disagree. Nothing was run. Exit 3. */
export class DriftError extends TidemarkError {
  readonly code = 'drift';
  readonly exitCode = ExitCode.drift;

  constructor(readonly discrepancies: readonly Discrepancy[]) {
    super(
      `History check failed with ${discrepancies.length} discrepanc${discrepancies.length === 1 ? 'y' : 'ies'}; the database was not changed.`,
    );
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
export class MigrationFailedError extends TidemarkError {
  readonly code = 'migration-failed';
  readonly exitCode = ExitCode.migrationFailed;

  constructor(readonly failure: MigrationFailure) {
    const { path, sql } = failure;
    const fix = noTransactionFix(failure);
    const at =
      sql.line !== null
        ? `:${sql.line}:${sql.column}`
        : failure.atCommit
          ? ' (at COMMIT, after its last statement)'
          : '';
    super(`${path}${at}: ${sql.message}${fix === null ? '' : `. ${fix}`}`);
  }
}

/** Is this any tidemark error? */
export function isTidemarkError(err: unknown): err is TidemarkError {
  return err instanceof TidemarkError;
}

/** Exit codes of the signals that stop a run, as a shell reports them (128 + the signal's number). */
export const SIGNAL_EXIT_CODES: Readonly<Record<string, number>> = {
  SIGHUP: 129,
  SIGINT: 130,
  SIGQUIT: 131,
  SIGTERM: 143,
};

/**
 * The run was stopped by a signal (Ctrl-C, a CI job cancelled, an ssh
 * session that dropped) after it cleaned up. Exit 128 + the signal's number,
 * as a shell reports it: 129 for SIGHUP, 130 for SIGINT, 131 for SIGQUIT,
 * 143 for SIGTERM.
 */
export class InterruptedError extends TidemarkError {
  readonly code = 'interrupted';
  readonly exitCode: number;

  constructor(
    /** `SIGHUP`, `SIGINT`, `SIGQUIT` or `SIGTERM` (anything else counts as SIGTERM). */
    readonly signal: string,
    /** What was done and undone, for the message. */
    detail: string,
  ) {
    super(`Interrupted by ${signal}. ${detail}`);
    this.exitCode = SIGNAL_EXIT_CODES[signal] ?? 143;
  }
}

/** "statements 1–3 of 5 took effect", from the number done. */
export function tookEffect(done: number, total: number): string {
  return done === 0
    ? 'no statement took effect'
    : done === 1
      ? `statement 1 of ${total} took effect`
      : `statements 1–${done} of ${total} took effect`;
}

/** Where a non-transactional script stopped, for the summaries. */
export interface PartialStop {
  readonly path: string;
  readonly label: string;
  readonly direction: Direction;
  /** 1-based statement it stopped at, and its line. */
  readonly statement: number;
  readonly line: number;
  readonly total: number;
  /** Statements that took effect. */
  readonly done: number;
  /** `failed`: cancelled, did not take effect; `not-sent`: never sent; `in-doubt`: may have taken effect. */
  readonly kind: 'failed' | 'not-sent' | 'in-doubt';
  readonly invalidIndexes: readonly string[];
}

/** What a stopped non-transactional script took effect with, what is in doubt, and the exact next command. */
export function partialStopDetail(p: PartialStop): string {
  const command = `tidemark ${p.direction === 'up' ? 'apply' : 'rollback'} --resume`;
  const at = `statement ${p.statement} (line ${p.line})`;
  const rest = p.total - p.statement;
  const parts = [`${p.path} runs without a transaction: ${tookEffect(p.done, p.total)};`];
  if (p.kind === 'in-doubt') {
    parts.push(`${at} was running and is IN DOUBT: it may or may not have taken effect; ${rest} after it did not run.`);
    parts.push(
      `Its ledger row still shows ${at} in flight. Next: \`tidemark status\` shows it; then \`${command}\` — it checks the catalog for a concurrent index build, and for any other statement asks you to check and say --assume-done or --assume-not-done.`,
    );
  } else {
    parts.push(p.kind === 'failed' ? `${at} was cancelled and did not take effect;` : `${at} was not run;`);
    parts.push(`${rest} after it did not run. Its ledger row is marked failed, at ${at}.`);
    for (const index of p.invalidIndexes)
      parts.push(`The cancelled build left the INVALID index ${index}: DROP INDEX CONCURRENTLY IF EXISTS ${index};`);
    parts.push(`Next: \`${command}\` continues from ${at}.`);
  }
  return parts.join(' ');
}

/** The detail of an interrupted apply or rollback whose running step was a non-transactional script. */
export function partialInterruptionDetail(completed: readonly string[], stop: PartialStop, notDone: number): string {
  return [
    completed.length > 0
      ? `This run completed ${completed.join(', ')} before it.`
      : 'This run had completed nothing before it.',
    partialStopDetail(stop),
    `${notDone} migration(s) not done, ${stop.label} included. The lock was released.`,
  ].join(' ');
}

/** The detail of an interrupted apply or rollback: what this run completed, cancelled and left. */
export function interruptionDetail(completed: readonly string[], cancelled: string | null, notApplied: number): string {
  const parts = [
    completed.length > 0
      ? `This run completed ${completed.join(', ')} before it.`
      : 'This run had completed nothing before it.',
  ];
  if (cancelled) parts.push(`${cancelled} was cancelled and rolled back.`);
  parts.push(`${notApplied} not done. The lock was released; the next run continues from there.`);
  return parts.join(' ');
}

export interface TransactionEnded {
  readonly step: Step;
  /** --single-transaction: the script ended the batch's transaction. */
  readonly batch: boolean;
  /** Steps of this run committed before this one (each in its own transaction). */
  readonly completed: number;
  /** The script's own error, when it failed after ending the transaction. */
  readonly scriptError: string | null;
  /** The migration's row was marked `failed` (false: writing it failed too). */
  readonly rowMarked: boolean;
  /** --single-transaction: versions the ledger records as applied afterwards. */
  readonly batchRecorded: readonly bigint[] | null;
}

/**
 * A script ended tidemark's transaction itself — a COMMIT, ROLLBACK, END…
 * that was not recognised before it ran — so what it did before that point
 * may have been committed (or rolled back) apart from its ledger row. The
 * ledger write was refused; the row is marked `failed` so that nothing runs
 * over it until someone looks. Never reported as "rolled back". Exit 1.
 */
export class TransactionEndedError extends TidemarkError {
  readonly code = 'transaction-ended';
  readonly exitCode = ExitCode.migrationFailed;

  constructor(readonly facts: TransactionEnded) {
    super(transactionEndedMessage(facts));
  }

  get step(): Step {
    return this.facts.step;
  }

  get batch(): boolean {
    return this.facts.batch;
  }

  withFacts(more: Pick<TransactionEnded, 'rowMarked' | 'batchRecorded'>): TransactionEndedError {
    return new TransactionEndedError({ ...this.facts, ...more });
  }
}

function transactionEndedMessage(f: TransactionEnded): string {
  const { pair, direction } = f.step;
  const script = pair[direction];
  const lines = [
    `${script.path} ended the transaction tidemark ran it in (a COMMIT, ROLLBACK, END, ABORT, PREPARE TRANSACTION or BEGIN in the script): ` +
      `what it did before that statement was committed or rolled back by it, and what came after ran outside tidemark's transaction. ` +
      `The ledger write was refused, so no ledger row claims it ${direction === 'up' ? 'applied' : 'rolled back'}.`,
  ];
  if (f.scriptError !== null) lines.push(`The script then failed: ${f.scriptError}`);
  if (f.batch) {
    const recorded =
      f.batchRecorded === null ? 'unknown' : f.batchRecorded.length === 0 ? 'none' : f.batchRecorded.join(', ');
    lines.push(
      `--single-transaction: the batch was NOT rolled back as a whole; the ledger now records as applied: ${recorded} (each together with its changes).`,
    );
  } else if (f.completed > 0) {
    lines.push(`The ${f.completed} migration(s) before it in this run are applied and recorded.`);
  }
  lines.push(
    f.rowMarked
      ? `Version ${pair.version} is marked failed in the ledger; apply refuses to go on until it is resolved.`
      : `Marking version ${pair.version} failed in the ledger did not work either: check the ledger by hand before the next run.`,
  );
  const applied = direction === 'up' ? 'applied' : 'not-applied';
  const notApplied = direction === 'up' ? 'not-applied' : 'applied';
  lines.push(
    `Check the database for the changes of ${script.path}. Then either finish them by hand and run \`tidemark repair --version ${pair.version} --${applied} --reason "…"\`, ` +
      `or undo them by hand and run \`tidemark repair --version ${pair.version} --${notApplied} --reason "…"\`. ` +
      `Remove the transaction statements from the script (or mark it -- tidemark:no-transaction) before running it again.`,
  );
  return lines.join('\n');
}

/**
 * The database role lacks a privilege tidemark needs for its ledger (SQLSTATE
 * 42501 on creating or reading it). Nothing was changed. Exit 2.
 */
export class PrivilegeError extends TidemarkError {
  readonly code = 'privilege';
  readonly exitCode = ExitCode.usage;

  constructor(
    readonly facts: {
      /** The role tidemark connected as (current_user). */
      readonly role: string;
      /** What it tried: `create the ledger table "public"."tidemark_migrations"`. */
      readonly action: string;
      /** The privilege it lacks, in words: `CREATE on schema public`. */
      readonly missing: string;
      /** The statement an owner or superuser runs to grant it. */
      readonly grant: string;
      /** Another way out, in a sentence, if there is one. */
      readonly otherwise?: string;
    },
  ) {
    super(
      `The role ${facts.role} may not ${facts.action}: it lacks ${facts.missing}. Nothing was changed. ` +
        `As the owner or a superuser, run:\n  ${facts.grant}\n` +
        (facts.otherwise ? `${facts.otherwise}` : 'Or connect as a role that has it.'),
    );
  }
}

/**
 * The name of the ledger table is taken by something that is not a ledger:
 * a view, a foreign table, a sequence…, or a table without the ledger's
 * columns. Nothing was changed. Exit 2.
 */
export class LedgerRelationError extends TidemarkError {
  readonly code = 'ledger-relation';
  readonly exitCode = ExitCode.usage;

  constructor(
    readonly facts: {
      /** `"public"."tidemark_migrations"`, quoted as in SQL. */
      readonly relation: string;
      /** What it is: `view`, `foreign table`, `table without the ledger's columns (version, name, up_checksum)`. */
      readonly kind: string;
    },
  ) {
    super(
      `${facts.relation} is a ${facts.kind}, not a tidemark ledger; tidemark keeps its ledger in an ordinary table it creates itself. Nothing was changed. ` +
        'Give the ledger another name with --table (or another schema with --schema), or move that object out of the way.',
    );
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
export class BatchCommitError extends TidemarkError {
  readonly code = 'batch-commit-failed';
  readonly exitCode = ExitCode.migrationFailed;

  constructor(
    readonly size: number,
    readonly sql: SqlErrorFields,
  ) {
    super(
      `--single-transaction: every script of the batch of ${size} ran, and its COMMIT failed: ${sql.sqlstate ? `SQLSTATE ${sql.sqlstate}: ` : ''}${sql.message}` +
        `${sql.detail ? ` (${sql.detail})` : ''}. A deferred constraint or constraint trigger of one of its migrations failed; ` +
        'the whole batch was rolled back, ledger rows included: nothing was applied. Apply without --single-transaction to find the migration it belongs to.',
    );
  }
}
