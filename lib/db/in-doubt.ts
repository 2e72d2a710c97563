/**
 * The catalog's answer about a concurrent index statement in doubt (see
 * plan/in-doubt.ts): does the index exist, and is it valid?
 */
import { escapeIdentifier, type Client } from 'pg';
import type { IndexFacts, IndexQuestion } from '../types';

/** Indexes with their table's class row and schema; schema-qualified throughout, as in ledger.ts. */
const INDEXES = `pg_catalog.pg_index i
  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.indexrelid
  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace`;

export async function indexFacts(client: Client, question: IndexQuestion): Promise<IndexFacts> {
  if (question.kind === 'reindex') {
    const { rows } = await client.query<{ schema: string; name: string }>(
      `SELECT n.nspname AS schema, c.relname AS name
         FROM ${INDEXES}
        WHERE NOT i.indisvalid AND c.relname OPERATOR(pg_catalog.~) '_cc(new|old)[0-9]*$' ORDER BY 1, 2`,
    );
    return { kind: 'reindex', leftovers: rows.map((r) => `${escapeIdentifier(r.schema)}.${escapeIdentifier(r.name)}`) };
  }
  // CREATE: the index lives in its table's schema; DROP names it as to_regclass reads it.
  const { rows } =
    question.kind === 'create'
      ? await client.query<{ valid: boolean; schema: string; name: string }>(
          `SELECT i.indisvalid AS valid, n.nspname AS schema, c.relname AS name
             FROM ${INDEXES}
            WHERE c.relnamespace OPERATOR(pg_catalog.=) (SELECT relnamespace FROM pg_catalog.pg_class WHERE oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass($2))
              AND c.relname OPERATOR(pg_catalog.=) $1`,
          [unquote(question.index), question.table],
        )
      : await client.query<{ valid: boolean; schema: string; name: string }>(
          `SELECT i.indisvalid AS valid, n.nspname AS schema, c.relname AS name
             FROM ${INDEXES}
            WHERE i.indexrelid OPERATOR(pg_catalog.=) pg_catalog.to_regclass($1)`,
          [question.index],
        );
  const row = rows[0];
  const index = row ? `${escapeIdentifier(row.schema)}.${escapeIdentifier(row.name)}` : question.index;
  return { kind: question.kind, index, state: !row ? 'absent' : row.valid ? 'valid' : 'invalid' };
}

/** An identifier as the catalog stores it: `"Foo"` → `Foo`, `foo` as is (words() lower-cased it). */
const unquote = (name: string) => (name.startsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name);
