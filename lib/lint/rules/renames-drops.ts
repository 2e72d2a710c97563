/**
 * Renames and drops that break the application code still running during
 * the deploy: RENAME COLUMN, ALTER TABLE … RENAME TO, DROP COLUMN, DROP TABLE.
 * Warnings: they are often intended, and the safe way (expand/contract) is a
 * sequence of deploys a linter cannot see — the message says what breaks.
 * A table the pending migrations created has no code using it yet: the
 * engine drops these (they carry the table and its lock).
 */
import { namesOf, relationOf } from '../history';
import type { Hit, LintStatement, RelationName, Rule } from '../types';
import { alterTableOf, commandStart } from './alter-table-columns';
import { findWords, quoteIdent, splitTopLevel, sqlName, tokensOf } from './sql-tokens';

const BREAKS = 'application code still running during the deploy';

interface RenameStmt {
  readonly renameType?: string;
  readonly relationType?: string;
  readonly relation?: unknown;
  readonly subname?: string;
  readonly newname?: string;
}

function renameOf(statement: LintStatement): { rename: RenameStmt; table: RelationName } | undefined {
  const rename = (statement.node as { RenameStmt?: RenameStmt }).RenameStmt;
  const table = relationOf(rename?.relation);
  return rename && table ? { rename, table } : undefined;
}

export const renameColumnRule: Rule = {
  id: 'rename-column',
  family: 'renames-drops',
  severity: 'warning',
  summary: 'ALTER TABLE … RENAME COLUMN: breaks code that uses the old name',
  why:
    `A rename is instant (a brief ACCESS EXCLUSIVE lock), but ${BREAKS} still uses the old name: ` +
    'its queries fail from the moment the migration commits until every instance runs the new code. ' +
    'Expand/contract: add the new column, write both, backfill, switch reads, drop the old one in a later deploy.',
  kinds: ['RenameStmt'],
  check(statement) {
    const found = renameOf(statement);
    if (!found || found.rename.renameType !== 'OBJECT_COLUMN' || found.rename.relationType !== 'OBJECT_TABLE')
      return [];
    const { rename, table } = found;
    const t = sqlName(table);
    const from = quoteIdent(rename.subname ?? '');
    const to = quoteIdent(rename.newname ?? '');
    const rewrite = [
      `-- expand/contract, over several deploys, instead of renaming ${from} in place:`,
      `ALTER TABLE ${t} ADD COLUMN ${to} <the type of ${from}>;`,
      `-- deploy code that writes both ${from} and ${to} (or a trigger that copies ${from} into ${to}), then backfill in batches:`,
      `--   UPDATE ${t} SET ${to} = ${from} WHERE ${to} IS DISTINCT FROM ${from} AND <key range>;`,
      `-- deploy code that reads ${to}; then, in a later migration, when nothing uses ${from}:`,
      `ALTER TABLE ${t} DROP COLUMN ${from};`,
    ].join('\n');
    return [
      {
        location: findWords(tokensOf(statement), 'rename')?.start,
        message: `RENAME COLUMN ${from} TO ${to} on ${t}: ${BREAKS} still uses ${from} and fails`,
        lock: { mode: 'ACCESS EXCLUSIVE', relation: t },
        table,
        rewrite,
      },
    ];
  },
};

export const renameTableRule: Rule = {
  id: 'rename-table',
  family: 'renames-drops',
  severity: 'warning',
  summary: 'ALTER TABLE … RENAME TO: breaks code that uses the old name',
  why:
    `A rename is instant (a brief ACCESS EXCLUSIVE lock), but ${BREAKS} still queries the old name and fails. ` +
    'Rename and leave a view with the old name in the same migration: a simple view is updatable, so old code keeps reading and writing.',
  kinds: ['RenameStmt'],
  check(statement) {
    const found = renameOf(statement);
    if (!found || found.rename.renameType !== 'OBJECT_TABLE') return [];
    const { rename, table } = found;
    const t = sqlName(table);
    const to = quoteIdent(rename.newname ?? '');
    const renamed = table.schema ? `${quoteIdent(table.schema)}.${to}` : to;
    return [
      {
        location: findWords(tokensOf(statement), 'rename')?.start,
        message: `RENAME ${t} TO ${to}: ${BREAKS} still uses ${t} and fails`,
        lock: { mode: 'ACCESS EXCLUSIVE', relation: t },
        table,
        rewrite: [
          `ALTER TABLE ${t} RENAME TO ${to};`,
          `CREATE VIEW ${t} AS SELECT * FROM ${renamed}; -- old code keeps reading and writing through it`,
          `-- in a later migration, when no code uses the old name: DROP VIEW ${t};`,
        ].join('\n'),
      },
    ];
  },
};

