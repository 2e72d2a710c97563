/**
 * A statement PostgreSQL refuses inside a transaction block (`CREATE INDEX
 * CONCURRENTLY`, `REINDEX … CONCURRENTLY`, `DETACH PARTITION … CONCURRENTLY`,
 * `VACUUM`, …) in a file tidemark runs in one. tidemark's plan already
 * refuses such a file before anything runs; this rule reports the same
 * thing, from the same function (lib/sql/classify.ts), at the statement.
 */
import { nonTransactionalReason } from '../../sql/classify';
import type { Hit, LintContext, LintStatement, Rule } from '../types';
import { OWN_MIGRATION, at, bodyOf, findWord, tokensOf } from './sql-text';

function check(statement: LintStatement, context: LintContext): Hit[] {
  if (!context.script.transactional) return [];
  const reason = nonTransactionalReason(statement.text);
  if (reason === null) return [];
  const concurrently = /CONCURRENTLY/.test(reason) ? findWord(tokensOf(statement), 'concurrently') : undefined;
  return [
    {
      location: at(statement, concurrently),
      message: `${reason} cannot run inside a transaction block, and this file runs in one: tidemark refuses it before running anything`,
      rewrite: `${OWN_MIGRATION}${bodyOf(statement)};`,
    },
  ];
}

export const needsNoTransactionRule: Rule = {
  id: 'needs-no-transaction',
  family: 'transactions',
  severity: 'error',
  summary: 'A statement that cannot run in a transaction, in a file that runs in one',
  why:
    'PostgreSQL refuses CREATE/DROP INDEX CONCURRENTLY, REINDEX … CONCURRENTLY, ALTER TABLE … DETACH PARTITION … CONCURRENTLY, VACUUM and a few others inside a transaction block, and tidemark runs each file in one unless it is marked "-- tidemark:no-transaction": ' +
    '`up` and `verify` refuse the file before running anything (exit 2). Put the statement in a migration of its own with that directive (and, there, nothing that must be atomic with it).',
  kinds: [
    'IndexStmt',
    'DropStmt',
    'ReindexStmt',
    'AlterTableStmt',
    'VacuumStmt',
    'ClusterStmt',
    'CreatedbStmt',
    'DropdbStmt',
    'CreateTableSpaceStmt',
    'DropTableSpaceStmt',
    'AlterSystemStmt',
    'AlterDatabaseStmt',
    'CreateSubscriptionStmt',
    'AlterSubscriptionStmt',
    'DropSubscriptionStmt',
    'DiscardStmt',
    'TransactionStmt',
  ],
  check,
};
