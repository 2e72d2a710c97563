/**
 * What stands in the ledger's place, looked up in the catalog, so that
 * ordinary conditions get a typed error instead of a raw SQL one: the
 * ledger's name taken by a view or a foreign table, and a role without the
 * privilege to create or read the ledger (with the GRANT that is missing).
 */
import { escapeIdentifier, type Client } from 'pg';
import { LedgerRelationError, PrivilegeError } from '../errors';

interface LedgerName {
  readonly schema: string;
  readonly table: string;
}

/** The catalog's answer. Names are as `quote_ident` writes them, ready for a GRANT. */
interface Place {
  readonly role: string;
  readonly database: string;
  readonly schema: string;
  readonly table: string;
  readonly schema_exists: boolean;
  /** pg_class.relkind of the relation at the ledger's name; null: none. */
  readonly relkind: string | null;
  /** How many of the columns every ledger has (version, name, up_checksum) it has. */
  readonly ledger_columns: number;
  readonly may_create_schema: boolean;
  /** null when the schema does not exist (nor do the next two then). */
  readonly may_create_table: boolean | null;
  readonly may_use_schema: boolean | null;
  readonly may_select: boolean | null;
}

const LEDGER_COLUMNS = ['version', 'name', 'up_checksum'];

// has_schema_privilege() on a missing schema raises an error: hence the CASEs.
// Every function, type, operator and catalog table is schema-qualified: see ledger.ts.
const LOOK_UP = `
SELECT pg_catalog.quote_ident(current_user) AS role, pg_catalog.quote_ident(pg_catalog.current_database()) AS database,
       pg_catalog.quote_ident($1) AS schema, pg_catalog.quote_ident($2) AS table,
       n.oid IS NOT NULL AS schema_exists, c.relkind::pg_catalog.text AS relkind,
       (SELECT pg_catalog.count(*)::integer FROM pg_catalog.pg_attribute a
         WHERE a.attrelid OPERATOR(pg_catalog.=) c.oid AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
           AND a.attname OPERATOR(pg_catalog.=) ANY ($3::pg_catalog.name[])) AS ledger_columns,
       pg_catalog.has_database_privilege(pg_catalog.current_database(), 'CREATE') AS may_create_schema,
       CASE WHEN n.oid IS NOT NULL THEN pg_catalog.has_schema_privilege(n.oid, 'CREATE') END AS may_create_table,
       CASE WHEN n.oid IS NOT NULL THEN pg_catalog.has_schema_privilege(n.oid, 'USAGE') END AS may_use_schema,
       CASE WHEN c.oid IS NOT NULL THEN pg_catalog.has_table_privilege(c.oid, 'SELECT') END AS may_select
  FROM (SELECT 1) AS one
  LEFT JOIN pg_catalog.pg_namespace n ON n.nspname OPERATOR(pg_catalog.=) $1
  LEFT JOIN pg_catalog.pg_class c ON c.relnamespace OPERATOR(pg_catalog.=) n.oid AND c.relname OPERATOR(pg_catalog.=) $2`;

const KINDS: Record<string, string> = {
  v: 'view',
  m: 'materialized view',
  f: 'foreign table',
  S: 'sequence',
  i: 'index',
  I: 'partitioned index',
  c: 'composite type',
  t: 'TOAST table',
};

async function lookUp(client: Client, ledger: LedgerName): Promise<Place> {
  const { rows } = await client.query<Place>(LOOK_UP, [ledger.schema, ledger.table, LEDGER_COLUMNS]);
  return rows[0];
}

const quoted = (ledger: LedgerName) => `${escapeIdentifier(ledger.schema)}.${escapeIdentifier(ledger.table)}`;

/** The relation at the ledger's name, if it is not one tidemark can use as its ledger. */
function wrongRelation(place: Place, ledger: LedgerName): LedgerRelationError | null {
  if (place.relkind === null) return null;
  const isTable = place.relkind === 'r' || place.relkind === 'p';
  if (isTable && place.ledger_columns === LEDGER_COLUMNS.length) return null;
  const kind = isTable
    ? `table without the ledger's columns (${LEDGER_COLUMNS.join(', ')})`
    : (KINDS[place.relkind] ?? `relation of kind "${place.relkind}"`);
  return new LedgerRelationError({ relation: quoted(ledger), kind });
}

/**
 * Before the ledger is created: refuses a name taken by something that is
 * not a ledger, and a role that may not create the schema or the table;
 * creates the schema if it is missing. Checks privileges before trying, so
 * it also works inside a transaction (--single-transaction), where a failed
 * statement would leave nothing to ask the catalog with.
 * @returns false when the ledger table exists already: nothing to create,
 *   and no CREATE privilege needed (a role with only SELECT, INSERT, UPDATE
 *   and DELETE on an existing ledger can run tidemark).
 * @throws LedgerRelationError, PrivilegeError (exit 2).
 */
export async function prepareLedger(client: Client, ledger: LedgerName): Promise<boolean> {
  const place = await lookUp(client, ledger);
  const wrong = wrongRelation(place, ledger);
  if (wrong) throw wrong;
  if (place.relkind !== null) return false;
  const table = `${place.schema}.${place.table}`;
  if (!place.schema_exists) {
    if (!place.may_create_schema) {
      throw new PrivilegeError({
        role: place.role,
        action: `create the schema ${place.schema} for the ledger ${table}`,
        missing: `CREATE on database ${place.database}`,
        grant: `GRANT CREATE ON DATABASE ${place.database} TO ${place.role};`,
        otherwise: `Or create the schema for it: CREATE SCHEMA ${place.schema} AUTHORIZATION ${place.role}; or point --schema at a schema ${place.role} may create tables in.`,
      });
    }
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${escapeIdentifier(ledger.schema)}`); // only when missing: it needs CREATE on the database even when the schema exists
  } else if (!place.may_create_table) {
    throw new PrivilegeError({
      role: place.role,
      action: `create the ledger table ${table}`,
      missing: `CREATE on schema ${place.schema}`,
      grant: `GRANT CREATE ON SCHEMA ${place.schema} TO ${place.role};`,
      otherwise: `Or point --schema at a schema ${place.role} may create tables in.`,
    });
  }
  return true;
}

/**
 * Reading the ledger failed with `err`: the typed error that explains it
 * (the name taken by a view, a foreign table, a table that is not a ledger;
 * no USAGE on the schema or no SELECT on the table), else `err` itself.
 * Asks the catalog, unless the session is in a failed transaction.
 */
export async function explainLedgerError(client: Client, ledger: LedgerName, err: unknown): Promise<unknown> {
  if (client.getTransactionStatus() === 'E') return err;
  let place: Place;
  try {
    place = await lookUp(client, ledger);
  } catch {
    return err;
  }
  const wrong = wrongRelation(place, ledger);
  if (wrong) return wrong;
  if ((err as { code?: string }).code !== '42501') return err;
  const table = `${place.schema}.${place.table}`;
  if (place.may_use_schema === false) {
    return new PrivilegeError({
      role: place.role,
      action: `read the ledger ${table}`,
      missing: `USAGE on schema ${place.schema}`,
      grant: `GRANT USAGE ON SCHEMA ${place.schema} TO ${place.role};`,
    });
  }
  if (place.may_select === false) {
    return new PrivilegeError({
      role: place.role,
      action: `read the ledger ${table}`,
      missing: `SELECT on table ${table}`,
      grant: `GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE ${table} TO ${place.role};`,
      otherwise:
        'status and verify need only SELECT; apply, rollback, baseline and repair also write the ledger. Or connect as a role that has them.',
    });
  }
  return err;
}
