/**
 * The parts of `ALTER TABLE` and `CREATE TABLE` parse trees the constraint
 * rules read: the commands, the constraints (table-level and on a column),
 * their columns, and the names PostgreSQL would give them.
 */
import { namesOf, relationOf } from '../history';
import type { LintStatement, RelationName } from '../types';
import { clauseAt, textBetween } from './sql-text';

/** A `Constraint` node, the fields these rules read. */
export interface ConstraintNode {
  readonly contype?: string;
  readonly conname?: string;
  readonly location?: number;
  readonly skip_validation?: boolean;
  readonly pktable?: unknown;
  readonly fk_attrs?: unknown;
  readonly pk_attrs?: unknown;
  readonly keys?: unknown;
  readonly including?: unknown;
  readonly indexname?: string;
  readonly nulls_not_distinct?: boolean;
  readonly raw_expr?: unknown;
}

export interface ColumnNode {
  readonly colname?: string;
  readonly location?: number;
  readonly constraints?: readonly unknown[];
}

/** One command of an ALTER TABLE. */
export interface AlterCommand {
  readonly subtype?: string;
  readonly name?: string;
  /** The constraint an `ADD CONSTRAINT` adds. */
  readonly constraint?: ConstraintNode;
  /** The column an `ADD COLUMN` adds. */
  readonly column?: ColumnNode;
  readonly def?: unknown;
}

export interface AlterTable {
  readonly table: RelationName;
  readonly commands: readonly AlterCommand[];
}

/** The table and commands of an `ALTER TABLE` (not ALTER INDEX / VIEW …), or undefined. */
export function alterTableOf(statement: LintStatement): AlterTable | undefined {
  const alter = (statement.node as { AlterTableStmt?: { relation?: unknown; cmds?: unknown[]; objtype?: string } })
    .AlterTableStmt;
  const table = relationOf(alter?.relation);
  if (!alter || !table || alter.objtype !== 'OBJECT_TABLE') return undefined;
  const commands = (alter.cmds ?? []).map((c) => {
    const cmd = (c as { AlterTableCmd?: { subtype?: string; name?: string; def?: unknown } }).AlterTableCmd ?? {};
    const def = cmd.def as { Constraint?: ConstraintNode; ColumnDef?: ColumnNode } | undefined;
    return { ...cmd, constraint: def?.Constraint, column: def?.ColumnDef };
  });
  return { table, commands };
}

/** The `Constraint` nodes of a column definition. */
export function columnConstraints(column: ColumnNode | undefined): ConstraintNode[] {
  return (column?.constraints ?? [])
    .map((c) => (c as { Constraint?: ConstraintNode }).Constraint)
    .filter((c): c is ConstraintNode => c !== undefined);
}

/** The constraint that follows `constraint` on its column (where the text of `constraint` ends), if any. */
export function nextConstraint(column: ColumnNode, constraint: ConstraintNode): ConstraintNode | undefined {
  const all = columnConstraints(column);
  return all[all.indexOf(constraint) + 1];
}

/**
 * A column definition as written, split around one of its constraints:
 * the definition without it, and the constraint's own text.
 */
export function splitColumn(
  statement: LintStatement,
  column: ColumnNode,
  constraint: ConstraintNode,
): { readonly definition: string; readonly constraintText: string } {
  const start = column.location ?? statement.offset;
  const end = start + Buffer.byteLength(clauseAt(statement, start));
  const from = constraint.location ?? start;
  const to = nextConstraint(column, constraint)?.location ?? end;
  const definition = [textBetween(statement, start, from), textBetween(statement, to, end)].filter(Boolean).join(' ');
  return { definition, constraintText: textBetween(statement, from, to) };
}

export const isForeignKey = (c: ConstraintNode | undefined): boolean => c?.contype === 'CONSTR_FOREIGN';
export const isCheck = (c: ConstraintNode | undefined): boolean => c?.contype === 'CONSTR_CHECK';
export const isKey = (c: ConstraintNode | undefined): boolean =>
  c?.contype === 'CONSTR_PRIMARY' || c?.contype === 'CONSTR_UNIQUE';

/** The referencing columns of a foreign key: its own list, or the column it is declared on. */
export function foreignKeyColumns(constraint: ConstraintNode, column?: string): string[] {
  const own = namesOf(constraint.fk_attrs);
  return own.length > 0 ? own : column ? [column] : [];
}

/** The referenced table of a foreign key. */
export const referencedTable = (constraint: ConstraintNode): RelationName | undefined => relationOf(constraint.pktable);

/** The columns a CHECK expression names (distinct, in order). */
function checkColumns(expr: unknown): string[] {
  const found: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const ref = (node as { ColumnRef?: { fields?: unknown } }).ColumnRef;
      const name = ref ? namesOf(ref.fields).pop() : undefined;
      if (name && !found.includes(name)) found.push(name);
      Object.values(node).forEach(walk);
    }
  };
  walk(expr);
  return found;
}

/**
 * The constraint's name: as written, or PostgreSQL's default (`t_a_fkey`,
 * `t_a_check`, `t_pkey`, `t_a_key`; a rewrite writes it out, so it need not match
 * the server's choice to the letter).
 */
export function constraintName(table: RelationName, c: ConstraintNode, columns: readonly string[] = []): string {
  if (c.conname) return c.conname;
  const checked = checkColumns(c.raw_expr);
  const parts: Record<string, string[]> = {
    CONSTR_FOREIGN: [...columns, 'fkey'],
    CONSTR_CHECK: [...(checked.length === 1 ? checked : []), 'check'],
    CONSTR_PRIMARY: ['pkey'],
    CONSTR_UNIQUE: [...columns, 'key'],
  };
  return [table.name, ...(parts[c.contype ?? ''] ?? ['constraint'])].join('_').slice(0, 63);
}
