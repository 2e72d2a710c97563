/**
 * What the live database tells `tidemark lint` about the tables the pending
 * migrations touch: each one's size (`reltuples`, `pg_total_relation_size`),
 * the leading columns of its valid indexes, and its validated
 * `CHECK (col IS NOT NULL)` constraints; and the server's major version.
 * Read-only catalog queries, qualified with `pg_catalog.`.
 *
 * (A minimal version written by the cli helper to test the use case; the
 * facts helper's version replaces this file.)
 */
import type { Client } from 'pg';
import type { RelationName, TableSize } from '../lint/types';

/** The facts, looked up by a relation as a statement names it (lib/lint/engine.ts' LiveFacts). */
export interface LiveFacts {
  sizeOf(table: RelationName): TableSize | undefined;
  hasIndexLeading(table: RelationName, columns: readonly string[]): boolean;
  hasNotNullCheck(table: RelationName, column: string): boolean;
}

interface TableFacts {
  readonly size: TableSize;
  readonly indexes: readonly (readonly (string | null)[])[];
  readonly notNull: ReadonlySet<string>;
}

const key = (t: RelationName) => (t.schema ? `${t.schema}.${t.name}` : t.name);

const SIZES = `
SELECT t.i::int AS i, c.oid::int8 AS oid, c.reltuples::float8 AS rows, c.relpages::int8 AS pages,
       pg_catalog.pg_total_relation_size(c.oid)::float8 AS bytes
  FROM ROWS FROM (pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::text[])) WITH ORDINALITY AS t(schema, name, i)
  JOIN pg_catalog.pg_class c ON c.oid = pg_catalog.to_regclass(
         CASE WHEN t.schema IS NULL THEN pg_catalog.quote_ident(t.name)
              ELSE pg_catalog.quote_ident(t.schema) || '.' || pg_catalog.quote_ident(t.name) END)
 WHERE c.relkind IN ('r', 'p', 'm', 'i')`;

const INDEXES = `
SELECT x.indrelid::int8 AS oid,
       ARRAY(SELECT a.attname::text
               FROM pg_catalog.unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
               LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
              ORDER BY k.n) AS columns
  FROM pg_catalog.pg_index x
 WHERE x.indrelid = ANY($1::oid[]) AND x.indisvalid`;

const CHECKS = `
SELECT conrelid::int8 AS oid, pg_catalog.pg_get_constraintdef(oid) AS def
  FROM pg_catalog.pg_constraint
 WHERE contype = 'c' AND convalidated AND conrelid = ANY($1::oid[])`;

/** `CHECK ((col IS NOT NULL))`, as pg_get_constraintdef writes it. */
const NOT_NULL_CHECK = /^CHECK \(+(?:"((?:[^"]|"")+)"|([a-z_][a-z0-9_$]*)) IS NOT NULL\)+$/;

/** Reads the facts of `tables` (those the statements name) in three queries. */
export async function readLiveFacts(client: Client, tables: readonly RelationName[]): Promise<LiveFacts> {
  const sizes = await client.query<{ i: number; oid: string; rows: number; pages: string; bytes: number }>(SIZES, [
    tables.map((t) => t.schema ?? null),
    tables.map((t) => t.name),
  ]);
  const oids = [...new Set(sizes.rows.map((r) => r.oid))];
  const [indexes, checks] =
    oids.length === 0
      ? [{ rows: [] }, { rows: [] }]
      : [
          await client.query<{ oid: string; columns: (string | null)[] }>(INDEXES, [oids]),
          await client.query<{ oid: string; def: string }>(CHECKS, [oids]),
        ];
  const byOid = new Map<string, TableFacts>();
  for (const oid of oids) {
    const row = sizes.rows.find((r) => r.oid === oid)!;
    // Never analysed: -1 since PostgreSQL 14; before, 0 with pages on disk.
    const rows = row.rows === 0 && Number(row.pages) > 0 ? -1 : row.rows;
    const notNull = new Set<string>();
    for (const c of checks.rows.filter((c) => c.oid === oid)) {
      const match = NOT_NULL_CHECK.exec(c.def);
      if (match) notNull.add(match[1] !== undefined ? match[1].replace(/""/g, '"') : (match[2] as string));
    }
    byOid.set(oid, {
      size: { rows, bytes: row.bytes },
      indexes: indexes.rows.filter((x) => x.oid === oid).map((x) => x.columns),
      notNull,
    });
  }
  const facts = new Map<string, TableFacts>();
  for (const row of sizes.rows) facts.set(key(tables[row.i - 1] as RelationName), byOid.get(row.oid)!);
  const of = (t: RelationName) => facts.get(key(t));
  return {
    sizeOf: (t) => of(t)?.size,
    hasIndexLeading: (t, columns) => of(t)?.indexes.some((index) => columns.every((c, n) => index[n] === c)) ?? false,
    hasNotNullCheck: (t, column) => of(t)?.notNull.has(column) ?? false,
  };
}

/** The server's major version: 17 for 17.2, 9 for 9.6. */
export async function serverMajorVersion(client: Client): Promise<number> {
  const { rows } = await client.query<{ v: number }>(
    "SELECT pg_catalog.current_setting('server_version_num')::integer AS v",
  );
  return Math.floor((rows[0] as { v: number }).v / 10000);
}
