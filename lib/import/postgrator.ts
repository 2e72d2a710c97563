/**
 * postgrator: `<version>.do.<name>.sql` and `<version>.undo.<name>.sql` (the
 * name optional: `001.do.sql`); the version the number `schemaversion.version`
 * holds. A missing undo is written irreversible. The checksum is
 * postgrator's MD5 of the do file (without its `newline` option).
 * JavaScript migrations (`.js`, `.cjs`, `.mjs`) are unsupported.
 */
import { foreignChecksum } from './checksums';
import { checkVersion, ResultBuilder, tidemarkName } from './common';
import type { ForeignScript, ReadResult, SourceFile } from './types';

const NAME = /^(\d+)\.(do|undo)(?:\.(.*))?\.sql$/;

interface Entry {
  name: string;
  version: string;
  do?: SourceFile;
  undo?: SourceFile;
}

export function readPostgrator(files: readonly SourceFile[]): ReadResult {
  const out = new ResultBuilder();
  const byVersion = new Map<string, Entry>();
  for (const file of files) {
    const base = file.path.slice(file.path.lastIndexOf('/') + 1);
    if (/^\d+\.(do|undo)\..*\.?[cm]?js$/.test(base)) {
      out.unsupportedFile(file.path, 'JavaScript migration: rewrite it as a .sql migration and import again');
      continue;
    }
    const match = NAME.exec(base);
    if (!match) {
      if (/\.sql$/i.test(base))
        out.problem(file.path, 'not a postgrator name: expected <version>.do.<name>.sql or .undo.');
      continue;
    }
    const [, version, action, name] = match;
    const problem = checkVersion(file.path, version);
    if (problem) {
      out.problems.push(problem);
      continue;
    }
    const key = BigInt(version).toString();
    const entry = byVersion.get(key) ?? { name: name ?? '', version };
    const slot = action as 'do' | 'undo';
    if (entry[slot]) {
      out.problem(file.path, `version ${key} is also ${entry[slot]?.path} (postgrator refuses it too)`);
      continue;
    }
    if (slot === 'do' && name) entry.name = name;
    entry[slot] = file;
    byVersion.set(key, entry);
  }
  for (const [key, entry] of byVersion) add(out, key, entry);
  return out.result();
}

function add(out: ResultBuilder, key: string, entry: Entry): void {
  if (!entry.do) {
    out.problem(entry.undo?.path ?? key, 'an undo script without its do script');
    return;
  }
  const up = script(entry.do, out);
  const down = entry.undo ? script(entry.undo, out) : null;
  if (up === null || (entry.undo && down === null)) return;
  out.migrations.push({
    sourceVersion: key,
    version: entry.version,
    rawName: tidemarkName(entry.name),
    sourceFiles: entry.undo ? [entry.do.path, entry.undo.path] : [entry.do.path],
    up,
    down,
    checksums: foreignChecksum('postgrator', entry.do.bytes),
  });
}

function script(file: SourceFile, out: ResultBuilder): ForeignScript | null {
  const sql = out.text(file);
  return sql === null ? null : { sql, noTransaction: false, file: file.path };
}
