/**
 * A failed step as the typed error the caller reports: the script's SQL
 * error at file:line:col (MigrationFailedError), a lost connection, an
 * interruption, a script that ended tidemark's transaction, or a failed
 * COMMIT of a --single-transaction batch.
 */
import {
  BatchCommitError,
  ConnectionError,
  MigrationFailedError,
  partialStopDetail,
  TransactionEndedError,
  type PartialStop,
} from '../errors';
import type { Script, Step } from '../types';
import { isSessionGone, StatementFailure } from './no-transaction';
import { stepInterrupted, type Run } from './run-context';
import { ScriptEndedTransaction } from './script-ended';
import { statementsCompletedBefore } from './simple-query';
import { isDatabaseError, sqlErrorFields } from './sql-error';

/**
 * What `caught`, thrown by the step at `index` of the run, is reported as:
 * a statement in doubt is a lost connection, an aborted run an interruption,
 * anything else the step's failure (see toFailure).
 */
export function stepFailure(run: Run, step: Step, index: number, caught: unknown): Error {
  const partial = caught instanceof StatementFailure ? partialStop(step, caught) : undefined;
  if (partial?.kind === 'in-doubt')
    return new ConnectionError(
      `Connection lost (${(caught as StatementFailure).message}). ${partialStopDetail(partial)}`,
    );
  if (run.signal?.aborted) return stepInterrupted(run, step, partial);
  const completed = run.batch ? 0 : index;
  return toFailure(caught, step, { completed, notApplied: run.steps.length - completed, batch: run.batch });
}

function partialStop(step: Step, f: StatementFailure): PartialStop {
  const { pair, direction } = step;
  return {
    path: pair[direction].path,
    label: pair.label,
    direction,
    statement: f.statement.index + 1,
    line: f.statement.line,
    total: f.total,
    done: f.done,
    kind: f.kind,
    invalidIndexes: f.invalidIndexes,
  };
}

/** Where the run stands when a step fails: steps committed before it, steps not applied, and whether it is a batch. */
interface Standing {
  readonly completed: number;
  readonly notApplied: number;
  readonly batch: boolean;
}

function toFailure(caught: unknown, step: Step, { completed, notApplied, batch }: Standing): Error {
  if (caught instanceof ScriptEndedTransaction) {
    const scriptError = caught.scriptError === null ? null : (caught.scriptError as Error).message;
    return new TransactionEndedError({ step, batch, completed, scriptError, rowMarked: false, batchRecorded: null });
  }
  const script = step.pair[step.direction];
  const partial = caught instanceof StatementFailure ? caught : null;
  const err = partial ? partial.error : caught;
  if (!isDatabaseError(err) || isSessionGone(err)) {
    return new ConnectionError(
      `Connection lost while running ${script.path} (${(err as Error).message}). PostgreSQL rolls back the open transaction, so neither its changes nor a ledger row remain; the next run starts it again.`,
    );
  }
  const { fields, frame } = sqlErrorFields(
    err,
    script.body.bytes,
    partial ? partial.statement.start : err.position ? undefined : failedStatementStart(script, err),
  );
  const { version, name, label } = step.pair;
  return new MigrationFailedError({
    version,
    name,
    label,
    direction: step.direction,
    path: script.path,
    sql: fields,
    frame,
    completed,
    notApplied,
    batchRolledBack: batch,
    atCommit: AT_COMMIT in err,
    partial: partial && {
      statement: partial.statement.index + 1,
      total: partial.total,
      invalidIndexes: partial.invalidIndexes,
      done: partial.done,
    },
  });
}

/**
 * The COMMIT of a --single-transaction batch failed: a deferred constraint or
 * constraint trigger of one of its migrations (the whole batch rolled back),
 * or the connection died, when nobody can say whether it committed — but the
 * ledger rows commit with it, so `status` can.
 */
export function batchCommitFailure(err: unknown, size: number): Error {
  if (!isDatabaseError(err) || isSessionGone(err)) {
    return new ConnectionError(
      `Connection lost at the COMMIT of the --single-transaction batch of ${size} (${(err as Error).message}): whether it committed is unknown. ` +
        'Its ledger rows commit or roll back together with it: `tidemark status` shows which.',
    );
  }
  const { fields } = sqlErrorFields(err, new Uint8Array(0));
  return new BatchCommitError(size, fields);
}

const AT_COMMIT = Symbol('raised by COMMIT');

/** Marks an error of the migration's own COMMIT: the script ran whole, and a deferred constraint or trigger failed. */
export function failedAtCommit(err: unknown): Promise<never> {
  if (typeof err === 'object' && err !== null) Object.defineProperty(err, AT_COMMIT, { value: true });
  return Promise.reject(err);
}

/**
 * Where the statement of a transactional script that raised `err` starts
 * (UTF-16 offset, or byte offset for a big script, found without decoding
 * it), for an error without a position: the server names none (`column
 * "emial" does not exist` from CREATE INDEX, `… cannot run inside a
 * transaction block`), but the statements that completed before it tell
 * which one it was. Undefined when unknown.
 */
function failedStatementStart(script: Script, err: unknown): number | undefined {
  const index = statementsCompletedBefore(err);
  if (index === null) return undefined;
  for (const statement of script.body.statements()) if (statement.index === index) return statement.start;
  return undefined;
}
