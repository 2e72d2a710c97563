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

/** A query and its parameters. */
export interface LedgerQuery {
  readonly text: string;
  readonly values: unknown[];
}

/** Adds a query parameter and returns its placeholder (`$n`). */
export type Param = (value: unknown) => string;

/**
 * The INSERT of a new row: the one list of the columns a row takes from its
 * pair and run, each a parameter, then `more` columns (each an SQL
 * expression, which may add parameters of its own). `tail` follows the
 * VALUES list (RETURNING, ON CONFLICT).
 */
export function insertRow(
  ledger: LedgerTable,
  row: { readonly pair: Pair; readonly environment: string },
  more: (param: Param) => Readonly<Record<string, string>>,
  tail = '',
): LedgerQuery {
  const values: unknown[] = [];
  const param: Param = (value) => `$${values.push(value)}`;
  const { pair } = row;
  const columns: Record<string, string> = {
    version: param(pair.version.toString()),
    name: param(pair.name),
    up_checksum: param(pair.up.checksum),
    down_checksum: param(pair.down.checksum),
    environment: param(row.environment),
    tool_version: param(TOOL_VERSION),
    up_sql: param(storedText(pair.up)),
    down_sql: param(storedText(pair.down)),
    ...more(param),
  };
  return {
    text: `INSERT INTO ${qualifiedName(ledger)}
             (${Object.keys(columns).join(', ')})
           VALUES (${Object.values(columns).join(', ')})${tail}`,
    values,
  };
}

/**
 * The INSERT of an applied migration's row, to run inside the migration's
 * transaction. Without `durationMs` the server computes it as the time since
 * the transaction began (`clock_timestamp() - now()`), so the row can be sent
 * before the script has finished (pipelined-write.ts); it is returned.
 */
export function appliedRowQuery(
  ledger: LedgerTable,
  pair: Pair,
  environment: string,
  durationMs?: number,
): LedgerQuery {
  const elapsed = 'extract(epoch FROM pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) pg_catalog.now())';
  return insertRow(
    ledger,
    { pair, environment },
    (param) => ({
      duration_ms:
        durationMs === undefined
          ? `GREATEST(0, pg_catalog.round(${elapsed} OPERATOR(pg_catalog.*) 1000))::integer`
          : param(Math.round(durationMs)),
    }),
    `\n           RETURNING duration_ms, ${SAME_TRANSACTION}`,
  );
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
export function rolledBackRowQuery(ledger: LedgerTable, version: bigint): LedgerQuery {
  return {
    text: `DELETE FROM ${qualifiedName(ledger)} WHERE ${VERSION_IS} RETURNING ${SAME_TRANSACTION}`,
    values: [version.toString()],
  };
}
