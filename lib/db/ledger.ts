/**
 * The ledger table. Identifiers are quoted with `escapeIdentifier`; every
 * value is a query parameter.
 *
 * Every function, type and operator here is named with its schema
 * (`pg_catalog.now()`, `OPERATOR(pg_catalog.=)`): these statements run with
 * the session's search_path, which a migration may change and a database or
 * role setting may point at a schema someone else can create objects in
 * (`evil, pg_catalog, public`), where an `evil.now()` or an `evil.=` would
 * otherwise run as the migrating role. Keywords (`current_user`,
 * `coalesce`, `GREATEST`, `extract`, `bigint`, `integer`) are not looked up.
 */
import { escapeIdentifier, type Client } from 'pg';
import type { LedgerRow, LedgerState, Pair, Progress, Script } from '../types';
import { TOOL_VERSION } from '../version';
import { explainLedgerError, prepareLedger } from './ledger-checks';

export interface LedgerTable {
  readonly schema: string;
  readonly table: string;
}

/** Scripts larger than this are recorded by checksum only. */
export const MAX_STORED_SCRIPT_BYTES = 1024 * 1024;

const UNDEFINED_TABLE = '42P01';

/** `version = $1`, with the operator PostgreSQL ships (see the header). */
export const VERSION_IS = 'version OPERATOR(pg_catalog.=) $1';

/** `"schema"."table"`, safely quoted. */
export function qualifiedName(ledger: LedgerTable): string {
  return `${escapeIdentifier(ledger.schema)}.${escapeIdentifier(ledger.table)}`;
}

/**
 * Creates the schema and table if they do not exist. Call under the advisory lock.
 * @returns true when it created the table (this role owns it).
 * @throws LedgerRelationError when the name is taken by a view, a foreign table…;
 *   PrivilegeError when the role may not create the schema or the table (exit 2).
 */
export async function ensureLedger(client: Client, ledger: LedgerTable): Promise<boolean> {
  if (!(await prepareLedger(client, ledger))) return false;
  await client.query(createLedgerSql(ledger));
  return true;
}

/** The ledger's CREATE TABLE, as ensureLedger sends it (and `--dry-run --sql` prints it). */
export function createLedgerSql(ledger: LedgerTable): string {
  return `CREATE TABLE IF NOT EXISTS ${qualifiedName(ledger)} (
    version          bigint PRIMARY KEY,
    name             pg_catalog.text NOT NULL,
    up_checksum      pg_catalog.text NOT NULL,
    down_checksum    pg_catalog.text,
    applied_at       pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    applied_by       pg_catalog.text NOT NULL DEFAULT current_user,
    duration_ms      integer NOT NULL,
    environment      pg_catalog.text NOT NULL,
    tool_version     pg_catalog.text NOT NULL,
    state            pg_catalog.text NOT NULL DEFAULT 'applied' CHECK (state OPERATOR(pg_catalog.=) ANY (ARRAY['applied', 'running', 'failed'])),
    statements_done  integer,
    statements_total integer,
    failure          pg_catalog.jsonb,
    up_sql           pg_catalog.text,
    down_sql         pg_catalog.text
  )`;
}

interface RawRow {
  version: string;
  name: string;
  up_checksum: string;
  down_checksum: string | null;
  applied_at: Date;
  applied_by: string;
  duration_ms: number;
  environment: string;
  tool_version: string;
  state: LedgerState;
  statements_done: number | null;
  statements_total: number | null;
  failure: {
    direction?: Progress['direction'];
    error?: Progress['error'];
    ended?: boolean;
    inflight?: number;
    pid?: number;
  } | null;
}

/**
 * Reads every ledger row in one query, ordered by version. A ledger that
 * does not exist yet reads as empty (and is not created).
 */
export async function readLedger(client: Client, ledger: LedgerTable): Promise<{ exists: boolean; rows: LedgerRow[] }> {
  try {
    const { rows } = await client.query<RawRow>(
      `SELECT version, name, up_checksum, down_checksum, applied_at, applied_by, duration_ms, environment, tool_version, state,
              statements_done, statements_total, failure
         FROM ${qualifiedName(ledger)} ORDER BY version`,
    );
    return { exists: true, rows: rows.map(toLedgerRow) };
  } catch (err) {
    if ((err as { code?: string }).code === UNDEFINED_TABLE) return { exists: false, rows: [] };
    throw await explainLedgerError(client, ledger, err);
  }
}

function toLedgerRow(raw: RawRow): LedgerRow {
  return {
    version: BigInt(raw.version),
    name: raw.name,
    upChecksum: raw.up_checksum,
    downChecksum: raw.down_checksum,
    appliedAt: raw.applied_at,
    appliedBy: raw.applied_by,
    durationMs: raw.duration_ms,
    environment: raw.environment,
    toolVersion: raw.tool_version,
    state: raw.state,
    progress:
      raw.state === 'applied'
        ? null
        : {
            direction: raw.failure?.direction ?? 'up',
            done: raw.statements_done ?? 0,
            total: raw.statements_total ?? 0,
            error: raw.failure?.error ?? null,
            endedTransaction: raw.failure?.ended === true,
            inFlight: raw.failure?.inflight ?? null,
            pid: raw.failure?.pid ?? null,
          },
  };
}

