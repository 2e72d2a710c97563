/** Read-only looks at a test database's state, for assertions after a CLI run. */
import type { TestDatabase } from './db';

export const DEFAULT_LEDGER = 'public.tidemark_migrations';

/** Does this (optionally schema-qualified, already quoted if needed) relation exist? */
export async function relationExists(db: TestDatabase, name: string): Promise<boolean> {
  const [row] = await db.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [name]);
  return row.exists;
}

/** Which of `names` exist, in the same order: handy for one `toEqual`. */
export async function existing(db: TestDatabase, names: readonly string[]): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    'SELECT n AS name FROM unnest($1::text[]) WITH ORDINALITY AS t(n, i) WHERE to_regclass(n) IS NOT NULL ORDER BY i',
    [names],
  );
  return rows.map((r) => r.name);
}

/** Applied versions in the ledger as strings, in order; null when the ledger table does not exist. */
export async function ledgerVersions(db: TestDatabase, ledger = DEFAULT_LEDGER): Promise<string[] | null> {
  if (!(await relationExists(db, ledger))) return null;
  const rows = await db.query<{ version: string }>(`SELECT version::text AS version FROM ${ledger} ORDER BY version`);
  return rows.map((r) => r.version);
}

/** Names of the tables, views, sequences and types the user created in `schema` (everything but the ledger). */
export async function userObjects(db: TestDatabase, schema = 'public'): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'v', 'm', 'S', 'p', 'c')
     UNION ALL
     SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = $1 AND t.typtype IN ('e', 'd', 'c') AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid)
     UNION ALL
     SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1
     ORDER BY 1`,
    [schema],
  );
  return rows.map((r) => r.name);
}
