/**
 * Column types to prefer, as low-severity hygiene, off by default (turn on
 * in tidemark.config.json: `"lint": {"rules": {"prefer-timestamptz": "on"}}`):
 * each names a type whose later fix is an ALTER COLUMN … TYPE, a table rewrite.
 * Read in CREATE TABLE, ADD COLUMN and ALTER COLUMN … TYPE.
 */
import { namesOf, relationOf } from '../history';
import type { Hit, LintStatement, Rule } from '../types';
import {
  alterTableOf,
  columnDefOf,
  constraintsOf,
  isArray,
  typeMods,
  typeWord,
  type ColumnDefNode,
} from './alter-table-columns';
import { quoteIdent } from './sql-tokens';

interface Column {
  readonly def: ColumnDefNode;
  readonly name: string;
  /** Part of the primary key. */
  readonly key: boolean;
}

/** The columns a statement defines or retypes. */
function columnsOf(statement: LintStatement): Column[] {
  const create = (statement.node as { CreateStmt?: { tableElts?: unknown[]; relation?: unknown } }).CreateStmt;
  if (create && relationOf(create.relation)) {
    const elements = create.tableElts ?? [];
    const keys = elements.flatMap((e) => {
      const c = (e as { Constraint?: { contype?: string; keys?: unknown } }).Constraint;
      return c?.contype === 'CONSTR_PRIMARY' ? namesOf(c.keys) : [];
    });
    return elements.flatMap((e) => {
      const def = (e as { ColumnDef?: ColumnDefNode }).ColumnDef;
      return def?.colname ? [column(def, def.colname, keys.includes(def.colname))] : [];
    });
  }
  return (alterTableOf(statement)?.commands ?? []).flatMap((command) => {
    const def = columnDefOf(command);
    const name = command.subtype === 'AT_AlterColumnType' ? command.name : def?.colname;
    const defines = command.subtype === 'AT_AddColumn' || command.subtype === 'AT_AlterColumnType';
    return defines && def && name ? [column(def, name, false)] : [];
  });
}

function column(def: ColumnDefNode, name: string, tableKey: boolean): Column {
  return { def, name, key: tableKey || constraintsOf(def).some((c) => c.contype === 'CONSTR_PRIMARY') };
}

function typeRule(
  id: string,
  summary: string,
  why: string,
  hitFor: (c: Column) => Omit<Hit, 'location'> | undefined,
): Rule {
  return {
    id,
    family: 'hygiene',
    severity: 'info',
    defaultOff: true,
    summary,
    why,
    kinds: ['CreateStmt', 'AlterTableStmt'],
    check(statement) {
      return columnsOf(statement).flatMap((c) => {
        const hit = isArray(c.def.typeName) ? undefined : hitFor(c);
        return hit ? [{ ...hit, location: c.def.typeName?.location }] : [];
      });
    },
  };
}

export const preferTimestamptzRule = typeRule(
  'prefer-timestamptz',
  'timestamp (without time zone) column: prefer timestamptz',
  'timestamp stores a wall-clock time without its zone: the same value means different instants for sessions in different time zones, ' +
    'and daylight-saving changes make it ambiguous. timestamptz stores an instant (UTC) and costs the same 8 bytes.',
  (c) =>
    typeWord(c.def.typeName) === 'timestamp'
      ? {
          message: `${quoteIdent(c.name)} is timestamp without time zone: prefer timestamptz`,
          rewrite: `${quoteIdent(c.name)} timestamptz`,
        }
      : undefined,
);

export const preferTextRule = typeRule(
  'prefer-text',
  'varchar(n) or char(n) column: prefer text (with a CHECK when the limit matters)',
  'varchar(n) and text are stored alike, but raising or dropping the limit later is an ALTER COLUMN … TYPE (a rewrite when it shrinks); ' +
    'char(n) pads with spaces that comparisons ignore and text casts drop. text with a CHECK (char_length(col) <= n) can be changed with NOT VALID.',
  (c) => {
    const word = typeWord(c.def.typeName);
    const [limit] = typeMods(c.def.typeName);
    const col = quoteIdent(c.name);
    if (word === 'bpchar') return { message: `${col} is char(n): prefer text`, rewrite: `${col} text` };
    if (word !== 'varchar' || limit === undefined) return undefined;
    return {
      message: `${col} is varchar(${limit}): prefer text with a CHECK on its length`,
      rewrite: `${col} text CHECK (char_length(${col}) <= ${limit})`,
    };
  },
);

const SMALL_KEYS = new Set(['int2', 'int4', 'serial', 'serial4', 'smallserial', 'serial2']);

export const preferBigintKeyRule = typeRule(
  'prefer-bigint-key',
  'integer or smallint primary key: prefer bigint (identity)',
  'An integer key runs out at 2,147,483,647 (smallint at 32,767), and widening it later is an ALTER COLUMN … TYPE: ' +
    'a rewrite of the table and of every table whose foreign keys point at it. bigint costs 4 more bytes per row.',
  (c) =>
    c.key && SMALL_KEYS.has(typeWord(c.def.typeName))
      ? {
          message: `primary key ${quoteIdent(c.name)} is ${typeWord(c.def.typeName)}: prefer bigint`,
          rewrite: `${quoteIdent(c.name)} bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY`,
        }
      : undefined,
);

const SERIALS = new Set(['serial', 'serial4', 'bigserial', 'serial8', 'smallserial', 'serial2']);

export const preferIdentityRule = typeRule(
  'prefer-identity',
  'serial / bigserial column: prefer GENERATED … AS IDENTITY',
  'serial is a default on a separately owned sequence: permissions, dumps and copies of the table (CREATE TABLE … LIKE) treat the two apart. ' +
    'An identity column (SQL standard, PostgreSQL 10+) ties the sequence to the column, and GENERATED ALWAYS refuses stray explicit values.',
  (c) =>
    SERIALS.has(typeWord(c.def.typeName)) && (c.def.typeName?.names ?? []).length === 1
      ? {
          message: `${quoteIdent(c.name)} is ${typeWord(c.def.typeName)}: prefer an identity column`,
          rewrite: `${quoteIdent(c.name)} bigint GENERATED ALWAYS AS IDENTITY`,
        }
      : undefined,
);