/** The script text to keep in the ledger: null over the size limit (checksum only). */
export function storedText(script: Script): string | null {
  if (script.body.big) return null; // over the limit, and its text is not decoded for this
  const sql = script.body.text();
  return sql.length <= MAX_STORED_SCRIPT_BYTES / 3 || Buffer.byteLength(sql) <= MAX_STORED_SCRIPT_BYTES ? sql : null;
}

/**
 * The transaction id of the migration's transaction, kept in a
 * transaction-local setting right after BEGIN: `SET LOCAL` values end with
 * the transaction, so after a COMMIT or ROLLBACK in the script (or AND
 * CHAIN, or a new BEGIN) the setting is gone and the id differs.
 */
export const MARK_TRANSACTION = `pg_catalog.set_config('tidemark.xid', pg_catalog.txid_current()::pg_catalog.text, true)`;

/**
 * A RETURNING column of the ledger write that fails it (division by zero,
 * SQLSTATE 22012) unless it runs in the transaction marked by
 * MARK_TRANSACTION — so a script that ended that transaction can never get a
 * ledger row written outside it.
 */
const SAME_TRANSACTION =
  "1 OPERATOR(pg_catalog./) coalesce(pg_catalog.current_setting('tidemark.xid', true) OPERATOR(pg_catalog.=) pg_catalog.txid_current()::pg_catalog.text, false)::integer AS same_transaction";

/** Is `err` the failure of SAME_TRANSACTION (the ledger write ran outside the migration's transaction)? */
export function isOutsideTransaction(err: unknown): boolean {
  return (err as { code?: string }).code === '22012';
}

/**
 * The INSERT of an applied migration's row, to run inside the migration's
 * transaction. Without `durationMs` the server computes it as the time since
 * the transaction began (`clock_timestamp() - now()`), so the row can be sent
 * before the script has finished (executor.ts pipelines them); it is returned.
 */
export function appliedRowQuery(
  ledger: LedgerTable,
  pair: Pair,
  environment: string,
  durationMs?: number,
): { text: string; values: unknown[] } {
  const elapsed = 'extract(epoch FROM pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) pg_catalog.now())';
  const duration =
    durationMs === undefined ? `GREATEST(0, pg_catalog.round(${elapsed} OPERATOR(pg_catalog.*) 1000))::integer` : '$9';
  const values = [
    pair.version.toString(),
    pair.name,
    pair.up.checksum,
    pair.down.checksum,
    environment,
    TOOL_VERSION,
    storedText(pair.up),
    storedText(pair.down),
  ];
  return {
    text: `INSERT INTO ${qualifiedName(ledger)}
             (version, name, up_checksum, down_checksum, environment, tool_version, up_sql, down_sql, duration_ms)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, ${duration})
           RETURNING duration_ms, ${SAME_TRANSACTION}`,
    values: durationMs === undefined ? values : [...values, Math.round(durationMs)],
  };
}

/** The scripts as applied, for the given versions: null where only the checksum was kept. */
export async function readAppliedScripts(
  client: Client,
  ledger: LedgerTable,
  versions: readonly bigint[],
): Promise<Map<bigint, { up: string | null; down: string | null }>> {
  const { rows } = await client.query<{ version: string; up_sql: string | null; down_sql: string | null }>(
    `SELECT version, up_sql, down_sql FROM ${qualifiedName(ledger)} WHERE version OPERATOR(pg_catalog.=) ANY ($1::bigint[])`,
    [versions.map(String)],
  );
  return new Map(rows.map((r) => [BigInt(r.version), { up: r.up_sql, down: r.down_sql }]));
}

/** The DELETE of a rolled-back migration's row, to run inside the rollback's transaction (checked as appliedRowQuery is). */
export function rolledBackRowQuery(ledger: LedgerTable, version: bigint): { text: string; values: unknown[] } {
  return {
    text: `DELETE FROM ${qualifiedName(ledger)} WHERE ${VERSION_IS} RETURNING ${SAME_TRANSACTION}`,
    values: [version.toString()],
  };
}

/** Deletes the row of a rolled-back non-transactional migration (no transaction to check). */
export async function recordRolledBack(client: Client, ledger: LedgerTable, version: bigint): Promise<void> {
  await client.query(progressQueries.rolledBack(ledger, version));
}

/**
 * Marks the row of a migration whose script ended tidemark's transaction
 * `failed` (inserting it for an up, updating it for a down), outside any
 * transaction: its state is unknown until someone checks.
 */
