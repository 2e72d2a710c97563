/**
 * ALTER TABLE as the rules of the column and NOT NULL families read it: the
 * table, each subcommand with its tokens (for a location the parse tree does
 * not give), column definitions, their constraints and their type as written.
 */
import { relationOf } from '../history';
import type { LintStatement, RelationName } from '../types';
import { commandTokens, sourceBetween, type Token } from './sql-tokens';

/** A `Constraint` node of a column definition or of ADD CONSTRAINT. */
export interface ConstraintNode {
  readonly contype?: string;
  readonly conname?: string;
  readonly raw_expr?: Record<string, unknown>;
  readonly generated_kind?: string;
  readonly skip_validation?: boolean;
  readonly keys?: unknown[];
  readonly location?: number;
}

/** A `TypeName` node. */
export interface TypeNameNode {
  readonly names?: unknown[];
  readonly typmods?: unknown[];
  readonly arrayBounds?: unknown[];
  readonly location?: number;
}

/** A `ColumnDef` node. */
export interface ColumnDefNode {
  readonly colname?: string;
  readonly typeName?: TypeNameNode;
  readonly constraints?: unknown[];
  readonly raw_default?: Record<string, unknown>;
  readonly collClause?: { readonly location?: number };
  readonly location?: number;
}

/** One subcommand of an ALTER TABLE. */
export interface AlterCommand {
  readonly subtype: string;
  readonly name?: string;
  readonly behavior?: string;
  readonly def?: Record<string, unknown>;
  /** Its tokens, when they could be lined up with the parse tree. */
  readonly tokens?: readonly Token[];
}

export interface AlterTable {
  readonly table: RelationName;
  /** `OBJECT_TABLE`, `OBJECT_INDEX`, `OBJECT_VIEW`, … (ALTER INDEX is an AlterTableStmt too). */
  readonly objtype: string;
  readonly commands: readonly AlterCommand[];
}

/** The ALTER TABLE of `statement`, or undefined for another kind of statement. */
export function alterTableOf(statement: LintStatement): AlterTable | undefined {
  const body = (statement.node as { AlterTableStmt?: Record<string, unknown> }).AlterTableStmt;
  const table = relationOf(body?.relation);
  if (!body || !table) return undefined;
  const cmds = ((body.cmds as unknown[]) ?? []).map(
    (c) => (c as { AlterTableCmd?: Record<string, unknown> }).AlterTableCmd ?? {},
  );
  const location = (body.relation as { location?: number }).location;
  const tokens = commandTokens(statement, location, cmds.length);
  const commands = cmds.map((c, i) => ({
    subtype: String(c.subtype),
    ...(typeof c.name === 'string' ? { name: c.name } : {}),
    ...(typeof c.behavior === 'string' ? { behavior: c.behavior } : {}),
    ...(c.def ? { def: c.def as Record<string, unknown> } : {}),
    ...(tokens?.[i] ? { tokens: tokens[i] } : {}),
  }));
  return { table, objtype: String(body.objtype ?? 'OBJECT_TABLE'), commands };
}

/** Where a subcommand starts (its first token), or undefined. */
export function commandStart(command: AlterCommand): number | undefined {
  return command.tokens?.[0]?.start;
}

/** Where a subcommand ends (the end of its last token), or undefined. */
export function commandEnd(command: AlterCommand): number | undefined {
  return command.tokens?.[command.tokens.length - 1]?.end;
}

/** The column definition of an ADD COLUMN or ALTER COLUMN … TYPE. */
export function columnDefOf(command: AlterCommand): ColumnDefNode | undefined {
  return (command.def as { ColumnDef?: ColumnDefNode } | undefined)?.ColumnDef;
}

/** The constraint of an ADD CONSTRAINT. */
export function constraintOf(command: AlterCommand): ConstraintNode | undefined {
  return (command.def as { Constraint?: ConstraintNode } | undefined)?.Constraint;
}

/** The constraints written on a column (NOT NULL, DEFAULT, PRIMARY KEY, GENERATED …). */
export function constraintsOf(def: ColumnDefNode): ConstraintNode[] {
  return (def.constraints ?? [])
    .map((c) => (c as { Constraint?: ConstraintNode }).Constraint)
    .filter((c): c is ConstraintNode => c !== undefined);
}

/** The type's own name, lower case, schema left out: `int4`, `varchar`, `timestamptz`, `bigserial`. */
export function typeWord(typeName: TypeNameNode | undefined): string {
  const names = (typeName?.names ?? []).map((n) => (n as { String?: { sval?: string } }).String?.sval ?? '');
  return (names[names.length - 1] ?? '').toLowerCase();
}

/** The integer type modifiers (`varchar(20)` → [20], `numeric(10,2)` → [10, 2]); non-integers as NaN. */
export function typeMods(typeName: TypeNameNode | undefined): number[] {
  return (typeName?.typmods ?? []).map((m) => {
    const ival = (m as { A_Const?: { ival?: { ival?: number } } }).A_Const?.ival;
    return ival ? (ival.ival ?? 0) : NaN;
  });
}

/** Whether the type is an array (`int[]`). */
export function isArray(typeName: TypeNameNode | undefined): boolean {
  return (typeName?.arrayBounds ?? []).length > 0;
}

/**
 * The column's type as written (`numeric(10, 2)`, `timestamp with time zone`):
 * from the type's location to its first constraint, collation or the end of the subcommand.
 */
export function typeSource(statement: LintStatement, def: ColumnDefNode, command: AlterCommand): string {
  const from = def.typeName?.location;
  if (from === undefined) return '';
  const stops = [
    ...constraintsOf(def).map((c) => c.location),
    def.collClause?.location,
    def.raw_default ? firstLocation(def.raw_default) : undefined,
  ].filter((n): n is number => n !== undefined && n > from);
  const end = Math.min(...stops, commandEnd(command) ?? statement.offset + Buffer.byteLength(statement.text));
  const text = sourceBetween(statement, from, end);
  return def.raw_default ? text.replace(/\s+using$/i, '') : text;
}

/** The smallest `location` in a subtree (an expression starts there). */
export function firstLocation(node: unknown): number | undefined {
  let best: number | undefined;
  const visit = (n: unknown): void => {
    if (Array.isArray(n)) n.forEach(visit);
    else if (n && typeof n === 'object')
      for (const [k, v] of Object.entries(n)) {
        if (k === 'location' && typeof v === 'number' && v >= 0) best = best === undefined ? v : Math.min(best, v);
        else visit(v);
      }
  };
  visit(node);
  return best;
}
