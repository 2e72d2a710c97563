/**
 * `REINDEX` without `CONCURRENTLY` rebuilds under an ACCESS EXCLUSIVE lock
 * on each index (and SHARE on its table): the planner locks every index of
 * a table it plans for, so nearly every query on the table waits.
 * PostgreSQL 12 added REINDEX CONCURRENTLY; before it, build a copy
 * concurrently and swap.
 */
import { relationOf } from '../history';
import type { Hit, LintContext, LintStatement, LockTaken, RelationName, Rule } from '../types';
import {
  OWN_MIGRATION,
  at,
  bodyOf,
  findWord,
  insertAfter,
  optionNamed,
  optionOn,
  qualified,
  quoteIdent,
  tokensOf,
} from './sql-text';

interface ReindexStmt {
  readonly kind?: string;
  readonly relation?: { readonly location?: number };
  readonly name?: string;
  readonly params?: readonly unknown[];
}

const TARGETS: Readonly<Record<string, string>> = {
  REINDEX_OBJECT_INDEX: 'index',
  REINDEX_OBJECT_TABLE: 'table',
  REINDEX_OBJECT_SCHEMA: 'schema',
  REINDEX_OBJECT_DATABASE: 'database',
};

/** Before PostgreSQL 12: a concurrent copy, then the swap (the definition comes from pg_get_indexdef). */
function swapRewrite(index: RelationName | undefined, table: RelationName | undefined): string {
  const old = index ? qualified(index) : 'the_index';
  const fresh = quoteIdent(`${index?.name ?? 'the_index'}_new`);
  const on = table ? qualified(table) : 'the_table';
  return (
    `-- PostgreSQL before 12 has no REINDEX CONCURRENTLY: build a copy, then swap (per index;\n` +
    `-- copy the definition from SELECT pg_get_indexdef('${old.replace(/'/g, "''")}'::regclass)).\n` +
    `${OWN_MIGRATION}CREATE INDEX CONCURRENTLY ${fresh} ON ${on} (the_same_columns);\n` +
    `DROP INDEX CONCURRENTLY ${old};\n` +
    `ALTER INDEX ${index?.schema ? `${quoteIdent(index.schema)}.` : ''}${fresh} RENAME TO ${quoteIdent(index?.name ?? 'the_index')};\n` +
    `-- an index behind a PRIMARY KEY or UNIQUE constraint cannot be dropped this way: swap the constraint with ADD … USING INDEX.`
  );
}

function check(statement: LintStatement, context: LintContext): Hit[] {
  const reindex = (statement.node as { ReindexStmt: ReindexStmt }).ReindexStmt;
  const target = TARGETS[reindex.kind ?? ''];
  const concurrently = optionNamed(reindex.params, 'concurrently');
  // REINDEX SYSTEM cannot be concurrent (and cannot run in a transaction: needs-no-transaction says so).
  if (!target || (concurrently && optionOn(concurrently))) return [];
  const tokens = tokensOf(statement);
  const keyword = findWord(tokens, target);
  const named = relationOf(reindex.relation);
  const index = target === 'index' ? named : undefined;
  const table = target === 'table' ? named : index ? context.tableOfIndex(index) : undefined;
  const relation =
    target === 'index' && index
      ? qualified(index)
      : table
        ? `the indexes of ${qualified(table)}`
        : `every index in ${target} ${quoteIdent(reindex.name ?? '')}`.trimEnd();
  const rewrite =
    context.pgVersion < 12
      ? swapRewrite(index, table)
      : keyword && `${OWN_MIGRATION}${insertAfter(bodyOf(statement, tokens), keyword, ' CONCURRENTLY')};`;
  return [
    {
      location: reindex.relation?.location ?? at(statement, keyword),
      message: `REINDEX ${target.toUpperCase()} without CONCURRENTLY: ACCESS EXCLUSIVE on ${relation} (and SHARE on the table) blocks the queries that plan with it, and all writes`,
      // The table's SHARE when the table is known (what blocks writes); else ACCESS EXCLUSIVE on the index named.
      ...(lockOf(target, index, table) ? { lock: lockOf(target, index, table) } : {}),
      ...(table ? { table } : {}),
      ...(rewrite ? { rewrite } : {}),
    },
  ];
}

function lockOf(
  target: string,
  index: RelationName | undefined,
  table: RelationName | undefined,
): LockTaken | undefined {
  if (table) return { mode: 'SHARE', relation: qualified(table) };
  if (target === 'index' && index) return { mode: 'ACCESS EXCLUSIVE', relation: qualified(index) };
  return undefined;
}

export const reindexRule: Rule = {
  id: 'require-concurrent-reindex',
  family: 'indexes',
  severity: 'error',
  summary: 'REINDEX without CONCURRENTLY',
  why:
    'REINDEX holds a SHARE lock on the table (writes wait) and an ACCESS EXCLUSIVE lock on each index it rebuilds; the planner locks every index of a table it plans a query for, so nearly every read waits too, for the whole rebuild. ' +
    'REINDEX … CONCURRENTLY (PostgreSQL 12+) rebuilds without blocking, in a migration of its own marked "-- tidemark:no-transaction"; before 12, CREATE INDEX CONCURRENTLY a copy and swap it in.',
  kinds: ['ReindexStmt'],
  check,
};
