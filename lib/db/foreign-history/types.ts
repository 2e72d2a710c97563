/**
 * The history tables of the tools `tidemark adopt` takes over, as read: one
 * row per row of the other tool's table, in the tool's own order, with what
 * the row says about its migration. What the rows mean together (the latest
 * goose row wins, a Flyway undo cancels an apply, golang-migrate's one row
 * stands for every file up to it) is decided in migrator/adopt-history.ts.
 */

import { MIGRATION_TOOLS, type MigrationTool } from '../../types';

/** The tools whose history `adopt --from` reads. */
export const FOREIGN_TOOLS = MIGRATION_TOOLS;
export type ForeignTool = MigrationTool;

/** The table each tool creates by default (in the connection's current schema; node-pg-migrate: public). */
export const DEFAULT_HISTORY_TABLES: Readonly<Record<ForeignTool, string>> = {
  'golang-migrate': 'schema_migrations',
  dbmate: 'schema_migrations',
  goose: 'goose_db_version',
  flyway: 'flyway_schema_history',
  sqlx: '_sqlx_migrations',
  diesel: '__diesel_schema_migrations',
  'node-pg-migrate': 'public.pgmigrations',
  postgrator: 'schemaversion',
};

/**
 * What one row records:
 * - `applied`: the migration ran (and succeeded, where the tool says so);
 * - `dirty`: golang-migrate's `dirty = true`, a migration that failed half-way;
 * - `failed`: Flyway's or sqlx's `success = false`;
 * - `rolled-back`: goose's `is_applied = false`, a down that ran;
 * - `undone`: a Flyway `UNDO_*` row; `deleted`: a Flyway `DELETE` row (repair of a missing migration);
 * - `baseline`: a Flyway `BASELINE` row, everything up to its version counts as there;
 * - `repeatable`: a Flyway repeatable migration (no version);
 * - `bookkeeping`: a row the tool writes for itself (goose's and postgrator's version 0, Flyway's `SCHEMA`).
 */
export type ForeignRowKind =
  | 'applied'
  | 'dirty'
  | 'failed'
  | 'rolled-back'
  | 'undone'
  | 'deleted'
  | 'baseline'
  | 'repeatable'
  | 'bookkeeping';

export interface ForeignRow {
  /** The version as the tool records it (node-pg-migrate: the migration's name). */
  readonly sourceVersion: string;
  readonly kind: ForeignRowKind;
  /** The checksum the tool stored: Flyway's CRC32 (a number), sqlx's SHA-384 and postgrator's MD5 (hex); null when none. */
  readonly checksum: number | string | null;
  readonly appliedAt: Date | null;
  readonly durationMs: number | null;
  /** Flyway's script or a name the tool stored, for messages; null when none. */
  readonly script: string | null;
}

/** A history table: where it is, and its rows in the tool's order. */
export interface ForeignHistory {
  readonly tool: ForeignTool;
  readonly schema: string;
  readonly table: string;
  readonly rows: readonly ForeignRow[];
}
