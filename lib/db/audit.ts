/**
 * Repairs and baselines change history on purpose; each is recorded in an
 * audit table beside the ledger (`<table>_audit`), with who, when and why.
 * Runs inside the caller's transaction, under the advisory lock.
 */
import type { Client } from 'pg';
import type { Pair } from '../types';
import { TOOL_VERSION } from '../version';
import { insertRow, qualifiedName, storedText, VERSION_IS, type LedgerTable } from './ledger';
import { mayReadAudit, prepareAudit } from './privileges';

const NOT_APPLIED = "state OPERATOR(pg_catalog.<>) 'applied'";
const WAS_ROLLBACK = "(failure OPERATOR(pg_catalog.->>) 'direction') OPERATOR(pg_catalog.=) 'down'";

/**
 * `mark-applied` / `mark-not-applied`: a failed or interrupted migration
 * resolved by hand, finished (its row made applied) or undone (its row
 * removed). `clear-failed` is what older versions wrote for the latter.
 */
export type AuditAction =
  | 'accept-edit'
  | 'accept-rename'
  | 'clear-failed'
  | 'mark-applied'
  | 'mark-not-applied'
  | 'baseline';

export interface AuditEntry {
  readonly version: bigint;
  readonly action: AuditAction;
  readonly reason: string;
  readonly by: string;
  readonly at: Date;
  readonly before: Record<string, unknown> | null;
  readonly after: Record<string, unknown> | null;
}

export const auditTable = (ledger: LedgerTable): LedgerTable => ({
  schema: ledger.schema,
  table: `${ledger.table}_audit`,
});

/**
 * Creates the audit table when it is missing; when it exists, needs only
 * INSERT on it (no CREATE on the schema). Functions, types and operators are
 * schema-qualified, as in ledger.ts.
 * @throws PrivilegeError when the role may not insert into it, or may not create it (exit 2).
 */
export async function ensureAudit(client: Client, ledger: LedgerTable): Promise<void> {
  if (!(await prepareAudit(client, auditTable(ledger)))) return;
  await client.query(`CREATE TABLE IF NOT EXISTS ${qualifiedName(auditTable(ledger))} (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    version      bigint NOT NULL,
    action       pg_catalog.text NOT NULL,
    reason       pg_catalog.text NOT NULL,
    performed_by pg_catalog.text NOT NULL DEFAULT current_user,
    performed_at pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    tool_version pg_catalog.text NOT NULL,
    before       pg_catalog.jsonb,
    after        pg_catalog.jsonb
  )`);
}

/** One entry of the audit table: what was done to which version, why, and the row before and after. */
interface Entry {
  readonly version: bigint;
  readonly action: AuditAction;
  readonly reason: string;
  readonly before: unknown;
  readonly after: unknown;
}

async function audit(client: Client, ledger: LedgerTable, entry: Entry): Promise<void> {
  const { version, action, reason, before, after } = entry;
  await client.query(
    `INSERT INTO ${qualifiedName(auditTable(ledger))} (version, action, reason, tool_version, before, after) VALUES ($1, $2, $3, $4, $5, $6)`,
    [
      version.toString(),
      action,
      reason,
      TOOL_VERSION,
      before === null ? null : JSON.stringify(before),
      after === null ? null : JSON.stringify(after),
    ],
  );
}

/** Accepts today's scripts (and name) of an applied migration. */
export async function acceptFiles(
  client: Client,
  ledger: LedgerTable,
  pair: Pair,
  action: 'accept-edit' | 'accept-rename',
  reason: string,
): Promise<void> {
  const { rows } = await client.query<{ name: string; up_checksum: string; down_checksum: string | null }>(
    `SELECT name, up_checksum, down_checksum FROM ${qualifiedName(ledger)} WHERE ${VERSION_IS} FOR UPDATE`,
    [pair.version.toString()],
  );
  const after = { name: pair.name, up_checksum: pair.up.checksum, down_checksum: pair.down.checksum };
  await client.query(
    `UPDATE ${qualifiedName(ledger)} SET name = $2, up_checksum = $3, down_checksum = $4, up_sql = $5, down_sql = $6 WHERE ${VERSION_IS}`,
    [
      pair.version.toString(),
      pair.name,
      pair.up.checksum,
      pair.down.checksum,
      storedText(pair.up),
      storedText(pair.down),
    ],
  );
  await audit(client, ledger, { version: pair.version, action, reason, before: rows[0] ?? null, after });
}

