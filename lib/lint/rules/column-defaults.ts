/**
 * ADD COLUMN that rewrites the table under ACCESS EXCLUSIVE: a volatile
 * default (any default before PostgreSQL 11), a serial or identity column,
 * a STORED generated column. PostgreSQL 11+ stores a non-volatile default
 * in the catalog instead of in every row; 18's VIRTUAL generated columns
 * are computed on read.
 */
import type { Hit, LintStatement, RelationName, Rule } from '../types';
import {
  alterTableOf,
  columnDefOf,
  commandEnd,
  constraintsOf,
  typeSource,
  typeWord,
  type AlterCommand,
  type ColumnDefNode,
  type ConstraintNode,
} from './alter-table-columns';
import { notNullSteps } from './not-null';
import { quoteIdent, sourceBetween, sqlName, tokensOf } from './sql-tokens';
import { volatilityOf, type Volatility } from './volatility';

/** Each ADD COLUMN of an ALTER TABLE on a table, with its definition. */
export function addedColumns(statement: LintStatement) {
  const alter = alterTableOf(statement);
  if (!alter || alter.objtype !== 'OBJECT_TABLE') return [];
  return alter.commands.flatMap((command) => {
    const def = columnDefOf(command);
    return command.subtype === 'AT_AddColumn' && def?.colname
      ? [{ table: alter.table, command, def, column: def.colname }]
      : [];
  });
}

/** The expression of a DEFAULT as written. */
function defaultSource(statement: LintStatement, def: ColumnDefNode, c: ConstraintNode, command: AlterCommand): string {
  const at = c.location ?? 0;
  const from = tokensOf(statement).find((t) => t.start > at)?.start ?? at;
  const stops = constraintsOf(def)
    .map((k) => k.location)
    .concat(def.collClause?.location)
    .filter((n): n is number => n !== undefined && n > at);
  return sourceBetween(statement, from, Math.min(...stops, commandEnd(command) ?? Infinity));
}

/** Why the default rewrites the table. */
function rewriteReason(v: Volatility, pg: number): string {
  if (pg < 11 || v.kind === 'stable')
    return `before PostgreSQL 11 (running ${pg}) every default is written into each row`;
  if (v.kind === 'volatile') return `${v.fn}() is VOLATILE, so each row gets its own value`;
  return `if ${v.fn}() is VOLATILE (tidemark cannot tell without a database: SELECT provolatile FROM pg_proc WHERE proname = '${v.fn}')`;
}

function defaultHit(statement: LintStatement, added: ReturnType<typeof addedColumns>[number], pg: number) {
  const { table, command, def, column } = added;
  const constraints = constraintsOf(def);
  const dflt = constraints.find((c) => c.contype === 'CONSTR_DEFAULT');
  if (!dflt?.raw_expr || (dflt.raw_expr as { A_Const?: { isnull?: boolean } }).A_Const?.isnull) return undefined;
  const volatility = volatilityOf(dflt.raw_expr);
  if (pg >= 11 && volatility.kind === 'stable') return undefined;
  const t = sqlName(table);
  const c = quoteIdent(column);
  const expr = defaultSource(statement, def, dflt, command);
  const type = typeSource(statement, def, command);
  const why = rewriteReason(volatility, pg);
  const rewrite = [
    `ALTER TABLE ${t} ADD COLUMN ${c} ${type};`,
    `ALTER TABLE ${t} ALTER COLUMN ${c} SET DEFAULT ${expr}; -- for new rows only: no rewrite`,
    '-- backfill the existing rows in batches, outside this migration\'s transaction ("-- tidemark:no-transaction"):',
    `--   UPDATE ${t} SET ${c} = ${expr} WHERE ${c} IS NULL AND <key range>;`,
    ...(constraints.some((k) => k.contype === 'CONSTR_NOTNULL') ? [notNullSteps(table, column, pg)] : []),
  ].join('\n');
  return {
    location: pg < 11 || volatility.kind === 'stable' ? dflt.location : volatility.location,
    message: `ADD COLUMN ${c} DEFAULT ${expr} ${pg >= 11 && volatility.kind === 'unknown' ? 'may rewrite' : 'rewrites'} ${t} under ACCESS EXCLUSIVE: ${why}`,
    lock: { mode: 'ACCESS EXCLUSIVE', relation: t },
    table,
    rewrite,
    ...(pg >= 11 && volatility.kind === 'unknown' ? { severity: 'warning' as const } : {}),
  } satisfies Hit;
}

