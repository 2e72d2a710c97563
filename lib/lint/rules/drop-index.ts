/**
 * `DROP INDEX` without `CONCURRENTLY` takes an ACCESS EXCLUSIVE lock on the
 * index's table: short once granted, but it queues behind every running
 * query on the table, and every query after it queues behind it.
 */
import { namesOf } from '../history';
import type { Hit, LintContext, LintStatement, RelationName, Rule } from '../types';
import { OWN_MIGRATION, at, findName, qualified, tokensOf } from './sql-text';

interface DropStmt {
  readonly objects?: readonly unknown[];
  readonly removeType?: string;
  readonly concurrent?: boolean;
  readonly missing_ok?: boolean;
  readonly behavior?: string;
}

/** The index names of a DROP INDEX, each as schema + name. */
function indexesOf(drop: DropStmt): RelationName[] {
  return (drop.objects ?? []).flatMap((object) => {
    const parts = namesOf((object as { List?: { items?: unknown } }).List?.items);
    const name = parts[parts.length - 1];
    if (!name) return [];
    return [parts.length > 1 ? { schema: parts[parts.length - 2] as string, name } : { name }];
  });
}

function rewriteOf(indexes: readonly RelationName[], drop: DropStmt): string {
  const ifExists = drop.missing_ok ? 'IF EXISTS ' : '';
  const cascade =
    drop.behavior === 'DROP_CASCADE'
      ? '-- CONCURRENTLY cannot CASCADE: drop what depends on the index first, in a migration of its own.\n'
      : '';
  const one = indexes.length > 1 ? '-- CONCURRENTLY drops one index per statement.\n' : '';
  const drops = indexes.map((index) => `DROP INDEX CONCURRENTLY ${ifExists}${qualified(index)};`).join('\n');
  return `${OWN_MIGRATION}${cascade}${one}${drops}`;
}

function check(statement: LintStatement, context: LintContext): Hit[] {
  const drop = (statement.node as { DropStmt: DropStmt }).DropStmt;
  if (drop.removeType !== 'OBJECT_INDEX' || drop.concurrent) return [];
  const indexes = indexesOf(drop);
  const tokens = tokensOf(statement);
  const rewrite = rewriteOf(indexes, drop);
  let from = tokens.findIndex((t) => t.word === 'index') + 1;
  return indexes.map((index) => {
    // Point at the name as written: its schema when qualified.
    const found = findName(tokens, index.schema ?? index.name, from);
    if (found >= 0) from = found + (index.schema ? 3 : 1);
    const table = context.tableOfIndex(index);
    // Both the index and its table are locked; without knowing the table, the index is named.
    return {
      location: at(statement, found >= 0 ? tokens[found] : undefined),
      message: `DROP INDEX ${qualified(index)} without CONCURRENTLY: ACCESS EXCLUSIVE on ${table ? qualified(table) : 'its table'} blocks its reads and writes, and queues behind running queries`,
      lock: { mode: 'ACCESS EXCLUSIVE', relation: table ? qualified(table) : qualified(index) },
      ...(table ? { table } : {}),
      rewrite,
    };
  });
}

export const dropIndexRule: Rule = {
  id: 'require-concurrent-index-drop',
  family: 'indexes',
  severity: 'warning',
  summary: 'DROP INDEX without CONCURRENTLY',
  why:
    "DROP INDEX takes an ACCESS EXCLUSIVE lock on the index's table: it waits for every running query on the table, and every read and write after it waits for it. " +
    'DROP INDEX CONCURRENTLY waits for those queries without blocking anyone; it cannot run in a transaction (its own migration, "-- tidemark:no-transaction"), takes one index, and cannot CASCADE.',
  kinds: ['DropStmt'],
  check,
};
