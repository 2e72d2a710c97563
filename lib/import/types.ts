/**
 * The common model of `tidemark import`: what a tool's reader makes of a
 * source folder (migrations, unsupported files, notes), and the mapping file
 * `tidemark-import.json` written beside the imported pairs (read by `adopt`).
 * Pure types.
 */
import { MIGRATION_TOOLS, type MigrationTool } from '../types';
import type { ForeignChecksums } from './checksums';

/** The tools `import --from` reads. */
export const TOOLS = MIGRATION_TOOLS;
export type Tool = MigrationTool;

/** The mapping file's name, in OUT_DIR. Not a .sql file: the scanner ignores it. */
export const MAPPING_FILE = 'tidemark-import.json';

/** One file of the source folder, as a reader sees it. */
export interface SourceFile {
  /** Relative to SRC_DIR, with `/`. */
  readonly path: string;
  readonly bytes: Buffer;
}

/** One migration as a tool's reader found it, before it is numbered and written. */
export interface ForeignMigration {
  /** The version as the tool records it in its history table (see MappedMigration.sourceVersion). */
  readonly sourceVersion: string;
  /** The tidemark version: digits. Readers of integer-versioned tools give it; Flyway's is mapped later. */
  readonly version: string;
  /** The name, before it is made a valid tidemark name. */
  readonly rawName: string;
  readonly sourceFiles: readonly string[];
  /** The up script, as it will be written (the tool's markers removed). */
  readonly up: ForeignScript;
  /** The down script; null when the tool has none (written as irreversible). */
  readonly down: ForeignScript | null;
  readonly checksums?: ForeignChecksums;
}

/** One script's SQL and whether the tool runs it outside a transaction. */
export interface ForeignScript {
  readonly sql: string;
  readonly noTransaction: boolean;
  /** The source file it comes from (relative to SRC_DIR), for notes. */
  readonly file: string;
  /** 1-based line of the source file where `sql` starts (sections of one file). */
  readonly line?: number;
}

/** A file that cannot be imported, and why. */
export interface Unsupported {
  readonly file: string;
  readonly reason: string;
}

/** A file that is malformed for its tool: always refused (exit 2), `--skip-unsupported` or not. */
export interface Problem {
  readonly file: string;
  readonly line?: number;
  readonly reason: string;
}

/** What a reader gives back. */
export interface ReadResult {
  readonly migrations: ForeignMigration[];
  readonly unsupported: Unsupported[];
  readonly problems: Problem[];
  readonly notes: string[];
}

/** One migration of the mapping file. */
export interface MappedMigration {
  /** The tidemark version written (a string of digits, as in the file name). */
  readonly version: string;
  /** The tidemark name written. */
  readonly name: string;
  /**
   * The version as the tool records it in its history table: flyway `1.2`;
   * golang-migrate, dbmate, goose, sqlx, postgrator, diesel the
   * integer/timestamp as text; node-pg-migrate the file name without its
   * extension (pgmigrations stores names).
   */
  readonly sourceVersion: string;
  /** Relative to the source folder. */
  readonly sourceFiles: readonly string[];
  /** Only the tool's own kind, computed from the up (do) file's bytes; absent when the tool stores none. */
  readonly checksums?: ForeignChecksums;
  readonly irreversible: boolean;
  readonly noTransaction: boolean;
}

/** `tidemark-import.json`. Holds no secrets. */
export interface MappingFile {
  readonly format: 1;
  readonly tool: Tool;
  /** SRC_DIR, relative to OUT_DIR when it can be. */
  readonly source: string;
  readonly migrations: readonly MappedMigration[];
  readonly unsupported: readonly Unsupported[];
  readonly notes: readonly string[];
}
