/**
 * `ADD UNIQUE` / `ADD PRIMARY KEY` (as `ADD CONSTRAINT …`, or on a column
 * `ADD COLUMN` adds) on a table that already exists builds the index while
 * ACCESS EXCLUSIVE blocks every read and write. Build it with CREATE UNIQUE
 * INDEX CONCURRENTLY first, then attach it: `ADD … USING INDEX` is instant.
 */
import { namesOf } from '../history';
import type { Hit, LintStatement, RelationName, Rule } from '../types';
import {
  type AlterCommand,
  type ConstraintNode,
  alterTableOf,
  columnConstraints,
  constraintName,
  isKey,
  splitColumn,
} from './alter-table';
import { OWN_MIGRATION, columnList, qualified, quoteIdent } from './sql-text';

function rewriteOf(table: RelationName, c: ConstraintNode, columns: readonly string[], addColumn?: string): string {
  const t = qualified(table);
  const name = quoteIdent(constraintName(table, c, columns));
  const primary = c.contype === 'CONSTR_PRIMARY';
  const include = namesOf(c.including);
  const nulls = c.nulls_not_distinct ? ' NULLS NOT DISTINCT' : '';
  const index =
    `CREATE UNIQUE INDEX CONCURRENTLY ${name} ON ${t} (${columnList(columns)})` +
    `${include.length > 0 ? ` INCLUDE (${columnList(include)})` : ''}${nulls};`;
  const notNull = primary
    ? '-- PRIMARY KEY makes its columns NOT NULL: on a nullable column that scans the table under ACCESS EXCLUSIVE,\n' +
      '-- unless (PostgreSQL 12+) a validated CHECK (column IS NOT NULL) exists: add one NOT VALID and VALIDATE it first.\n'
    : '';
  return (
    (addColumn ? `ALTER TABLE ${t} ADD COLUMN ${addColumn};\n` : '') +
    `${OWN_MIGRATION}${index}\n-- then, in the next migration (a moment's ACCESS EXCLUSIVE, no build):\n${notNull}` +
    `ALTER TABLE ${t} ADD CONSTRAINT ${name} ${primary ? 'PRIMARY KEY' : 'UNIQUE'} USING INDEX ${name};`
  );
}

function hit(table: RelationName, c: ConstraintNode, columns: readonly string[], addColumn?: string): Hit {
  const t = qualified(table);
  const what = c.contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : 'UNIQUE';
  return {
    location: c.location,
    message: `ADD ${what}${columns.length > 0 ? ` (${columnList(columns)})` : ''} on ${t} builds its index while ACCESS EXCLUSIVE blocks reads and writes`,
    lock: { mode: 'ACCESS EXCLUSIVE', relation: t },
    table,
    rewrite: rewriteOf(table, c, columns, addColumn),
  };
}

function hitsOf(statement: LintStatement, table: RelationName, command: AlterCommand): Hit[] {
  const c = command.constraint;
  if (command.subtype === 'AT_AddConstraint' && isKey(c) && c && !c.indexname) return [hit(table, c, namesOf(c.keys))];
  const column = command.column;
  if (command.subtype !== 'AT_AddColumn' || !column?.colname) return [];
  const colname = column.colname;
  return columnConstraints(column)
    .filter(isKey)
    .map((key) => hit(table, key, [colname], splitColumn(statement, column, key).definition));
}

export const uniqueUsingIndexRule: Rule = {
  id: 'require-unique-using-index',
  family: 'constraints',
  severity: 'error',
  summary: 'ADD UNIQUE / ADD PRIMARY KEY on an existing table without USING INDEX',
  why:
    'ADD CONSTRAINT … UNIQUE or PRIMARY KEY builds a unique index under ACCESS EXCLUSIVE: nothing reads or writes the table until the build ends and the transaction commits. ' +
    'CREATE UNIQUE INDEX CONCURRENTLY (its own migration, "-- tidemark:no-transaction") builds it without blocking; ADD CONSTRAINT … UNIQUE USING INDEX / PRIMARY KEY USING INDEX then attaches it in a moment.',
  kinds: ['AlterTableStmt'],
  check(statement) {
    const alter = alterTableOf(statement);
    if (!alter) return [];
    return alter.commands.flatMap((command) => hitsOf(statement, alter.table, command));
  },
};
