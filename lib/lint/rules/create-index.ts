/**
 * `CREATE INDEX` without `CONCURRENTLY` on a table that already exists takes
 * a SHARE lock for the whole build: writes wait, for minutes on a big table.
 */
import { relationOf } from '../history';
import type { Rule } from '../types';
import { OWN_MIGRATION, bodyOf, findWord, insertAfter, qualified, quoteIdent, tokensOf } from './sql-text';

interface IndexStmt {
  readonly idxname?: string;
  readonly relation?: { readonly location?: number; readonly inh?: boolean };
  readonly concurrent?: boolean;
  readonly unique?: boolean;
}

export const createIndexRule: Rule = {
  id: 'require-concurrent-index',
  family: 'indexes',
  severity: 'error',
  summary: 'CREATE INDEX on an existing table without CONCURRENTLY',
  why:
    'CREATE INDEX holds a SHARE lock on the table until the build ends and the transaction commits: every INSERT, UPDATE and DELETE waits. ' +
    'CREATE INDEX CONCURRENTLY builds it without blocking writes; it cannot run in a transaction, so it goes in its own migration marked "-- tidemark:no-transaction". ' +
    '(A partitioned table cannot be indexed concurrently: CREATE INDEX ON ONLY the parent, CREATE INDEX CONCURRENTLY on each partition, then ALTER INDEX … ATTACH PARTITION.)',
  kinds: ['IndexStmt'],
  check(statement) {
    const index = (statement.node as { IndexStmt: IndexStmt }).IndexStmt;
    const table = relationOf(index.relation);
    // ON ONLY (inh false, so absent from the tree) makes an empty, invalid index on a partitioned parent: the first step of the safe pattern.
    if (index.concurrent || !table || index.relation?.inh !== true) return [];
    const name = qualified(table);
    const tokens = tokensOf(statement);
    const body = bodyOf(statement, tokens);
    const keyword = findWord(tokens, 'index');
    const concurrent = keyword ? insertAfter(body, keyword, ' CONCURRENTLY') : body;
    const what = `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX${index.idxname ? ` ${quoteIdent(index.idxname)}` : ''}`;
    return [
      {
        location: index.relation?.location,
        message: `${what} on ${name} without CONCURRENTLY: writes to ${name} wait for the whole build`,
        lock: { mode: 'SHARE', relation: name },
        table,
        rewrite: `${OWN_MIGRATION}${concurrent};`,
      },
    ];
  },
};