export const volatileDefaultRule: Rule = {
  id: 'add-column-volatile-default',
  family: 'columns',
  severity: 'error',
  summary: 'ADD COLUMN with a volatile DEFAULT (any DEFAULT before PostgreSQL 11): a table rewrite',
  why:
    'ADD COLUMN with a default that must be computed per row (random(), gen_random_uuid(), clock_timestamp(), nextval(): VOLATILE), ' +
    'or with any default before PostgreSQL 11, rewrites every row while holding ACCESS EXCLUSIVE: reads and writes wait for the whole rewrite. ' +
    'A non-volatile default (a constant, now(), CURRENT_TIMESTAMP) is catalog-only on PostgreSQL 11+. ' +
    'An unknown function is reported as a warning: it rewrites only if it is VOLATILE.',
  kinds: ['AlterTableStmt'],
  check(statement, context) {
    return addedColumns(statement).flatMap((added) => {
      const hit = defaultHit(statement, added, context.pgVersion);
      return hit ? [hit] : [];
    });
  },
};

const SERIAL_TYPES: Readonly<Record<string, string>> = {
  smallserial: 'smallint',
  serial2: 'smallint',
  serial: 'integer',
  serial4: 'integer',
  bigserial: 'bigint',
  serial8: 'bigint',
};

function serialRewrite(table: RelationName, column: string, type: string, identity: boolean, pg: number): string {
  const t = sqlName(table);
  const c = quoteIdent(column);
  const seq = quoteIdent(`${table.name}_${column}_seq`);
  const backfill = [
    '-- backfill the existing rows in batches, outside this migration\'s transaction ("-- tidemark:no-transaction"):',
    `--   UPDATE ${t} SET ${c} = nextval('${seq}') WHERE ${c} IS NULL AND <key range>;`,
  ];
  if (!identity)
    return [
      `CREATE SEQUENCE ${seq} AS ${type};`,
      `ALTER TABLE ${t} ADD COLUMN ${c} ${type};`,
      `ALTER TABLE ${t} ALTER COLUMN ${c} SET DEFAULT nextval('${seq}'); -- for new rows only: no rewrite`,
      `ALTER SEQUENCE ${seq} OWNED BY ${t}.${c};`,
      ...backfill,
      notNullSteps(table, column, pg),
    ].join('\n');
  return [
    `CREATE SEQUENCE ${seq} AS ${type}; -- numbers the existing rows`,
    `ALTER TABLE ${t} ADD COLUMN ${c} ${type};`,
    ...backfill,
    notNullSteps(table, column, pg),
    `ALTER TABLE ${t} ALTER COLUMN ${c} ADD GENERATED BY DEFAULT AS IDENTITY; -- catalog only on a NOT NULL column`,
    `SELECT setval(pg_get_serial_sequence('${t}', '${column}'), (SELECT max(${c}) FROM ${t}));`,
    `DROP SEQUENCE ${seq};`,
  ].join('\n');
}

function serialHit(statement: LintStatement, added: ReturnType<typeof addedColumns>[number], pg: number) {
  const { table, command, def, column } = added;
  const word = (def.typeName?.names ?? []).length === 1 ? typeWord(def.typeName) : '';
  const identity = constraintsOf(def).find((c) => c.contype === 'CONSTR_IDENTITY');
  const serialType = SERIAL_TYPES[word];
  if (!serialType && !identity) return undefined;
  const t = sqlName(table);
  const c = quoteIdent(column);
  const type = serialType ?? typeSource(statement, def, command);
  const what = identity ? 'an identity column' : `a ${word} column`;
  return {
    location: identity ? identity.location : def.typeName?.location,
    message: `ADD COLUMN ${c} as ${what} rewrites ${t} under ACCESS EXCLUSIVE: every existing row is numbered from the sequence`,
    lock: { mode: 'ACCESS EXCLUSIVE', relation: t },
    table,
    rewrite: serialRewrite(table, column, type, identity !== undefined, pg),
  } satisfies Hit;
}