/** Removes a failed or interrupted row: the user undid what it had done, so the migration counts as not applied. */
export async function markNotApplied(
  client: Client,
  ledger: LedgerTable,
  version: bigint,
  reason: string,
): Promise<void> {
  const { rows } = await client.query(
    `DELETE FROM ${qualifiedName(ledger)} WHERE ${VERSION_IS} AND ${NOT_APPLIED}
     RETURNING name, state, statements_done, statements_total, failure`,
    [version.toString()],
  );
  await audit(client, ledger, { version, action: 'mark-not-applied', reason, before: rows[0] ?? null, after: null });
}

/** Makes a failed or interrupted row applied: the user finished the migration by hand (or undid a failed rollback). */
export async function markApplied(client: Client, ledger: LedgerTable, version: bigint, reason: string): Promise<void> {
  const { rows: before } = await client.query(
    `SELECT name, state, statements_done, statements_total, failure FROM ${qualifiedName(ledger)} WHERE ${VERSION_IS} AND ${NOT_APPLIED} FOR UPDATE`,
    [version.toString()],
  );
  const { rows: after } = await client.query(
    `UPDATE ${qualifiedName(ledger)}
        SET state = 'applied', failure = NULL, statements_done = statements_total,
            applied_at = CASE WHEN ${WAS_ROLLBACK} THEN applied_at ELSE pg_catalog.now() END,
            applied_by = CASE WHEN ${WAS_ROLLBACK} THEN applied_by ELSE current_user END
      WHERE ${VERSION_IS} AND ${NOT_APPLIED}
      RETURNING name, state, statements_done, statements_total`,
    [version.toString()],
  );
  await audit(client, ledger, {
    version,
    action: 'mark-applied',
    reason,
    before: before[0] ?? null,
    after: after[0] ?? null,
  });
}

/** Records a migration as applied without running it. */
export async function recordBaseline(
  client: Client,
  ledger: LedgerTable,
  pair: Pair,
  environment: string,
  reason: string,
): Promise<void> {
  await client.query(insertRow(ledger, { pair, environment }, () => ({ duration_ms: '0' })));
  const after = { name: pair.name, up_checksum: pair.up.checksum };
  await audit(client, ledger, { version: pair.version, action: 'baseline', reason, before: null, after });
}

/** When and how long another tool ran a migration `adopt` records; null where it did not say. */
export interface AdoptedRun {
  readonly appliedAt: Date | null;
  readonly durationMs: number | null;
}

/**
 * Records a migration another tool applied (`adopt`), with that tool's time
 * and duration when it kept them, audited as a baseline with `reason`.
 */
export async function recordAdopted(
  client: Client,
  ledger: LedgerTable,
  entry: { readonly pair: Pair; readonly environment: string; readonly run: AdoptedRun },
  reason: string,
): Promise<void> {
  const { pair, run } = entry;
  await client.query(
    insertRow(ledger, entry, (param) => ({
      duration_ms: param(run.durationMs ?? 0),
      ...(run.appliedAt && { applied_at: param(run.appliedAt) }),
    })),
  );
  const after = { name: pair.name, up_checksum: pair.up.checksum };
  await audit(client, ledger, { version: pair.version, action: 'baseline', reason, before: null, after });
}

/** Every audit entry, oldest first; empty when the table does not exist. */
export async function readAudit(client: Client, ledger: LedgerTable): Promise<AuditEntry[]> {
  const table = auditTable(ledger);
  if (!(await mayReadAudit(client, table))) return [];
  const { rows } = await client.query<{
    version: string;
    action: AuditAction;
    reason: string;
    performed_by: string;
    performed_at: Date;
    before: Record<string, unknown> | null;
    after: Record<string, unknown> | null;
  }>(
    `SELECT version, action, reason, performed_by, performed_at, before, after FROM ${qualifiedName(table)} ORDER BY id`,
  );
  return rows.map((r) => ({
    version: BigInt(r.version),
    action: r.action,
    reason: r.reason,
    by: r.performed_by,
    at: r.performed_at,
    before: r.before,
    after: r.after,
  }));
}