export const dropColumnRule: Rule = {
  id: 'drop-column',
  family: 'renames-drops',
  severity: 'warning',
  summary: 'ALTER TABLE … DROP COLUMN: breaks code that still reads or writes it',
  why:
    `DROP COLUMN is instant (a brief ACCESS EXCLUSIVE lock; the space is reclaimed by later rewrites), but ${BREAKS} ` +
    'still reads or writes the column (an ORM selecting every column included) and fails. ' +
    'Contract in two deploys: first ship code that no longer uses it, then drop it.',
  kinds: ['AlterTableStmt'],
  check(statement) {
    const alter = alterTableOf(statement);
    if (!alter || alter.objtype !== 'OBJECT_TABLE') return [];
    const t = sqlName(alter.table);
    return alter.commands.flatMap((command): Hit[] => {
      if (command.subtype !== 'AT_DropColumn' || !command.name) return [];
      const c = quoteIdent(command.name);
      return [
        {
          location: commandStart(command),
          message: `DROP COLUMN ${c} on ${t}: ${BREAKS} that reads or writes ${c} fails`,
          lock: { mode: 'ACCESS EXCLUSIVE', relation: t },
          table: alter.table,
          rewrite: [
            `-- first deploy code that no longer reads or writes ${c} (tell the ORM to ignore it), then, in a later migration:`,
            `ALTER TABLE ${t} DROP COLUMN ${c};`,
          ].join('\n'),
        },
      ];
    });
  },
};

/** The tables of a DROP TABLE, each with where its name starts. */
export function droppedTables(statement: LintStatement): { table: RelationName; location?: number }[] {
  const drop = (statement.node as { DropStmt?: { objects?: unknown[]; removeType?: string } }).DropStmt;
  if (drop?.removeType !== 'OBJECT_TABLE') return [];
  const tables = (drop.objects ?? []).map((o) => {
    const names = namesOf((o as { List?: { items?: unknown } }).List?.items);
    const name = names[names.length - 1] ?? '';
    return names.length > 1 ? { schema: names[names.length - 2], name } : { name };
  });
  const tokens = tokensOf(statement);
  const afterTable = tokens.findIndex((t) => t.word === 'table') + 1;
  const skip = tokens[afterTable]?.word === 'if' ? 2 : 0;
  const parts = splitTopLevel(tokens.slice(afterTable + skip));
  return tables.map((table, i) => ({
    table,
    ...(parts.length === tables.length ? { location: parts[i]?.[0]?.start } : {}),
  }));
}

export const dropTableRule: Rule = {
  id: 'drop-table',
  family: 'renames-drops',
  severity: 'warning',
  summary: 'DROP TABLE: breaks code that still uses it, and the data is gone',
  why:
    `DROP TABLE takes ACCESS EXCLUSIVE (brief) and cannot be rolled back once committed; ${BREAKS} that uses the table fails. ` +
    'Contract in two deploys: first ship code that no longer uses it (keep a backup, or rename it away first), then drop it.',
  kinds: ['DropStmt'],
  check(statement) {
    return droppedTables(statement).map(({ table, location }) => {
      const t = sqlName(table);
      return {
        location,
        message: `DROP TABLE ${t}: ${BREAKS} that uses ${t} fails, and its rows are gone`,
        lock: { mode: 'ACCESS EXCLUSIVE', relation: t },
        table,
        rewrite: [
          `-- first deploy code that no longer uses ${t}; optionally move it aside for a deploy or two:`,
          `--   ALTER TABLE ${t} RENAME TO ${quoteIdent(`${table.name}_retired`)};`,
          '-- then, in a later migration:',
          `DROP TABLE ${t};`,
        ].join('\n'),
      };
    });
  },
};