export async function recordEndedTransaction(
  client: Client,
  ledger: LedgerTable,
  pair: Pair,
  direction: Progress['direction'],
  environment: string,
): Promise<void> {
  const message =
    "the script ended tidemark's transaction itself (COMMIT, ROLLBACK…): its changes may be partly committed";
  const failure = JSON.stringify({
    direction,
    ended: true,
    error: { statement: 0, line: null, column: null, sqlstate: null, message },
  });
  await client.query(
    `INSERT INTO ${qualifiedName(ledger)}
       (version, name, up_checksum, down_checksum, duration_ms, environment, tool_version, state, statements_done, statements_total, failure, up_sql, down_sql)
     VALUES ($1, $2, $3, $4, 0, $5, $6, 'failed', 0, 0, $7, $8, $9)
     ON CONFLICT (version) DO UPDATE SET state = 'failed', failure = EXCLUDED.failure`,
    [
      pair.version.toString(),
      pair.name,
      pair.up.checksum,
      pair.down.checksum,
      environment,
      TOOL_VERSION,
      failure,
      storedText(pair.up),
      storedText(pair.down),
    ],
  );
}

/**
 * Non-transactional migrations keep their progress in the ledger row, each
 * write committed at once (or with the script's own transaction block, when
 * one is open), so a failure or a crash part-way leaves a visible record.
 * Before statement k is sent the row says it is *in flight*; after it, that
 * it is done and the next one is in flight — one write per statement. A row
 * found with a statement in flight and no live session behind it means that
 * statement is in doubt: it may or may not have taken effect.
 */
export const progress = {
  /**
   * Marks the start: a new `running` row (up), or the applied row turned
   * `running` (down, or a resume), with statement done + 1 in flight and this
   * session's pid (the one that holds the migration lock).
   */
  async start(
    client: Client,
    ledger: LedgerTable,
    pair: Pair,
    direction: Progress['direction'],
    done: number,
    total: number,
    environment: string,
  ): Promise<void> {
    const { update, insert } = progressQueries.start(ledger, pair, direction, done, total, environment);
    const updated = await client.query(update);
    if (updated.rowCount === 0) await client.query(insert);
  },
  /** Statement `done` finished; the next one (if any, up to `total`) is in flight. */
  async advance(client: Client, ledger: LedgerTable, version: bigint, done: number, total: number): Promise<void> {
    await client.query(progressQueries.advance(ledger, version, done, total));
  },
  /** The statements done so far, as the ledger says (after a transaction block of the script rolled back). */
  async done(client: Client, ledger: LedgerTable, version: bigint): Promise<number> {
    const { rows } = await client.query<{ done: number | null }>(
      `SELECT statements_done AS done FROM ${qualifiedName(ledger)} WHERE ${VERSION_IS}`,
      [version.toString()],
    );
    return rows[0]?.done ?? 0;
  },
  async fail(
    client: Client,
    ledger: LedgerTable,
    version: bigint,
    direction: Progress['direction'],
    error: NonNullable<Progress['error']>,
    done?: number,
  ): Promise<void> {
    await client.query(
      `UPDATE ${qualifiedName(ledger)} SET state = 'failed', failure = $2, statements_done = coalesce($3, statements_done) WHERE ${VERSION_IS}`,
      [version.toString(), JSON.stringify({ direction, error }), done ?? null],
    );
  },
  /** The up finished: the row becomes an ordinary applied row. */
  async finishUp(client: Client, ledger: LedgerTable, version: bigint, durationMs: number): Promise<void> {
    await client.query(progressQueries.finishUp(ledger, version, durationMs));
  },
};

/** A query and its parameters. */
export interface LedgerQuery {
  readonly text: string;
  readonly values: unknown[];
}

/**
 * The statements of `progress`, built apart so that `--dry-run --sql`
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
    pair: Pair,
    direction: Progress['direction'],
    done: number,
    total: number,
    environment: string,
  ): { update: LedgerQuery; insert: LedgerQuery } {
    const failure = `pg_catalog.jsonb_build_object('direction', $4::pg_catalog.text, 'pid', pg_catalog.pg_backend_pid()${done < total ? `, 'inflight', ${done + 1}` : ''})`;
    return {
      update: {
        text: `UPDATE ${qualifiedName(ledger)} SET state = 'running', statements_done = $2, statements_total = $3, failure = ${failure} WHERE ${VERSION_IS}`,
        values: [pair.version.toString(), done, total, direction],
      },
      insert: {
        text: `INSERT INTO ${qualifiedName(ledger)}
           (version, name, up_checksum, down_checksum, duration_ms, environment, tool_version, state, statements_done, statements_total, failure, up_sql, down_sql)
         VALUES ($1, $5, $6, $7, 0, $8, $9, 'running', $2, $3, ${failure}, $10, $11)`,
        values: [
          pair.version.toString(),
          done,
          total,
          direction,
          pair.name,
          pair.up.checksum,
          pair.down.checksum,
          environment,
          TOOL_VERSION,
          storedText(pair.up),
          storedText(pair.down),
        ],
      },
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
