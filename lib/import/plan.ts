/**
 * From a tool's source files to the pairs to write and the mapping file:
 * read with the tool's reader, number, fix what tidemark would refuse in a
 * transaction, and render each script. Pure: files in, files out.
 */
import { isBlankSql } from '../source/directives';
import { formatFilename } from '../source/filename';
import { readDbmate } from './dbmate';
import { readDiesel } from './diesel';
import { readFlyway } from './flyway';
import { readGolangMigrate } from './golang-migrate';
import { readGoose } from './goose';
import { readNodePgMigrate } from './node-pg-migrate';
import { readPostgrator } from './postgrator';
import { readSqlx } from './sqlx';
import { fixTransactions } from './transactions';
import type {
  ForeignMigration,
  ForeignScript,
  MappedMigration,
  MappingFile,
  Problem,
  ReadResult,
  SourceFile,
  Tool,
  Unsupported,
} from './types';

export interface ImportOptions {
  /** Flyway `${name}` values. */
  readonly placeholders: ReadonlyMap<string, string>;
}

/** One file to write into OUT_DIR. */
export interface OutputFile {
  readonly name: string;
  readonly content: string;
}

export interface ImportPlan {
  readonly tool: Tool;
  readonly migrations: readonly MappedMigration[];
  readonly files: readonly OutputFile[];
  readonly unsupported: readonly Unsupported[];
  /** Malformed source files: always refused. */
  readonly problems: readonly Problem[];
  readonly notes: readonly string[];
}

export function readSource(tool: Tool, files: readonly SourceFile[], options: ImportOptions): ReadResult {
  switch (tool) {
    case 'golang-migrate':
      return readGolangMigrate(files);
    case 'dbmate':
      return readDbmate(files);
    case 'goose':
      return readGoose(files);
    case 'flyway':
      return readFlyway(files, options);
    case 'sqlx':
      return readSqlx(files);
    case 'diesel':
      return readDiesel(files);
    case 'node-pg-migrate':
      return readNodePgMigrate(files);
    case 'postgrator':
      return readPostgrator(files);
  }
}

/** Plans the import of `files` (relative to SRC_DIR) from `tool`. */
export function planImport(tool: Tool, files: readonly SourceFile[], options: ImportOptions): ImportPlan {
  const { read: readable, ignored } = whatTheToolReads(tool, files);
  const read = readSource(tool, readable, options);
  const problems = [...read.problems];
  const notes = [...read.notes];
  if (ignored.length > 0)
    notes.push(
      `${ignored.length} file(s) in subfolders ignored, as ${tool} ignores them (${ignored.slice(0, 3).join(', ')}${ignored.length > 3 ? ', …' : ''})`,
    );
  const migrations: MappedMigration[] = [];
  const out: OutputFile[] = [];
  const taken = new Map<bigint, ForeignMigration>();
  const sorted = [...read.migrations].sort((a, b) => compare(BigInt(a.version), BigInt(b.version)));
  for (const m of sorted) {
    const clash = taken.get(BigInt(m.version));
    if (clash) {
      problems.push({ file: m.sourceFiles[0], reason: `version ${m.version} is also ${clash.sourceFiles[0]}` });
      continue;
    }
    taken.set(BigInt(m.version), m);
    const written = render(tool, m, notes);
    migrations.push(written.mapped);
    out.push(...written.files);
  }
  problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { tool, migrations, files: out, unsupported: read.unsupported, problems, notes };
}

/**
 * The files the tool itself would read: Flyway scans its locations
 * recursively, diesel reads one folder per migration, the others read only
 * the folder itself.
 */
function whatTheToolReads(tool: Tool, files: readonly SourceFile[]): { read: SourceFile[]; ignored: string[] } {
  const depth = tool === 'flyway' ? Infinity : tool === 'diesel' ? 1 : 0;
  const read: SourceFile[] = [];
  const ignored: string[] = [];
  for (const file of files) {
    if (file.path.split('/').length - 1 <= depth) read.push(file);
    else ignored.push(file.path);
  }
  return { read, ignored };
}

function compare(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function render(tool: Tool, m: ForeignMigration, notes: string[]): { mapped: MappedMigration; files: OutputFile[] } {
  const label = `${m.sourceVersion} (${m.sourceFiles[0]})`;
  const up = fixed(fixTransactions(m.up, `${label} up`), notes);
  const down = m.down && fixed(fixTransactions(m.down, `${label} down`), notes);
  const irreversible = down === null || isBlankSql(down.sql);
  if (isBlankSql(up.sql)) notes.push(`${label}: the up script is empty in the source; written as a no-op (SELECT 1)`);
  const from = `-- imported by tidemark import from ${tool}: ${m.sourceFiles.join(', ')}\n`;
  const upText = `${up.noTransaction ? '-- tidemark:no-transaction\n' : ''}${from}${up.sql}${isBlankSql(up.sql) ? '\nSELECT 1; -- empty in the source\n' : ''}`;
  const downText = irreversible
    ? `-- tidemark:irreversible\n${from}-- ${down === null ? `${tool} has no down migration for it` : 'its down migration is empty'}\n${down?.sql ?? ''}`
    : `${down.noTransaction ? '-- tidemark:no-transaction\n' : ''}${from}${down.sql}`;
  if (down === null) notes.push(`${label}: no down migration; written as -- tidemark:irreversible`);
  return {
    mapped: {
      version: m.version,
      name: m.rawName,
      sourceVersion: m.sourceVersion,
      sourceFiles: m.sourceFiles,
      ...(m.checksums ? { checksums: m.checksums } : {}),
      irreversible,
      noTransaction: up.noTransaction,
    },
    files: [
      { name: formatFilename(m.version, m.rawName, 'up'), content: upText },
      { name: formatFilename(m.version, m.rawName, 'down'), content: downText },
    ],
  };
}

function fixed(fix: { script: ForeignScript; note: string | null }, notes: string[]): ForeignScript {
  if (fix.note !== null) notes.push(fix.note);
  return fix.script;
}

/** The mapping file's document. */
export function mappingFile(plan: ImportPlan, source: string): MappingFile {
  return {
    format: 1,
    tool: plan.tool,
    source,
    migrations: plan.migrations,
    unsupported: plan.unsupported,
    notes: plan.notes,
  };
}
