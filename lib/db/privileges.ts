/**
 * Privileges on an existing ledger or audit table, checked before anything
 * runs, so that a role without them is refused with the GRANT that is
 * missing (exit 2) instead of failing half-way on tidemark's own
 * bookkeeping with a raw SQLSTATE 42501. Schema-qualified throughout, as in
 * ledger.ts.
 */
import type { Client } from 'pg';
import { PrivilegeError } from '../errors';

interface TableName {
  readonly schema: string;
  readonly table: string;
}

export type TablePrivilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

/** A table's existence, and which of the asked privileges the role lacks on it. */
interface TableAccess {
  readonly role: string;
  readonly schema: string;
  readonly table: string;
  readonly present: boolean;
  /** CREATE on the table's schema; null when the schema does not exist. */
  readonly may_create: boolean | null;
  /** In the order asked; empty when the table does not exist. */
  readonly missing: TablePrivilege[];
}

const TABLE_ACCESS = `
SELECT pg_catalog.quote_ident(current_user) AS role, pg_catalog.quote_ident($1) AS schema, pg_catalog.quote_ident($2) AS table,
       c.oid IS NOT NULL AS present,
       CASE WHEN n.oid IS NOT NULL THEN pg_catalog.has_schema_privilege(n.oid, 'CREATE') END AS may_create,
       ARRAY(SELECT w.p FROM pg_catalog.unnest($3::pg_catalog.text[]) WITH ORDINALITY AS w(p, i)
              WHERE c.oid IS NOT NULL AND NOT pg_catalog.has_table_privilege(c.oid, w.p) ORDER BY w.i) AS missing
  FROM (SELECT 1) AS one
  LEFT JOIN pg_catalog.pg_namespace n ON n.nspname OPERATOR(pg_catalog.=) $1
  LEFT JOIN pg_catalog.pg_class c ON c.relnamespace OPERATOR(pg_catalog.=) n.oid AND c.relname OPERATOR(pg_catalog.=) $2`;

async function tableAccess(
  client: Client,
  table: TableName,
  privileges: readonly TablePrivilege[],
): Promise<TableAccess> {
  const { rows } = await client.query<TableAccess>(TABLE_ACCESS, [table.schema, table.table, privileges]);
  return rows[0];
}

/**
 * Before anything runs: refuses a role that lacks one of `privileges` on the
 * existing ledger, so a run never fails half-way on its own bookkeeping
 * (a script applied and rolled back for want of INSERT, or a no-transaction
 * down script run to the end and its row not deletable). A ledger that does
 * not exist is not checked: whoever creates it owns it.
 * @param why what needs them, for the message.
 * @throws PrivilegeError (exit 2).
 */
export async function requireLedgerWrites(
  client: Client,
  ledger: TableName,
  privileges: readonly TablePrivilege[],
  why: string,
): Promise<void> {
  if (privileges.length === 0) return;
  const access = await tableAccess(client, ledger, privileges);
  if (!access.present || access.missing.length === 0) return;
  const table = `${access.schema}.${access.table}`;
  const list = access.missing.join(', ');
  throw new PrivilegeError({
    role: access.role,
    action: `write the ledger ${table}`,
    missing: `${list} on table ${table}`,
    grant: `GRANT ${list} ON TABLE ${table} TO ${access.role};`,
    otherwise: `${why} Or connect as a role that has them.`,
  });
}

/**
 * Before a repair or baseline: the audit table must take a row. When it
 * exists, INSERT on it is all that is needed (no CREATE on the schema).
 * @returns true when it is missing and the role may create it.
 * @throws PrivilegeError (exit 2): no INSERT on it, or it is missing and the role may not create it.
 */
export async function prepareAudit(client: Client, audit: TableName): Promise<boolean> {
  const access = await tableAccess(client, audit, ['INSERT']);
  const table = `${access.schema}.${access.table}`;
  if (access.present && access.missing.length > 0) {
    throw new PrivilegeError({
      role: access.role,
      action: `record repairs and baselines in the audit table ${table}`,
      missing: `INSERT on table ${table}`,
      grant: `GRANT SELECT, INSERT ON TABLE ${table} TO ${access.role};`,
      otherwise: 'status reads the trail from it too (SELECT). Or connect as a role that has them.',
    });
  }
  if (access.present) return false;
  if (access.may_create === false) {
    throw new PrivilegeError({
      role: access.role,
      action: `create the audit table ${table}`,
      missing: `CREATE on schema ${access.schema}`,
      grant: `GRANT CREATE ON SCHEMA ${access.schema} TO ${access.role};`,
      otherwise:
        'It is created once, by the first repair or baseline: run that one as a role that may, and this role needs only INSERT on it afterwards.',
    });
  }
  return true;
}

/**
 * For status: does the audit table exist, and may the role read it?
 * @throws PrivilegeError (exit 2) when it exists and the role lacks SELECT on it.
 */
export async function mayReadAudit(client: Client, audit: TableName): Promise<boolean> {
  const access = await tableAccess(client, audit, ['SELECT']);
  if (!access.present) return false;
  if (access.missing.length === 0) return true;
  const table = `${access.schema}.${access.table}`;
  throw new PrivilegeError({
    role: access.role,
    action: `read the audit table ${table}`,
    missing: `SELECT on table ${table}`,
    grant: `GRANT SELECT ON TABLE ${table} TO ${access.role};`,
    otherwise: 'status shows the trail of repairs and baselines from it. Or connect as a role that has it.',
  });
}
