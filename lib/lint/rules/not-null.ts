/**
 * The NOT NULL family: `ADD COLUMN … NOT NULL` without a default (fails on a
 * table with rows), and `ALTER COLUMN … SET NOT NULL` (scans the whole table
 * under ACCESS EXCLUSIVE, unless PostgreSQL 12+ finds a validated
 * `CHECK (col IS NOT NULL)` — recognised across the pending migrations,
 * including a NOT VALID check VALIDATEd in a later one).
 */
import type { Hit, LintContext, LintStatement, RelationName, Rule } from '../types';
import {
  alterTableOf,
  columnDefOf,
  commandStart,
  constraintsOf,
  typeSource,
  typeWord,
  type AlterCommand,
  type ConstraintNode,
} from './alter-table-columns';
import { constraintName, findWords, quoteIdent, sqlName } from './sql-tokens';

const SERIALS = new Set(['serial', 'bigserial', 'smallserial', 'serial2', 'serial4', 'serial8']);

/** A DEFAULT that gives rows a value (not `DEFAULT NULL`). */
function givesValue(c: ConstraintNode): boolean {
  if (c.contype === 'CONSTR_IDENTITY' || c.contype === 'CONSTR_GENERATED') return true;
  if (c.contype !== 'CONSTR_DEFAULT') return false;
  return !(c.raw_expr as { A_Const?: { isnull?: boolean } } | undefined)?.A_Const?.isnull;
}

/**
 * The safe way to make `column` NOT NULL on a table with rows, as SQL for `pgVersion`:
 * a NOT VALID check, validated in a later migration, then SET NOT NULL (12+: no scan).
 */
export function notNullSteps(table: RelationName, column: string, pgVersion: number): string {
  const t = sqlName(table);
  const c = quoteIdent(column);
  const check = constraintName(table, column, 'not_null');
  const lines = [
    `ALTER TABLE ${t} ADD CONSTRAINT ${check} CHECK (${c} IS NOT NULL) NOT VALID;`,
    '-- in a later migration (VALIDATE takes SHARE UPDATE EXCLUSIVE: reads and writes go on):',
    `ALTER TABLE ${t} VALIDATE CONSTRAINT ${check};`,
  ];
  if (pgVersion < 12)
    return [
      ...lines,
      '-- before PostgreSQL 12, SET NOT NULL scans the whole table even with this check under ACCESS EXCLUSIVE:',
      '-- keep the validated CHECK as the guarantee, and SET NOT NULL once on PostgreSQL 12+.',
    ].join('\n');
  return [
    ...lines,
    `ALTER TABLE ${t} ALTER COLUMN ${c} SET NOT NULL; -- PostgreSQL 12+ sees the valid check: no scan`,
    `ALTER TABLE ${t} DROP CONSTRAINT ${check};`,
    ...(pgVersion >= 18
      ? [
          `-- PostgreSQL 18+ can also do it without the CHECK: ALTER TABLE ${t} ADD CONSTRAINT ${check} NOT NULL ${c} NOT VALID;`,
          `-- then, in a later migration: ALTER TABLE ${t} VALIDATE CONSTRAINT ${check};`,
        ]
      : []),
  ].join('\n');
}