export const serialColumnRule: Rule = {
  id: 'add-column-serial-or-identity',
  family: 'columns',
  severity: 'error',
  summary: 'ADD COLUMN of a serial / bigserial / smallserial or GENERATED … AS IDENTITY column on an existing table',
  why:
    'A serial column defaults to nextval() and an identity column draws from its sequence: both are computed per row, ' +
    'so ADD COLUMN rewrites the whole table while holding ACCESS EXCLUSIVE (reads and writes wait). ' +
    'Add a plain column, give new rows their value with SET DEFAULT, backfill in batches, then make it NOT NULL (and identity).',
  kinds: ['AlterTableStmt'],
  check(statement, context) {
    return addedColumns(statement).flatMap((added) => {
      const hit = serialHit(statement, added, context.pgVersion);
      return hit ? [hit] : [];
    });
  },
};

function generatedHit(statement: LintStatement, added: ReturnType<typeof addedColumns>[number], pg: number) {
  const { table, command, def, column } = added;
  const generated = constraintsOf(def).find((c) => c.contype === 'CONSTR_GENERATED' && c.generated_kind !== 'v');
  if (!generated) return undefined;
  const t = sqlName(table);
  const c = quoteIdent(column);
  const type = typeSource(statement, def, command);
  const expr = generated.raw_expr ? sourceOfParenthesised(statement, generated) : '…';
  const rewrite =
    pg >= 18
      ? `-- PostgreSQL 18+: a VIRTUAL generated column is computed on read, no rewrite:\nALTER TABLE ${t} ADD COLUMN ${c} ${type} GENERATED ALWAYS AS (${expr}) VIRTUAL;`
      : [
          `ALTER TABLE ${t} ADD COLUMN ${c} ${type};`,
          `-- keep it computed with a BEFORE INSERT OR UPDATE trigger (NEW.${c} := ${expr} on NEW's columns),`,
          "-- then backfill the existing rows in batches, outside this migration's transaction:",
          `--   UPDATE ${t} SET ${c} = ${expr} WHERE ${c} IS NULL AND <key range>;`,
        ].join('\n');
  return {
    location: generated.location,
    message: `ADD COLUMN ${c} GENERATED ALWAYS AS (…) STORED rewrites ${t} under ACCESS EXCLUSIVE: the value is computed and stored for every row`,
    lock: { mode: 'ACCESS EXCLUSIVE', relation: t },
    table,
    rewrite,
  } satisfies Hit;
}

/** The expression inside `GENERATED ALWAYS AS ( … )`, as written. */
function sourceOfParenthesised(statement: LintStatement, c: ConstraintNode): string {
  const tokens = tokensOf(statement).filter((t) => t.start > (c.location ?? 0));
  const open = tokens.findIndex((t) => t.text === '(');
  let depth = 0;
  for (let i = open; i >= 0 && i < tokens.length; i++) {
    const t = tokens[i];
    if (t?.text === '(') depth++;
    else if (t?.text === ')' && --depth === 0)
      return sourceBetween(statement, tokens[open + 1]?.start ?? 0, tokens[i - 1]?.end ?? 0);
  }
  return '…';
}

export const storedGeneratedRule: Rule = {
  id: 'add-column-stored-generated',
  family: 'columns',
  severity: 'error',
  summary: 'ADD COLUMN … GENERATED ALWAYS AS (…) STORED on an existing table',
  why:
    'A STORED generated column is computed and written for every existing row: ADD COLUMN rewrites the table while holding ACCESS EXCLUSIVE (reads and writes wait). ' +
    'PostgreSQL 18 adds VIRTUAL generated columns (computed on read, no rewrite); before it, add a plain column kept by a trigger and backfill.',
  kinds: ['AlterTableStmt'],
  check(statement, context) {
    return addedColumns(statement).flatMap((added) => {
      const hit = generatedHit(statement, added, context.pgVersion);
      return hit ? [hit] : [];
    });
  },
};
