/**
 * The mapping `tidemark import` writes beside the pairs
 * (`<dir>/tidemark-import.json`, /work/notes/import-contract.md): which
 * tidemark version each of the tool's migrations became, and the tool's own
 * checksum of its file. `adopt` reads it to map history rows to pairs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ForeignTool } from '../db/foreign-history';
import { ConfigError } from '../errors';

export const MAPPING_FILE = 'tidemark-import.json';

export interface MappedMigration {
  /** The tidemark version written. */
  readonly version: bigint;
  readonly name: string;
  /** The version as the tool records it in its history table (node-pg-migrate: the file name). */
  readonly sourceVersion: string;
  readonly sourceFiles: readonly string[];
  /** The tool's checksum of the source file, computed by import; null when the tool keeps none. */
  readonly checksum: number | string | null;
}

export interface ImportMapping {
  readonly file: string;
  readonly tool: ForeignTool;
  /** The tool's folder, absolute (resolved from the mapping file's folder). */
  readonly source: string;
  readonly migrations: readonly MappedMigration[];
  readonly unsupported: readonly { readonly file: string; readonly reason: string }[];
}

const fail = (file: string, what: string) =>
  new ConfigError(
    `${file}: ${what}. This file is written by \`tidemark import --from TOOL SRC --dir DIR\`: run it again.`,
    { file },
  );

function migrationOf(file: string, tool: ForeignTool, raw: unknown, i: number): MappedMigration {
  const m = raw as Record<string, unknown>;
  const where = `migrations[${i}]`;
  if (typeof m !== 'object' || m === null) throw fail(file, `${where} is not an object`);
  if (typeof m.version !== 'string' || !/^\d+$/.test(m.version))
    throw fail(file, `${where}.version is not a string of digits`);
  if (typeof m.name !== 'string') throw fail(file, `${where}.name is not a string`);
  if (typeof m.sourceVersion !== 'string' || m.sourceVersion === '')
    throw fail(file, `${where}.sourceVersion is missing`);
  const checksums = (m.checksums ?? {}) as Record<string, unknown>;
  const checksum = checksums[tool];
  return {
    version: BigInt(m.version),
    name: m.name,
    sourceVersion: m.sourceVersion,
    sourceFiles: Array.isArray(m.sourceFiles) ? m.sourceFiles.map(String) : [],
    checksum: typeof checksum === 'number' || typeof checksum === 'string' ? checksum : null,
  };
}

/**
 * Reads `<dir>/tidemark-import.json`.
 * @throws ConfigError when it is missing, malformed, or written for another tool (exit 2).
 */
export function readImportMapping(dir: string, tool: ForeignTool): ImportMapping {
  const file = path.join(dir, MAPPING_FILE);
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT')
      throw new ConfigError(
        `adopt --from ${tool}: no ${MAPPING_FILE} in ${dir}. Import the ${tool} folder first: \`tidemark import --from ${tool} SRC_DIR --dir ${dir}\`, then adopt with the same --dir.`,
        { file },
      );
    throw fail(file, `not valid JSON (${(err as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null || doc.format !== 1)
    throw fail(file, 'unknown format (expected "format": 1)');
  if (doc.tool !== tool)
    throw new ConfigError(
      `adopt --from ${tool}: ${file} was written by \`tidemark import --from ${String(doc.tool)}\`. Use --from ${String(doc.tool)}, or import the ${tool} folder.`,
      { file },
    );
  if (!Array.isArray(doc.migrations)) throw fail(file, '"migrations" is not a list');
  const unsupported = Array.isArray(doc.unsupported) ? (doc.unsupported as { file: unknown; reason: unknown }[]) : [];
  return {
    file,
    tool,
    source: path.resolve(dir, typeof doc.source === 'string' ? doc.source : '.'),
    migrations: doc.migrations.map((m, i) => migrationOf(file, tool, m, i)),
    unsupported: unsupported.map((u) => ({ file: String(u.file), reason: String(u.reason) })),
  };
}
