/**
 * `CREATE INDEX` without `CONCURRENTLY` on a table that already exists takes
 * a SHARE lock for the whole build: writes wait, for minutes on a big table.
 */
import { relationOf } from '../history';
import type { Rule } from '../types';

interface IndexStmt {
  readonly idxname?: string;
  readonly relation?: unknown;
  readonly concurrent?: boolean;
}

export const createIndexRule: Rule = {
  id: 'require-concurrent-index',
  family: 'indexes',
  severity: 'error',
  summary: 'CREATE INDEX on an existing table without CONCURRENTLY',
  why:
    'CREATE INDEX holds a SHARE lock on the table until the build ends and the transaction commits: every INSERT, UPDATE and DELETE waits. ' +
    'CREATE INDEX CONCURRENTLY builds it without blocking writes; it cannot run in a transaction, so it goes in its own migration marked "-- tidemark:no-transaction".',
  kinds: ['IndexStmt'],
  check(statement) {
    const index = (statement.node as { IndexStmt: IndexStmt }).IndexStmt;
    const table = relationOf(index.relation);
    if (index.concurrent || !table) return [];
    const name = table.schema ? `${table.schema}.${table.name}` : table.name;
    const concurrent = statement.text.replace(/^(\s*CREATE\s+(?:UNIQUE\s+)?INDEX)\b/i, '$1 CONCURRENTLY');
    return [
      {
        location: (index.relation as { location?: number }).location,
        message: `CREATE INDEX${index.idxname ? ` ${index.idxname}` : ''} on ${name} without CONCURRENTLY`,
        lock: { mode: 'SHARE', relation: name },
        table,
        rewrite: `-- in a migration of its own, marked "-- tidemark:no-transaction":\n${concurrent};`,
      },
    ];
  },
};
