/**
 * Executor: runs plan steps. Each step is `BEGIN → settings → script →
 * ledger row → COMMIT`, or `ROLLBACK` and a typed error. With
 * `singleTransaction` the whole batch shares one transaction.
 */
import type { Client } from 'pg';
import { ConnectionError, MigrationFailedError } from '../errors';
import type { Logger } from '../log';
import type { Step } from '../types';
import { recordApplied, recordRolledBack, type LedgerTable } from './ledger';
import { runNonTransactional, StatementFailure } from './no-transaction';
import { isDatabaseError, sqlErrorFields } from './sql-error';

export interface StepSettings {
  /** Recorded in the ledger; readable as current_setting('tidemark.environment'). */
  readonly environment: string;
  /** PostgreSQL durations (e.g. `5s`), set with SET LOCAL for every migration. */
  readonly lockTimeout?: string;
  readonly statementTimeout?: string;
}

export interface StepOutcome {
  readonly step: Step;
  readonly durationMs: number;
}

export interface RunOptions {
  readonly ledger: LedgerTable;
  readonly settings: StepSettings;
  readonly singleTransaction: boolean;
  readonly logger: Logger;
  /** Statements of the first step's script already done (`--resume` of a non-transactional migration). */
  readonly resumeFrom?: number;
}

/**
 * Runs `steps` in order and returns what completed.
 * @throws MigrationFailedError when a script fails; that step (or, with
 *   singleTransaction, the whole batch) was rolled back.
 * @throws ConnectionError when the connection drops mid-step.
 */
export async function runSteps(client: Client, steps: readonly Step[], options: RunOptions): Promise<StepOutcome[]> {
  const done: StepOutcome[] = [];
  const batch = options.singleTransaction;
  if (batch) await begin(client, options.settings);
  for (const [index, step] of steps.entries()) {
    const log = options.logger.child({ version: step.pair.version.toString(), name: step.pair.name, direction: step.direction });
    const label = step.pair.label;
    log.debug(`${step.direction === 'up' ? 'applying' : 'rolling back'} ${label}`);
    const noTransaction = step.pair[step.direction].directives.noTransaction;
    try {
      let durationMs: number;
      if (noTransaction) {
        durationMs = await runNonTransactional(client, step, options.ledger, options.settings, index === 0 ? options.resumeFrom ?? 0 : 0, log);
      } else {
        if (!batch) await begin(client, options.settings);
        durationMs = await runScript(client, step, options);
        if (!batch) await client.query('COMMIT');
      }
      done.push({ step, durationMs });
      log.info({ duration_ms: durationMs, outcome: 'ok' }, `${step.direction === 'up' ? 'applied' : 'rolled back'} ${label} (${durationMs} ms)`);
    } catch (err) {
      if (!noTransaction) await client.query('ROLLBACK').catch(() => {});
      const completed = batch ? 0 : index;
      throw toFailure(err, step, completed, steps.length - completed, batch);
    }
  }
  if (batch) await client.query('COMMIT');
  return done;
}

async function begin(client: Client, settings: StepSettings): Promise<void> {
  await client.query('BEGIN');
  const names = ['tidemark.environment'];
  const values = [settings.environment];
  if (settings.lockTimeout !== undefined) names.push('lock_timeout'), values.push(settings.lockTimeout);
  if (settings.statementTimeout !== undefined) names.push('statement_timeout'), values.push(settings.statementTimeout);
  const calls = names.map((n, i) => `set_config('${n}', $${i + 1}, true)`).join(', ');
  await client.query(`SELECT ${calls}`, values);
}

async function runScript(client: Client, step: Step, options: RunOptions): Promise<number> {
  const script = step.direction === 'up' ? step.pair.up : step.pair.down;
  const started = performance.now();
  await client.query(script.sql); // one simple query: the server parses the whole script
  const durationMs = Math.round(performance.now() - started);
  if (step.direction === 'up') await recordApplied(client, options.ledger, step.pair, durationMs, options.settings.environment);
  else await recordRolledBack(client, options.ledger, step.pair.version);
  return durationMs;
}

function toFailure(caught: unknown, step: Step, completed: number, notApplied: number, batch: boolean): Error {
  const script = step.direction === 'up' ? step.pair.up : step.pair.down;
  const partial = caught instanceof StatementFailure ? caught : null;
  const err = partial ? partial.error : caught;
  if (!isDatabaseError(err)) {
    return new ConnectionError(
      `Connection lost while running ${script.path} (${(err as Error).message}). PostgreSQL rolls back the open transaction, so neither its changes nor a ledger row remain; the next run starts it again.`,
    );
  }
  const { fields, frame } = sqlErrorFields(err, script.sql, partial?.statement.start);
  const { version, name, label } = step.pair;
  return new MigrationFailedError({
    version, name, label, direction: step.direction, path: script.path, sql: fields, frame, completed, notApplied, batchRolledBack: batch,
    partial: partial && { statement: partial.statement.index + 1, total: partial.total, invalidIndexes: partial.invalidIndexes },
  });
}
