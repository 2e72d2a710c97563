/**
 * Non-transactional migrations keep their progress in the ledger row, each
 * write committed at once (or with the script's own transaction block, when
 * one is open), so a failure or a crash part-way leaves a visible record.
 * Before statement k is sent the row says it is *in flight*; after it, that
 * it is done and the next one is in flight — one write per statement. A row
 * found with a statement in flight and no live session behind it means that
 * statement is in doubt: it may or may not have taken effect.
 *
 * Schema-qualified throughout, as ledger.ts explains.
 */
import type { Client } from 'pg';
import type { Pair, Progress, Step } from '../types';
import { insertRow, qualifiedName, VERSION_IS, type LedgerQuery, type LedgerTable } from './ledger';

/**
 * The statements of {@link progressOf}, built apart so that `--dry-run --sql`
 * (sql-script.ts) prints exactly what a run sends.
 */
export const progressQueries = {
  /**
   * The row becomes `running` with statement done + 1 in flight and this
   * session's pid: `update` for a row that exists (a down, a resume), else
   * `insert`, sent when the update found no row.
   */
  start(
    ledger: LedgerTable,
    step: Step,
    counts: { readonly done: number; readonly total: number },
    environment: string,
  ): { update: LedgerQuery; insert: LedgerQuery } {
    const { pair, direction } = step;
    const { done, total } = counts;
    const inflight = done < total ? `, 'inflight', ${done + 1}` : '';
    const failure = (direction: string) =>
      `pg_catalog.jsonb_build_object('direction', ${direction}::pg_catalog.text, 'pid', pg_catalog.pg_backend_pid()${inflight})`;
    return {
      update: {
        text: `UPDATE ${qualifiedName(ledger)} SET state = 'running', statements_done = $2, statements_total = $3, failure = ${failure('$4')} WHERE ${VERSION_IS}`,
        values: [pair.version.toString(), done, total, direction],
      },
      insert: insertRow(ledger, { pair, environment }, (param) => ({
        duration_ms: '0',
        state: "'running'",
        statements_done: param(done),
        statements_total: param(total),
        failure: failure(param(direction)),
      })),
    };
  },
  advance(ledger: LedgerTable, version: bigint, done: number, total: number): LedgerQuery {
    const next =
      done < total
        ? `failure OPERATOR(pg_catalog.||) pg_catalog.jsonb_build_object('inflight', ${done + 1})`
        : `failure OPERATOR(pg_catalog.-) 'inflight'::pg_catalog.text`;
    return {
      text: `UPDATE ${qualifiedName(ledger)} SET statements_done = $2, failure = ${next} WHERE ${VERSION_IS}`,
      values: [version.toString(), done],
    };
  },
  finishUp(ledger: LedgerTable, version: bigint, durationMs: number): LedgerQuery {
    return {
      text: `UPDATE ${qualifiedName(ledger)} SET state = 'applied', failure = NULL, duration_ms = $2, applied_at = pg_catalog.now(), applied_by = current_user WHERE ${VERSION_IS}`,
      values: [version.toString(), Math.round(durationMs)],
    };
  },
  /** Deletes the row of a rolled-back non-transactional migration (no transaction to check). */
  rolledBack(ledger: LedgerTable, version: bigint): LedgerQuery {
    return { text: `DELETE FROM ${qualifiedName(ledger)} WHERE ${VERSION_IS}`, values: [version.toString()] };
  },
};

/** The progress writes of one non-transactional step's row. */
export interface ProgressRow {
  /**
   * Marks the start: a new `running` row (up), or the applied row turned
   * `running` (down, or a resume), with statement done + 1 in flight and this
   * session's pid (the one that holds the migration lock).
   */
  start(done: number, total: number, environment: string): Promise<void>;
  /** Statement `done` finished; the next one (if any, up to `total`) is in flight. */
  advance(done: number, total: number): Promise<void>;
  /** The statements done so far, as the ledger says (after a transaction block of the script rolled back). */
  done(): Promise<number>;
  /** The row becomes `failed`, with the error and (when given) the statements done. */
  fail(error: NonNullable<Progress['error']>, done?: number): Promise<void>;
  /** The script ran to its end: an up's row becomes an ordinary applied row; a down's row is deleted. */
  finish(durationMs: number): Promise<void>;
}

/** The progress row of `step`, written through `client`. */
export function progressOf(client: Client, ledger: LedgerTable, step: Step): ProgressRow {
  const { pair, direction } = step;
  const version = pair.version;
  const send = async (query: LedgerQuery) => void (await client.query(query));
  return {
    async start(done, total, environment) {
      const { update, insert } = progressQueries.start(ledger, step, { done, total }, environment);
      const updated = await client.query(update);
      if (updated.rowCount === 0) await client.query(insert);
    },
    advance: (done, total) => send(progressQueries.advance(ledger, version, done, total)),
    done: () => statementsDone(client, ledger, pair),
    fail: (error, done) =>
      send({
        text: `UPDATE ${qualifiedName(ledger)} SET state = 'failed', failure = $2, statements_done = coalesce($3, statements_done) WHERE ${VERSION_IS}`,
        values: [version.toString(), JSON.stringify({ direction, error }), done ?? null],
      }),
    finish: (durationMs) =>
      send(
        direction === 'up'
          ? progressQueries.finishUp(ledger, version, durationMs)
          : progressQueries.rolledBack(ledger, version),
      ),
  };
}

async function statementsDone(client: Client, ledger: LedgerTable, pair: Pair): Promise<number> {
  const { rows } = await client.query<{ done: number | null }>(
    `SELECT statements_done AS done FROM ${qualifiedName(ledger)} WHERE ${VERSION_IS}`,
    [pair.version.toString()],
  );
  return rows[0]?.done ?? 0;
}
