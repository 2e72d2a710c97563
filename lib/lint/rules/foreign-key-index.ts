/**
 * A new foreign key whose referencing columns no index leads with: every
 * DELETE (and key UPDATE) on the referenced table then scans the
 * referencing table to find the rows that point at it, and a join on the
 * key scans it too. The index can be made in this migration (before or
 * after the key), an earlier pending one, or exist in the live schema.
 */
import { relationOf } from '../history';
import type { Hit, LintContext, LintStatement, RelationName, Rule } from '../types';
import {
  type ConstraintNode,
  alterTableOf,
  columnConstraints,
  foreignKeyColumns,
  isForeignKey,
  referencedTable,
} from './alter-table';
import { OWN_MIGRATION, columnList, qualified, quoteIdent } from './sql-text';

interface ForeignKey {
  readonly constraint: ConstraintNode;
  readonly columns: readonly string[];
}

/** The foreign keys a CREATE TABLE or an ALTER TABLE adds, with their referencing columns. */
function foreignKeysOf(statement: LintStatement): { table?: RelationName; keys: ForeignKey[] } {
  const create = (statement.node as { CreateStmt?: { relation?: unknown; tableElts?: unknown[] } }).CreateStmt;
  if (create) {
    const keys = (create.tableElts ?? []).flatMap((element) => {
      const own = (element as { Constraint?: ConstraintNode }).Constraint;
      if (own) return isForeignKey(own) ? [{ constraint: own, columns: foreignKeyColumns(own) }] : [];
      const column = (element as { ColumnDef?: { colname?: string; constraints?: unknown[] } }).ColumnDef;
      return columnConstraints(column)
        .filter(isForeignKey)
        .map((c) => ({ constraint: c, columns: foreignKeyColumns(c, column?.colname) }));
    });
    return { table: relationOf(create.relation), keys };
  }
  const alter = alterTableOf(statement);
  const keys = (alter?.commands ?? []).flatMap((command): ForeignKey[] => {
    const c = command.constraint;
    if (command.subtype === 'AT_AddConstraint' && c && isForeignKey(c))
      return [{ constraint: c, columns: foreignKeyColumns(c) }];
    if (command.subtype !== 'AT_AddColumn') return [];
    return columnConstraints(command.column)
      .filter(isForeignKey)
      .map((fk) => ({ constraint: fk, columns: foreignKeyColumns(fk, command.column?.colname) }));
  });
  return { table: alter?.table, keys };
}

function hitOf(table: RelationName, key: ForeignKey, known: boolean | undefined, isNew: boolean): Hit {
  const t = qualified(table);
  const referenced = referencedTable(key.constraint);
  const name = quoteIdent(`${table.name}_${key.columns.join('_')}_idx`.slice(0, 63));
  const index = `INDEX ${name} ON ${t} (${columnList(key.columns)});`;
  const onDelete = referenced ? `a DELETE on ${qualified(referenced)}` : 'a DELETE on the referenced table';
  return {
    location: key.constraint.location,
    message:
      known === undefined
        ? `could not check that an index on ${t} (${columnList(key.columns)}) backs this foreign key: no database (--url), and the table is not created by the pending migrations`
        : `foreign key on ${t} (${columnList(key.columns)}) has no index leading with its columns: ${onDelete} scans ${t}`,
    table,
    rewrite: isNew
      ? `-- in the same migration:\nCREATE ${index}`
      : `${OWN_MIGRATION}CREATE ${index.replace('INDEX', 'INDEX CONCURRENTLY')}`,
    ...(known === undefined ? { severity: 'info' as const } : {}),
  };
}

function check(statement: LintStatement, context: LintContext): Hit[] {
  const { table, keys } = foreignKeysOf(statement);
  if (!table) return [];
  const creating = statement.kind === 'CreateStmt';
  const isNew = creating || context.isNewTable(table);
  return keys.flatMap((key) => {
    if (key.columns.length === 0) return [];
    const found = context.hasIndexLeading(table, key.columns);
    // The table this statement creates has no index but those the script makes (which hasIndexLeading counts).
    const known = creating ? found === true : found;
    return known === true ? [] : [hitOf(table, key, known, isNew)];
  });
}

export const foreignKeyIndexRule: Rule = {
  id: 'require-foreign-key-index',
  family: 'foreign-keys',
  severity: 'warning',
  summary: 'A new foreign key whose referencing columns no index leads with',
  why:
    'PostgreSQL indexes the referenced side of a foreign key (its key must be unique) but not the referencing side. Without an index there, ' +
    'every DELETE or key UPDATE on the referenced table scans the referencing table while it holds its row locks, ON DELETE CASCADE does so per deleted row, and joins on the key scan too. ' +
    'An index counts when it leads with the key columns (in any order) and is not partial: made anywhere in this migration, in an earlier pending one, or (with --url) present in the database. ' +
    'Without --url, a key on a table the pending migrations did not create cannot be checked: reported as info.',
  kinds: ['CreateStmt', 'AlterTableStmt'],
  check,
};
