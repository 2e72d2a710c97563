/**
 * `ALTER TYPE … ADD VALUE` in a transactional script before PostgreSQL 12:
 * the server refuses it ("cannot run inside a transaction block"), so the
 * migration fails. From 12 it runs in a transaction; using the new value in
 * the same transaction is still refused ("unsafe use of new value"), which
 * tidemark's planner already reports before a run (lib/plan/enum-values.ts):
 * one source of truth, not repeated here. The lock it takes is on the type,
 * not on a table: no lock is reported.
 */
import type { Rule } from '../types';
import { findWords, tokensOf } from './sql-tokens';

interface AlterEnumStmt {
  readonly newVal?: string;
  readonly oldVal?: string;
}

export const addEnumValueRule: Rule = {
  id: 'add-enum-value-in-transaction',
  family: 'enums',
  severity: 'error',
  summary: 'ALTER TYPE … ADD VALUE in a transactional migration, before PostgreSQL 12',
  why:
    'Before PostgreSQL 12, ALTER TYPE … ADD VALUE cannot run inside a transaction block: the migration fails when it reaches it. ' +
    'Put it in a migration of its own marked "-- tidemark:no-transaction" (or run on PostgreSQL 12+).',
  kinds: ['AlterEnumStmt'],
  check(statement, context) {
    const alter = (statement.node as { AlterEnumStmt?: AlterEnumStmt }).AlterEnumStmt;
    if (!alter?.newVal || alter.oldVal !== undefined) return [];
    if (context.pgVersion >= 12 || !context.script.transactional) return [];
    return [
      {
        location: findWords(tokensOf(statement), 'add', 'value')?.start,
        message: `ALTER TYPE … ADD VALUE cannot run inside a transaction block before PostgreSQL 12 (running ${context.pgVersion}), and this migration runs in one`,
        rewrite: `-- in a migration of its own, whose first line is "-- tidemark:no-transaction":\n${statement.text};`,
      },
    ];
  },
};
