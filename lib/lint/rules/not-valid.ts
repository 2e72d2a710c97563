/**
 * `ADD CONSTRAINT … CHECK` / `FOREIGN KEY` without `NOT VALID` on a table
 * that already exists checks every row while it holds its lock: ACCESS
 * EXCLUSIVE for a CHECK (nothing reads or writes the table), SHARE ROW
 * EXCLUSIVE on both tables for a foreign key (writes to either wait). Also
 * a foreign key declared on a column `ADD COLUMN … REFERENCES` adds.
 */
import type { Hit, LintStatement, RelationName, Rule } from '../types';
import {
  type AlterCommand,
  type ColumnNode,
  type ConstraintNode,
  alterTableOf,
  columnConstraints,
  constraintName,
  foreignKeyColumns,
  isCheck,
  isForeignKey,
  referencedTable,
  splitColumn,
} from './alter-table';
import { clauseAt, columnList, qualified, quoteIdent } from './sql-text';

const later = (table: RelationName, name: string): string =>
  `-- then, in a later migration (SHARE UPDATE EXCLUSIVE: reads and writes go on while it scans):\nALTER TABLE ${qualified(table)} VALIDATE CONSTRAINT ${quoteIdent(name)};`;

/** `ADD CONSTRAINT c CHECK (…)` → the same, NOT VALID, then VALIDATE later. */
function addConstraintHit(statement: LintStatement, table: RelationName, c: ConstraintNode): Hit {
  const name = constraintName(table, c, foreignKeyColumns(c));
  const clause = clauseAt(statement, c.location);
  const named = c.conname ? clause : `CONSTRAINT ${quoteIdent(name)} ${clause}`;
  const t = qualified(table);
  const referenced = referencedTable(c);
  const fk = isForeignKey(c) && referenced;
  // The lock compared with the observed one is the referencing table's; the message names both.
  return {
    location: c.location,
    message: fk
      ? `FOREIGN KEY ${quoteIdent(name)} without NOT VALID: every row of ${t} is checked while SHARE ROW EXCLUSIVE on ${t} and ${qualified(referenced)} blocks writes to both`
      : `CHECK ${quoteIdent(name)} without NOT VALID: every row of ${t} is checked while ACCESS EXCLUSIVE blocks its reads and writes`,
    lock: { mode: fk ? 'SHARE ROW EXCLUSIVE' : 'ACCESS EXCLUSIVE', relation: t },
    table,
    rewrite: `ALTER TABLE ${t} ADD ${named} NOT VALID;\n${later(table, name)}`,
  };
}

/** `ADD COLUMN u_id bigint REFERENCES u` → the column, then the key NOT VALID, then VALIDATE later. */
function addColumnHit(statement: LintStatement, table: RelationName, column: ColumnNode, c: ConstraintNode): Hit {
  const colname = column.colname ?? '';
  const name = constraintName(table, c, [colname]);
  const { definition, constraintText } = splitColumn(statement, column, c);
  const references = constraintText.slice(Math.max(0, constraintText.search(/\bREFERENCES\b/i)));
  const t = qualified(table);
  const referenced = referencedTable(c);
  return {
    location: c.location,
    message: `ADD COLUMN ${quoteIdent(colname)} … REFERENCES on ${t}: every row of ${t} is checked while its ACCESS EXCLUSIVE lock blocks reads and writes${referenced ? ` (and writes to ${qualified(referenced)} wait)` : ''}`,
    lock: { mode: 'ACCESS EXCLUSIVE', relation: t },
    table,
    rewrite:
      `ALTER TABLE ${t} ADD COLUMN ${definition};\n` +
      `ALTER TABLE ${t} ADD CONSTRAINT ${quoteIdent(name)} FOREIGN KEY (${columnList([colname])}) ${references} NOT VALID;\n` +
      later(table, name),
  };
}

function hitsOf(statement: LintStatement, table: RelationName, command: AlterCommand): Hit[] {
  const c = command.constraint;
  if (command.subtype === 'AT_AddConstraint' && c && (isCheck(c) || isForeignKey(c)) && !c.skip_validation)
    return [addConstraintHit(statement, table, c)];
  if (command.subtype !== 'AT_AddColumn' || !command.column) return [];
  const column = command.column;
  return columnConstraints(column)
    .filter(isForeignKey)
    .map((fk) => addColumnHit(statement, table, column, fk));
}

export const notValidRule: Rule = {
  id: 'require-not-valid',
  family: 'constraints',
  severity: 'error',
  summary: 'ADD CONSTRAINT … CHECK / FOREIGN KEY (or ADD COLUMN … REFERENCES) on an existing table without NOT VALID',
  why:
    'Adding a CHECK scans the whole table under ACCESS EXCLUSIVE: no reads, no writes until it ends. Adding a FOREIGN KEY scans the referencing table under SHARE ROW EXCLUSIVE on both tables: writes to either wait. ' +
    'ADD … NOT VALID takes the lock only for a moment (new rows are checked from then on); ALTER TABLE … VALIDATE CONSTRAINT in a later migration checks the old rows under SHARE UPDATE EXCLUSIVE, which lets reads and writes go on.',
  kinds: ['AlterTableStmt'],
  check(statement) {
    const alter = alterTableOf(statement);
    if (!alter) return [];
    return alter.commands.flatMap((command) => hitsOf(statement, alter.table, command));
  },
};