function requiredColumnHit(statement: LintStatement, command: AlterCommand, table: RelationName, pg: number) {
  const def = columnDefOf(command);
  if (command.subtype !== 'AT_AddColumn' || !def?.colname) return undefined;
  const constraints = constraintsOf(def);
  const notNull = constraints.find((c) => c.contype === 'CONSTR_NOTNULL' || c.contype === 'CONSTR_PRIMARY');
  if (!notNull || constraints.some(givesValue) || SERIALS.has(typeWord(def.typeName))) return undefined;
  const t = sqlName(table);
  const column = quoteIdent(def.colname);
  const type = typeSource(statement, def, command);
  const rewrite = [
    '-- add it nullable (a brief ACCESS EXCLUSIVE lock, no rewrite):',
    `ALTER TABLE ${t} ADD COLUMN ${column} ${type};`,
    '-- backfill in batches, outside this migration\'s transaction (a "-- tidemark:no-transaction" migration):',
    `--   UPDATE ${t} SET ${column} = … WHERE ${column} IS NULL AND <key range>;`,
    notNullSteps(table, def.colname, pg),
    ...(pg >= 11
      ? [
          `-- or, when one constant fits every existing row (PostgreSQL 11+ stores it in the catalog, no rewrite):`,
          `--   ALTER TABLE ${t} ADD COLUMN ${column} ${type} NOT NULL DEFAULT <constant>;`,
        ]
      : []),
  ].join('\n');
  return {
    location: notNull.location,
    message: `ADD COLUMN ${column} ${type} NOT NULL without a default on ${t}: fails as soon as the table has a row (each would be NULL)`,
    lock: { mode: 'ACCESS EXCLUSIVE', relation: t },
    table,
    rewrite,
  } satisfies Hit;
}

export const addColumnNotNullRule: Rule = {
  id: 'add-column-not-null-without-default',
  family: 'not-null',
  severity: 'error',
  summary: 'ADD COLUMN … NOT NULL (or PRIMARY KEY) without a DEFAULT on an existing table',
  why:
    'ADD COLUMN takes an ACCESS EXCLUSIVE lock on the table (blocks reads and writes until the transaction ends). ' +
    'With NOT NULL and no default every existing row would hold NULL, so on a table with rows the statement fails ' +
    '("column … contains null values") and the deploy stops; application code still running that inserts without the column fails too. ' +
    'Add the column nullable, backfill, then enforce NOT NULL with a validated CHECK.',
  kinds: ['AlterTableStmt'],
  check(statement, context) {
    const alter = alterTableOf(statement);
    if (!alter || alter.objtype !== 'OBJECT_TABLE') return [];
    return alter.commands.flatMap((command) => {
      const hit = requiredColumnHit(statement, command, alter.table, context.pgVersion);
      return hit ? [hit] : [];
    });
  },
};

function setNotNullHit(command: AlterCommand, table: RelationName, context: LintContext): Hit | undefined {
  if (command.subtype !== 'AT_SetNotNull' || !command.name) return undefined;
  const hasCheck = context.hasNotNullCheck(table, command.name);
  if (hasCheck && context.pgVersion >= 12) return undefined;
  const t = sqlName(table);
  const c = quoteIdent(command.name);
  const reason = hasCheck
    ? `before PostgreSQL 12 (running ${context.pgVersion}) it scans even with the validated CHECK (${c} IS NOT NULL)`
    : `no validated CHECK (${c} IS NOT NULL) on it was found`;
  return {
    location: findWords(command.tokens ?? [], 'set', 'not', 'null')?.start ?? commandStart(command),
    message: `SET NOT NULL on ${t}.${c} scans the whole table under ACCESS EXCLUSIVE: ${reason}`,
    lock: { mode: 'ACCESS EXCLUSIVE', relation: t },
    table,
    rewrite: notNullSteps(table, command.name, context.pgVersion),
  };
}

export const setNotNullRule: Rule = {
  id: 'set-not-null-scan',
  family: 'not-null',
  severity: 'error',
  summary: 'ALTER COLUMN … SET NOT NULL on an existing table without a validated CHECK (col IS NOT NULL)',
  why:
    'SET NOT NULL holds an ACCESS EXCLUSIVE lock (blocks reads and writes) while it reads every row to prove none is NULL: ' +
    'minutes on a big table. On PostgreSQL 12+ it skips the scan when a validated CHECK (col IS NOT NULL) exists, ' +
    'and that check can be added NOT VALID and validated under SHARE UPDATE EXCLUSIVE, which lets reads and writes go on.',
  kinds: ['AlterTableStmt'],
  check(statement, context) {
    const alter = alterTableOf(statement);
    if (!alter || alter.objtype !== 'OBJECT_TABLE') return [];
    return alter.commands.flatMap((command) => {
      const hit = setNotNullHit(command, alter.table, context);
      return hit ? [hit] : [];
    });
  },
};
