/**
 * Reads another tool's history table (`tidemark adopt --from TOOL`): one
 * query per tool, rows in the tool's order, each with what it records
 * (types.ts). Read-only: the table is never changed. Functions, types and
 * operators are schema-qualified, as in ledger.ts.
 */
import { escapeIdentifier, type Client } from 'pg';
import { findHistoryTable } from './table';
import type { ForeignHistory, ForeignRow, ForeignRowKind, ForeignTool } from './types';

export * from './types';
export { parseTableName } from './table';

type Raw = Record<string, unknown>;
type Reader = { readonly sql: (table: string) => string; readonly row: (raw: Raw) => ForeignRow };

const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const date = (v: unknown): Date | null => (v instanceof Date ? v : null);
const ms = (v: unknown, per = 1): number | null =>
  v === null || v === undefined || Number(v) < 0 ? null : Math.round(Number(v) / per);
const T = 'pg_catalog.text';

const row = (sourceVersion: string, kind: ForeignRowKind, more: Partial<ForeignRow> = {}): ForeignRow => ({
  sourceVersion,
  kind,
  checksum: null,
  appliedAt: null,
  durationMs: null,
  script: null,
  ...more,
});

/** Flyway's row types: SQL/JDBC/SCRIPT… applied, UNDO_* undone, DELETE, BASELINE, SCHEMA. */
function flywayKind(raw: Raw): ForeignRowKind {
  const type = String(raw.type);
  if (type === 'SCHEMA') return 'bookkeeping';
  if (raw.success !== true) return 'failed';
  if (raw.version === null) return 'repeatable';
  if (type === 'BASELINE') return 'baseline';
  if (type === 'DELETE') return 'deleted';
  return type.startsWith('UNDO_') ? 'undone' : 'applied';
}

const READERS: Readonly<Record<ForeignTool, Reader>> = {
  'golang-migrate': {
    sql: (t) => `SELECT version::${T} AS version, dirty FROM ${t}`,
    row: (r) => row(String(r.version), r.dirty === true ? 'dirty' : 'applied'),
  },
  dbmate: {
    sql: (t) => `SELECT version::${T} AS version FROM ${t} ORDER BY version`,
    row: (r) => row(String(r.version), 'applied'),
  },
  goose: {
    sql: (t) => `SELECT version_id::${T} AS version, is_applied, tstamp FROM ${t} ORDER BY id`,
    row: (r) =>
      row(String(r.version), r.version === '0' ? 'bookkeeping' : r.is_applied === true ? 'applied' : 'rolled-back', {
        appliedAt: date(r.tstamp),
      }),
  },
  flyway: {
    sql: (t) =>
      `SELECT installed_rank, version::${T} AS version, type, script, checksum, installed_on, execution_time, success FROM ${t} ORDER BY installed_rank`,
    row: (r) =>
      row(text(r.version) ?? '', flywayKind(r), {
        checksum: r.checksum === null ? null : Number(r.checksum),
        appliedAt: date(r.installed_on),
        durationMs: ms(r.execution_time),
        script: text(r.script),
      }),
  },
  sqlx: {
    sql: (t) =>
      `SELECT version::${T} AS version, description, installed_on, success, pg_catalog.encode(checksum, 'hex') AS checksum, execution_time FROM ${t} ORDER BY version`,
    row: (r) =>
      row(String(r.version), r.success === true ? 'applied' : 'failed', {
        checksum: text(r.checksum),
        appliedAt: date(r.installed_on),
        durationMs: ms(r.execution_time, 1e6), // nanoseconds; -1 while sqlx has not measured it yet
        script: text(r.description),
      }),
  },
  diesel: {
    sql: (t) => `SELECT version::${T} AS version, run_on FROM ${t} ORDER BY version`,
    row: (r) => row(String(r.version), 'applied', { appliedAt: date(r.run_on) }),
  },
  'node-pg-migrate': {
    sql: (t) => `SELECT name, run_on FROM ${t} ORDER BY run_on, id`,
    row: (r) => row(String(r.name), 'applied', { appliedAt: date(r.run_on), script: String(r.name) }),
  },
  postgrator: {
    sql: (t) => `SELECT version::${T} AS version, name, md5, run_at FROM ${t} ORDER BY version`,
    row: (r) =>
      row(String(r.version), r.version === '0' ? 'bookkeeping' : 'applied', {
        checksum: text(r.md5) || null,
        appliedAt: date(r.run_at),
        script: text(r.name),
      }),
  },
};

/**
 * Reads `tool`'s history table: `table` (`[schema.]table`, a bare name on
 * the search_path) or the tool's default.
 * @throws ConfigError when the table is missing or is not that tool's (exit 2).
 */
export async function readForeignHistory(client: Client, tool: ForeignTool, table?: string): Promise<ForeignHistory> {
  const found = await findHistoryTable(client, tool, table);
  const reader = READERS[tool];
  const { rows } = await client.query<Raw>(
    reader.sql(`${escapeIdentifier(found.schema)}.${escapeIdentifier(found.table)}`),
  );
  return { tool, ...found, rows: rows.map(reader.row) };
}

/**
 * Locks the history table against writes until the transaction ends (SHARE
 * mode: readers go on, the other tool waits), so it cannot migrate while
 * tidemark takes over; then reads it again. A role that may only read the
 * table (SHARE needs UPDATE, DELETE or TRUNCATE on it) reads it again
 * without the lock: `locked` says which.
 */
export async function lockForeignHistory(
  client: Client,
  history: ForeignHistory,
): Promise<{ history: ForeignHistory; locked: boolean }> {
  const qualified = `${escapeIdentifier(history.schema)}.${escapeIdentifier(history.table)}`;
  await client.query('SAVEPOINT tidemark_adopt_lock');
  let locked = true;
  try {
    await client.query(`LOCK TABLE ${qualified} IN SHARE MODE`);
  } catch (err) {
    if ((err as { code?: string }).code !== '42501') throw err;
    await client.query('ROLLBACK TO SAVEPOINT tidemark_adopt_lock');
    locked = false;
  }
  const { rows } = await client.query<Raw>(READERS[history.tool].sql(qualified));
  return { history: { ...history, rows: rows.map(READERS[history.tool].row) }, locked };
}
