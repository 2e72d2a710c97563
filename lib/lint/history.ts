/**
 * What the pending migrations have done so far, as the engine walks them in
 * order: the tables they created (no readers yet, so locking them blocks
 * nobody), the indexes and keys they made, the constraints added NOT VALID
 * in the current script, the validated NOT NULL checks, and whether a
 * lock_timeout is in force in the current script.
 */
import type { Node } from 'libpg-query';
import type { RelationName } from './types';

/** `schema.name`, or `name` alone when no schema was written. */
export function relationKey(r: RelationName): string {
  return r.schema ? `${r.schema}.${r.name}` : r.name;
}

/** A table written without a schema matches the same name in any schema, and the other way round. */
function sameRelation(a: RelationName, b: RelationName): boolean {
  if (a.name !== b.name) return false;
  return a.schema === undefined || b.schema === undefined || a.schema === b.schema;
}

/** The relation a parse-tree `RangeVar` names. */
export function relationOf(rangeVar: unknown): RelationName | undefined {
  const r = rangeVar as { relname?: string; schemaname?: string } | undefined;
  if (!r?.relname) return undefined;
  return r.schemaname ? { schema: r.schemaname, name: r.relname } : { name: r.relname };
}

/** The strings of a list of `String` nodes (column names, qualified names). */
export function namesOf(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((n) => (n as { String?: { sval?: string } }).String?.sval).filter((s): s is string => !!s);
}

interface IndexMade {
  readonly table: RelationName;
  readonly columns: readonly string[];
  /** The index's name: as written, or PostgreSQL's default for a key (`t_pkey`, `t_a_key`). */
  readonly name?: string;
  /** A partial index (WHERE …) serves only some rows: it does not count as leading with its columns. */
  readonly partial?: boolean;
}

/** Whether `columns` are the leading columns of `made`, in any order (equality lookups use them either way). */
function leads(made: IndexMade, columns: readonly string[]): boolean {
  if (made.partial || columns.length === 0 || columns.length > made.columns.length) return false;
  const leading = made.columns.slice(0, columns.length);
  return columns.every((c) => leading.includes(c));
}

/** The running record of the pending migrations, updated after each statement. */
export class History {
  private readonly created: RelationName[] = [];
  private readonly indexes: IndexMade[] = [];
  private readonly notNullChecks: { table: RelationName; column: string }[] = [];
  /** `CHECK (col IS NOT NULL) NOT VALID` by constraint name, across scripts: a later VALIDATE makes it count. */
  private readonly unvalidatedNotNull: { table: RelationName; constraint: string; column: string }[] = [];
  private notValid: { table: RelationName; constraint: string; foreignKey: boolean }[] = [];
  private lockTimeout = false;

  /** A new script starts: its session settings and transaction-local facts start over. */
  startScript(): void {
    this.notValid = [];
    this.lockTimeout = false;
  }

  isNewTable(table: RelationName): boolean {
    return this.created.some((t) => sameRelation(t, table));
  }

  hasIndexLeading(table: RelationName, columns: readonly string[]): boolean {
    return this.indexes.some((i) => sameRelation(i.table, table) && leads(i, columns));
  }

  /** The table of an index the pending migrations made; an index lives in its table's schema. */
  tableOfIndex(index: RelationName): RelationName | undefined {
    const made = this.indexes.find(
      (i) => i.name === index.name && sameRelation({ schema: index.schema, name: i.table.name }, i.table),
    );
    return made?.table;
  }

  addedNotValid(table: RelationName, constraint: string): 'check' | 'foreign-key' | undefined {
    const added = this.notValid.find((c) => sameRelation(c.table, table) && c.constraint === constraint);
    return added && (added.foreignKey ? 'foreign-key' : 'check');
  }

  hasNotNullCheck(table: RelationName, column: string): boolean {
    return this.notNullChecks.some((c) => sameRelation(c.table, table) && c.column === column);
  }

  lockTimeoutInForce(): boolean {
    return this.lockTimeout;
  }

  /** Records what `node` (one statement, already checked by the rules) did. */
  record(node: Node, text: string): void {
    const [kind, body] = Object.entries(node)[0] ?? [];
    const b = body as Record<string, unknown> | undefined;
    if (!b) return;
    if (kind === 'CreateStmt') this.recordCreate(b);
    else if (kind === 'CreateTableAsStmt') this.markCreated(relationOf((b.into as { rel?: unknown })?.rel));
    else if (kind === 'IndexStmt') this.recordIndex(b);
    else if (kind === 'DropStmt' && b.removeType === 'OBJECT_INDEX') this.recordDropIndex(b);
    else if (kind === 'AlterTableStmt') this.recordAlter(b);
    else if (kind === 'RenameStmt') this.recordRename(b);
    else if (kind === 'VariableSetStmt' && b.name === 'lock_timeout') this.lockTimeout = b.kind !== 'VAR_RESET';
    else if (/set_config\s*\(\s*'lock_timeout'/i.test(text)) this.lockTimeout = true;
  }

  /** A new table renamed is still new, under its new name. */
  private recordRename(b: Record<string, unknown>): void {
    const table = relationOf(b.relation);
    if (b.renameType !== 'OBJECT_TABLE' || !table || !this.isNewTable(table) || typeof b.newname !== 'string') return;
    this.markCreated(table.schema ? { schema: table.schema, name: b.newname } : { name: b.newname });
  }

  private markCreated(table: RelationName | undefined): void {
    if (table) this.created.push(table);
  }

  private recordCreate(b: Record<string, unknown>): void {
    const table = relationOf(b.relation);
    if (!table) return;
    this.markCreated(table);
    for (const element of (b.tableElts as unknown[]) ?? []) {
      const constraint = (element as { Constraint?: Record<string, unknown> }).Constraint;
      if (constraint) this.recordKey(table, constraint, []);
      this.recordColumnKeys(table, element);
    }
  }

