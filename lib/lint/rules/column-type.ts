/**
 * `ALTER COLUMN … TYPE`: a rewrite of the whole table (and of its indexes)
 * under ACCESS EXCLUSIVE, except the binary-coercible changes PostgreSQL
 * applies in the catalog alone. Which one it is depends on the column's
 * current type, which a static linter does not see: when the new type is the
 * target of such a change the finding is a warning that says so; otherwise an error.
 * (Checked against PostgreSQL 15 by whether `relfilenode` changes: arrays
 * always rewrite, `char(n)` → `text` rewrites, `text` → `citext` does not.)
 */
import type { Hit, LintContext, LintStatement, RelationName, Rule } from '../types';
import {
  alterTableOf,
  columnDefOf,
  isArray,
  typeMods,
  typeSource,
  typeWord,
  type AlterCommand,
  type ColumnDefNode,
} from './alter-table-columns';
import { quoteIdent, sqlName } from './sql-tokens';

/** The binary-coercible changes that end in the new type `def`, in words; undefined when none can. */
export function widenings(def: ColumnDefNode, pgVersion: number): string | undefined {
  if (isArray(def.typeName)) return undefined;
  const word = typeWord(def.typeName);
  const [m, s] = typeMods(def.typeName);
  const zoned = (from: string, to: string) =>
    pgVersion >= 12 ? `; ${from} → ${to} only when the session TimeZone is UTC, so it may rewrite` : '';
  switch (word) {
    case 'varchar':
      return m === undefined ? 'varchar(n) → varchar, text → varchar' : `varchar(n ≤ ${m}) → varchar(${m})`;
    case 'text':
      return 'varchar(n) → text, varchar → text, citext → text';
    case 'citext':
      return 'text → citext, varchar → citext';
    case 'numeric':
      return m === undefined
        ? 'numeric(p, s) → numeric'
        : `numeric(p ≤ ${m}, ${s ?? 0}) → numeric(${m}, ${s ?? 0}) (same scale)`;
    case 'varbit':
      return m === undefined ? 'varbit(n) → varbit' : `varbit(n ≤ ${m}) → varbit(${m})`;
    case 'timestamp':
      return `timestamp(p) → timestamp with more or no precision${zoned('timestamptz', 'timestamp')}`;
    case 'timestamptz':
      return `timestamptz(p) → timestamptz with more or no precision${zoned('timestamp', 'timestamptz')}`;
    case 'time':
    case 'interval':
      return `${word}(p) → ${word} with more or no precision`;
    case 'inet':
      return 'cidr → inet';
    default:
      return undefined;
  }
}

/** A USING expression that computes something other than the column itself (maybe cast). */
function computes(def: ColumnDefNode): boolean {
  const using = def.raw_default as { TypeCast?: { arg?: unknown }; ColumnRef?: unknown } | undefined;
  if (!using) return false;
  const inner = (using.TypeCast?.arg ?? using) as { ColumnRef?: unknown };
  return inner.ColumnRef === undefined;
}

function expandContract(table: RelationName, column: string, type: string, pg: number): string {
  const t = sqlName(table);
  const c = quoteIdent(column);
  const next = quoteIdent(`${column}_new`);
  const old = quoteIdent(`${column}_old`);
  const sync = quoteIdent(`${table.name}_${column}_sync`);
  return [
    '-- expand/contract instead of rewriting in place:',
    `ALTER TABLE ${t} ADD COLUMN ${next} ${type};`,
    `CREATE FUNCTION ${sync}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.${next} := NEW.${c}; RETURN NEW; END $$;`,
    `CREATE TRIGGER ${sync} BEFORE INSERT OR UPDATE ON ${t} FOR EACH ROW EXECUTE ${pg >= 11 ? 'FUNCTION' : 'PROCEDURE'} ${sync}();`,
    '-- backfill in batches, outside this migration\'s transaction ("-- tidemark:no-transaction"):',
    `--   UPDATE ${t} SET ${next} = ${c} WHERE ${next} IS DISTINCT FROM ${c}::${type} AND <key range>;`,
    '-- then, in one short migration once the application reads either name:',
    `ALTER TABLE ${t} RENAME COLUMN ${c} TO ${old};`,
    `ALTER TABLE ${t} RENAME COLUMN ${next} TO ${c};`,
    `DROP TRIGGER ${sync} ON ${t};`,
    `DROP FUNCTION ${sync}();`,
    `-- and drop ${old} in a later deploy, when no code reads it.`,
  ].join('\n');
}

function typeHit(statement: LintStatement, command: AlterCommand, table: RelationName, context: LintContext) {
  const def = columnDefOf(command);
  if (command.subtype !== 'AT_AlterColumnType' || !def || !command.name) return undefined;
  const t = sqlName(table);
  const c = quoteIdent(command.name);
  const type = typeSource(statement, def, command);
  const widening = computes(def) ? undefined : widenings(def, context.pgVersion);
  const base = `ALTER COLUMN ${c} TYPE ${type} on ${t}`;
  const message = widening
    ? `${base} rewrites the table and its indexes under ACCESS EXCLUSIVE unless binary-coercible (${widening}); ` +
      'tidemark cannot see the current type without a database'
    : `${base} rewrites the whole table and its indexes under ACCESS EXCLUSIVE` +
      (computes(def) ? ' (USING computes every row)' : '');
  const check = widening
    ? [
        '-- if the change is binary-coercible, PostgreSQL only updates the catalog (a brief ACCESS EXCLUSIVE); check the current type:',
        `--   SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '${t}'::regclass AND attname = '${command.name}';`,
      ]
    : [];
  return {
    location: def.typeName?.location,
    message,
    lock: { mode: 'ACCESS EXCLUSIVE', relation: t },
    table,
    rewrite: [...check, expandContract(table, command.name, type, context.pgVersion)].join('\n'),
    ...(widening ? { severity: 'warning' as const } : {}),
  } satisfies Hit;
}

export const alterColumnTypeRule: Rule = {
  id: 'alter-column-type',
  family: 'columns',
  severity: 'error',
  summary: 'ALTER COLUMN … TYPE on an existing table: a rewrite unless binary-coercible',
  why:
    'Changing a column type rewrites every row and rebuilds the indexes that use the column while holding ACCESS EXCLUSIVE: ' +
    'reads and writes wait for the whole rewrite. Only binary-coercible changes skip it (varchar(n) → varchar(m > n), varchar → text, ' +
    'numeric(p, s) → numeric(p2 > p, s), cidr → inet; timestamp ↔ timestamptz only with TimeZone UTC on PostgreSQL 12+). ' +
    'Otherwise add a new column, keep it in step with a trigger, backfill, and switch.',
  kinds: ['AlterTableStmt'],
  check(statement, context) {
    const alter = alterTableOf(statement);
    if (!alter || alter.objtype !== 'OBJECT_TABLE') return [];
    return alter.commands.flatMap((command) => {
      const hit = typeHit(statement, command, alter.table, context);
      return hit ? [hit] : [];
    });
  },
};
