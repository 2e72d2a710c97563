/**
 * Statements whose reach the migration's author cannot see: `DROP … CASCADE`
 * (drops whatever depends on the object: views, foreign keys of other
 * tables, …), `TRUNCATE … CASCADE` (empties every table that references
 * it, transitively), and `DROP DATABASE`. Errors.
 */
import { relationOf } from '../history';
import type { Hit, LintStatement, Rule } from '../types';
import { alterTableOf } from './alter-table-columns';
import { droppedTables } from './renames-drops';
import { quoteIdent, sqlName, tokensOf, type Token } from './sql-tokens';

/** The last `CASCADE` keyword among `tokens`. */
function cascadeToken(tokens: readonly Token[]): Token | undefined {
  return [...tokens].reverse().find((t) => t.word === 'cascade');
}

/** The statement's text without its `CASCADE` (the RESTRICT form that PostgreSQL refuses when something depends). */
function withoutCascade(statement: LintStatement, cascade: Token | undefined): string {
  if (!cascade) return statement.text;
  const bytes = Buffer.from(statement.text, 'utf8');
  const from = cascade.start - statement.offset;
  const to = cascade.end - statement.offset;
  return `${bytes.toString('utf8', 0, from).trimEnd()}${bytes.toString('utf8', to)}`.trim();
}

function cascadeHit(statement: LintStatement, what: string, cascade = cascadeToken(tokensOf(statement))): Hit {
  const tables = droppedTables(statement);
  const only = tables.length === 1 ? tables[0]?.table : undefined;
  return {
    location: cascade?.start,
    message: `${what} CASCADE also drops every object that depends on it (views, foreign keys of other tables, …), without naming them`,
    ...(only ? { lock: { mode: 'ACCESS EXCLUSIVE' as const, relation: sqlName(only) }, table: only } : {}),
    rewrite: [
      '-- without CASCADE PostgreSQL refuses and names what depends on it: drop or change those explicitly first, then:',
      `${withoutCascade(statement, cascade)};`,
    ].join('\n'),
  };
}

const DROPPED: Readonly<Record<string, string>> = {
  OBJECT_TABLE: 'DROP TABLE',
  OBJECT_VIEW: 'DROP VIEW',
  OBJECT_MATVIEW: 'DROP MATERIALIZED VIEW',
  OBJECT_INDEX: 'DROP INDEX',
  OBJECT_SCHEMA: 'DROP SCHEMA',
  OBJECT_TYPE: 'DROP TYPE',
  OBJECT_DOMAIN: 'DROP DOMAIN',
  OBJECT_FUNCTION: 'DROP FUNCTION',
  OBJECT_EXTENSION: 'DROP EXTENSION',
  OBJECT_SEQUENCE: 'DROP SEQUENCE',
};

export const dropCascadeRule: Rule = {
  id: 'drop-cascade',
  family: 'renames-drops',
  severity: 'error',
  summary: 'DROP … CASCADE (and ALTER TABLE … DROP … CASCADE): drops dependent objects nobody listed',
  why:
    'CASCADE drops every object that depends on the dropped one — views, foreign keys of other tables, functions, columns of other types — ' +
    'each under its own ACCESS EXCLUSIVE lock, and the migration does not say which: a review cannot see what production loses. ' +
    'Without CASCADE PostgreSQL refuses and lists the dependents; drop those explicitly.',
  kinds: ['DropStmt', 'AlterTableStmt', 'DropOwnedStmt'],
  check(statement) {
    const drop = (statement.node as { DropStmt?: { removeType?: string; behavior?: string } }).DropStmt;
    if (drop) {
      if (drop.behavior !== 'DROP_CASCADE') return [];
      const tables = droppedTables(statement).map((d) => sqlName(d.table));
      const verb = DROPPED[drop.removeType ?? ''] ?? 'DROP';
      return [cascadeHit(statement, tables.length ? `${verb} ${tables.join(', ')}` : verb)];
    }
    const owned = (statement.node as { DropOwnedStmt?: { behavior?: string } }).DropOwnedStmt;
    if (owned) return owned.behavior === 'DROP_CASCADE' ? [cascadeHit(statement, 'DROP OWNED')] : [];
    const alter = alterTableOf(statement);
    if (!alter) return [];
    return alter.commands.flatMap((command): Hit[] => {
      if (command.behavior !== 'DROP_CASCADE' || !command.subtype.startsWith('AT_Drop')) return [];
      const what = command.subtype === 'AT_DropColumn' ? 'DROP COLUMN' : 'DROP CONSTRAINT';
      return [cascadeHit(statement, `${what} ${quoteIdent(command.name ?? '')}`, cascadeToken(command.tokens ?? []))];
    });
  },
};

export const truncateCascadeRule: Rule = {
  id: 'truncate-cascade',
  family: 'renames-drops',
  severity: 'error',
  summary: 'TRUNCATE … CASCADE: empties every table that references it',
  why:
    'TRUNCATE … CASCADE also empties every table with a foreign key to the truncated ones, and the tables referencing those, ' +
    'each under ACCESS EXCLUSIVE: data the migration does not name is gone at commit. Name every table to truncate instead.',
  kinds: ['TruncateStmt'],
  check(statement) {
    const truncate = (statement.node as { TruncateStmt?: { relations?: unknown[]; behavior?: string } }).TruncateStmt;
    if (truncate?.behavior !== 'DROP_CASCADE') return [];
    const tables = (truncate.relations ?? []).map((r) => relationOf((r as { RangeVar?: unknown }).RangeVar));
    const names = tables.filter((t) => t !== undefined).map(sqlName);
    const only = tables.length === 1 ? tables[0] : undefined;
    const cascade = cascadeToken(tokensOf(statement));
    return [
      {
        location: cascade?.start,
        message: `TRUNCATE ${names.join(', ')} CASCADE also empties every table that references ${names.length === 1 ? 'it' : 'them'}, transitively`,
        ...(only ? { lock: { mode: 'ACCESS EXCLUSIVE' as const, relation: sqlName(only) }, table: only } : {}),
        rewrite: [
          '-- without CASCADE PostgreSQL refuses and names the referencing tables: list the ones to empty, by name:',
          `${withoutCascade(statement, cascade)};`,
        ].join('\n'),
      },
    ];
  },
};

export const dropDatabaseRule: Rule = {
  id: 'drop-database',
  family: 'renames-drops',
  severity: 'error',
  summary: 'DROP DATABASE in a migration',
  why:
    'DROP DATABASE removes a whole database, irreversibly, and cannot run in a transaction: ' +
    'it has no place in a migration that runs on every environment. Do it by hand, after a backup.',
  kinds: ['DropdbStmt'],
  check(statement) {
    const name = (statement.node as { DropdbStmt?: { dbname?: string } }).DropdbStmt?.dbname ?? '';
    return [
      {
        message: `DROP DATABASE ${quoteIdent(name)}: a migration must not drop a database`,
        rewrite: `-- not in a migration: drop the database by hand, after a backup (pg_dump), outside the deploy.`,
      },
    ];
  },
};
