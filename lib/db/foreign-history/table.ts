/** Finding another tool's history table, and checking it is that tool's table. */
import { escapeIdentifier, type Client } from 'pg';
import { ConfigError } from '../../errors';
import { DEFAULT_HISTORY_TABLES, type ForeignTool } from './types';

/** The columns each tool's table has (the ones adopt reads). */
export const REQUIRED_COLUMNS: Readonly<Record<ForeignTool, readonly string[]>> = {
  'golang-migrate': ['version', 'dirty'],
  dbmate: ['version'],
  goose: ['id', 'version_id', 'is_applied', 'tstamp'],
  flyway: [
    'installed_rank',
    'version',
    'description',
    'type',
    'script',
    'checksum',
    'installed_on',
    'execution_time',
    'success',
  ],
  sqlx: ['version', 'description', 'installed_on', 'success', 'checksum', 'execution_time'],
  diesel: ['version', 'run_on'],
  'node-pg-migrate': ['id', 'name', 'run_on'],
  postgrator: ['version', 'name', 'md5', 'run_at'],
};

/** Columns that tell another tool's table apart, for the message when `--from` names the wrong tool. */
const TELLING: readonly [string, string][] = [
  ['dirty', 'golang-migrate'],
  ['version_id', 'goose'],
  ['installed_rank', 'flyway'],
  ['execution_time', 'sqlx'],
  ['md5', 'postgrator'],
];

/** `[schema.]table` as typed → its parts; identifiers are taken as written (no case folding, no quotes). */
export function parseTableName(text: string): { schema: string | null; table: string } {
  const parts = text.split('.');
  if (parts.length > 2 || parts.some((p) => p.length === 0))
    throw new ConfigError(
      `--history-table ${text}: give a table name or schema.table (identifiers as stored, no quotes).`,
    );
  return parts.length === 2 ? { schema: parts[0], table: parts[1] } : { schema: null, table: parts[0] };
}

/**
 * Resolves the history table: a bare name on the session's search_path, as
 * the tools do; `schema.table` as given.
 * @throws ConfigError when there is no such table, or it lacks the tool's columns (exit 2).
 */
export async function findHistoryTable(
  client: Client,
  tool: ForeignTool,
  name: string | undefined,
): Promise<{ schema: string; table: string }> {
  const wanted = parseTableName(name ?? DEFAULT_HISTORY_TABLES[tool]);
  const quoted = `${wanted.schema === null ? '' : `${escapeIdentifier(wanted.schema)}.`}${escapeIdentifier(wanted.table)}`;
  const { rows } = await client.query<{ schema: string; table: string; columns: string[] | null; path: string }>(
    `SELECT n.nspname AS schema, c.relname AS table,
            (SELECT pg_catalog.array_agg(a.attname::pg_catalog.text) FROM pg_catalog.pg_attribute a
              WHERE a.attrelid OPERATOR(pg_catalog.=) c.oid AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped) AS columns,
            pg_catalog.current_setting('search_path') AS path
       FROM (SELECT pg_catalog.to_regclass($1) AS oid) r
       LEFT JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) r.oid
       LEFT JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace`,
    [quoted],
  );
  const found = rows[0];
  if (!found || found.schema === null) throw notFound(tool, wanted, name, found?.path ?? '');
  const columns = found.columns ?? [];
  const missing = REQUIRED_COLUMNS[tool].filter((c) => !columns.includes(c));
  // dbmate's schema_migrations has golang-migrate's `version` too: a column only another tool has tells them apart.
  const foreign = TELLING.filter(([c]) => columns.includes(c) && !REQUIRED_COLUMNS[tool].includes(c));
  if (missing.length > 0 || foreign.length > 0) throw wrongTable(tool, found, missing);
  return { schema: found.schema, table: found.table };
}

function notFound(
  tool: ForeignTool,
  wanted: { schema: string | null; table: string },
  given: string | undefined,
  path: string,
): ConfigError {
  const where = wanted.schema === null ? `on the search_path (${path})` : `in schema ${wanted.schema}`;
  const flag = given === undefined ? `${tool}'s default table` : `--history-table ${given}`;
  return new ConfigError(
    `adopt --from ${tool}: no table ${wanted.table} ${where} (${flag}). Point --history-table at ${tool}'s history table (schema.table), and check --url names the database ${tool} migrated.`,
  );
}

function wrongTable(
  tool: ForeignTool,
  found: { schema: string; table: string; columns: string[] | null },
  missing: string[],
): ConfigError {
  const columns = found.columns ?? [];
  const other = TELLING.find(([column]) => columns.includes(column))?.[1];
  const hint = other && other !== tool ? ` Its columns look like ${other}'s: use --from ${other}.` : '';
  const lacks = missing.length > 0 ? `it has no column ${missing.join(', ')}` : `it has columns ${tool} never creates`;
  return new ConfigError(
    `adopt --from ${tool}: ${found.schema}.${found.table} is not ${tool}'s history table: ${lacks} (it has ${columns.join(', ')}).${hint}`,
  );
}