  /** A column's own PRIMARY KEY / UNIQUE (`id int PRIMARY KEY`, `ADD COLUMN code text UNIQUE`). */
  private recordColumnKeys(table: RelationName, element: unknown): void {
    const column = (element as { ColumnDef?: { colname?: string; constraints?: unknown[] } }).ColumnDef;
    for (const c of column?.constraints ?? []) {
      const inner = (c as { Constraint?: Record<string, unknown> }).Constraint;
      if (inner && column?.colname) this.recordKey(table, inner, [column.colname]);
    }
  }

  /** A PRIMARY KEY or UNIQUE constraint makes an index on its columns. */
  private recordKey(table: RelationName, c: Record<string, unknown>, columnOf: string[]): void {
    if (c.contype !== 'CONSTR_PRIMARY' && c.contype !== 'CONSTR_UNIQUE') return;
    const keys = namesOf(c.keys);
    const columns = keys.length > 0 ? keys : columnOf;
    const suffix = c.contype === 'CONSTR_PRIMARY' ? 'pkey' : `${columns.join('_')}_key`;
    const name = typeof c.conname === 'string' ? c.conname : `${table.name}_${suffix}`;
    this.indexes.push({ table, columns, name });
  }

  private recordIndex(b: Record<string, unknown>): void {
    const table = relationOf(b.relation);
    if (!table) return;
    const columns = ((b.indexParams as unknown[]) ?? []).map(
      (p) => (p as { IndexElem?: { name?: string } }).IndexElem?.name ?? '',
    );
    const name = typeof b.idxname === 'string' ? b.idxname : undefined;
    this.indexes.push({ table, columns, ...(name ? { name } : {}), ...(b.whereClause ? { partial: true } : {}) });
  }

  /** `DROP INDEX a, s.b`: those indexes no longer serve lookups. */
  private recordDropIndex(b: Record<string, unknown>): void {
    for (const object of (b.objects as unknown[]) ?? []) {
      const parts = namesOf((object as { List?: { items?: unknown } }).List?.items);
      const name = parts[parts.length - 1];
      const schema = parts.length > 1 ? parts[parts.length - 2] : undefined;
      const dropped = this.tableOfIndex(schema ? { schema, name: name ?? '' } : { name: name ?? '' });
      if (dropped)
        this.indexes.splice(
          this.indexes.findIndex((i) => i.name === name && i.table === dropped),
          1,
        );
    }
  }

  private recordAlter(b: Record<string, unknown>): void {
    const table = relationOf(b.relation);
    if (!table) return;
    for (const cmd of (b.cmds as unknown[]) ?? []) {
      const c = (cmd as { AlterTableCmd?: Record<string, unknown> }).AlterTableCmd;
      if (c?.subtype === 'AT_ValidateConstraint') this.recordValidate(table, String(c.name));
      const constraint = (c?.def as { Constraint?: Record<string, unknown> } | undefined)?.Constraint;
      if (c?.subtype === 'AT_AddColumn') this.recordColumnKeys(table, c.def);
      if (c?.subtype !== 'AT_AddConstraint' || !constraint) continue;
      this.recordKey(table, constraint, []);
      if (constraint.skip_validation && typeof constraint.conname === 'string')
        this.notValid.push({
          table,
          constraint: constraint.conname,
          foreignKey: constraint.contype === 'CONSTR_FOREIGN',
        });
      const column = notNullTarget(constraint);
      if (column && !constraint.skip_validation) this.notNullChecks.push({ table, column });
      else if (column)
        this.unvalidatedNotNull.push({ table, column, constraint: checkName(table, column, constraint) });
    }
  }

  /** VALIDATE CONSTRAINT of a NOT VALID `CHECK (col IS NOT NULL)`, in this script or a later one: now it counts. */
  private recordValidate(table: RelationName, constraint: string): void {
    for (const c of this.unvalidatedNotNull)
      if (c.constraint === constraint && sameRelation(c.table, table))
        this.notNullChecks.push({ table, column: c.column });
  }
}

/** The name a CHECK gets: its own, or the one PostgreSQL chooses (`table_column_check`). */
function checkName(table: RelationName, column: string, constraint: Record<string, unknown>): string {
  if (typeof constraint.conname === 'string') return constraint.conname;
  const chosen = constraint.contype === 'CONSTR_NOTNULL' ? 'not_null' : 'check';
  return `${table.name}_${column}_${chosen}`;
}

/**
 * The column a constraint proves NOT NULL once valid: a `CHECK (col IS NOT NULL)`,
 * or PostgreSQL 18's table-level `NOT NULL col` (`ADD CONSTRAINT c NOT NULL col NOT VALID`).
 */
function notNullTarget(constraint: Record<string, unknown>): string | undefined {
  if (constraint.contype !== 'CONSTR_NOTNULL') return notNullColumn(constraint);
  const keys = namesOf(constraint.keys);
  return keys.length === 1 ? keys[0] : undefined;
}

/** The column of a `CHECK (col IS NOT NULL)`, or undefined. */
export function notNullColumn(constraint: Record<string, unknown>): string | undefined {
  if (constraint.contype !== 'CONSTR_CHECK') return undefined;
  const test = (constraint.raw_expr as { NullTest?: { arg?: unknown; nulltesttype?: string } })?.NullTest;
  if (test?.nulltesttype !== 'IS_NOT_NULL') return undefined;
  const fields = namesOf((test.arg as { ColumnRef?: { fields?: unknown } })?.ColumnRef?.fields);
  return fields.length === 1 ? fields[0] : undefined;
}
