/**
 * diesel: one folder per migration, `<version>_<name>/up.sql` and
 * `down.sql`, the version the folder name up to its first `_`; diesel
 * records it in `__diesel_schema_migrations.version` without its dashes
 * (`2017-12-06-180925` → `20171206180925`), which is also the tidemark
 * version. `metadata.toml` with `run_in_transaction = false` makes both
 * scripts no-transaction. A missing `down.sql` is written irreversible.
 */
import { baseName, checkVersion, folderOf, ResultBuilder, tidemarkName, textOf } from './common';
import type { ForeignScript, ReadResult, SourceFile } from './types';

const FOLDER = /^([\d-]+)_(.*)$/;

interface Entry {
  up?: SourceFile;
  down?: SourceFile;
  metadata?: SourceFile;
}

export function readDiesel(files: readonly SourceFile[]): ReadResult {
  const out = new ResultBuilder();
  const folders = collect(files, out);
  const seen = new Map<string, string>();
  for (const [folder, entry] of folders) {
    const match = FOLDER.exec(baseName(folder));
    if (!match) {
      if (entry.up || entry.down)
        out.problem(folder || '.', 'not a diesel migration folder: expected <version>_<name>');
      continue;
    }
    const version = match[1].replace(/-/g, '');
    const problem = checkVersion(folder, version);
    if (problem) {
      out.problems.push(problem);
      continue;
    }
    if (seen.has(version)) {
      out.problem(folder, `version ${version} is also ${seen.get(version)}`);
      continue;
    }
    seen.set(version, folder);
    if (!entry.up) {
      out.problem(folder, 'no up.sql');
      continue;
    }
    const noTransaction = entry.metadata
      ? /^\s*run_in_transaction\s*=\s*false\s*$/m.test(textOf(entry.metadata) ?? '')
      : false;
    const up = script(entry.up, noTransaction, out);
    const down = entry.down ? script(entry.down, noTransaction, out) : null;
    if (up === null || (entry.down && down === null)) continue;
    out.migrations.push({
      sourceVersion: version,
      version,
      rawName: tidemarkName(match[2]),
      sourceFiles: [entry.up, entry.down, entry.metadata].filter((f) => f !== undefined).map((f) => f.path),
      up,
      down,
    });
  }
  return out.result();
}

function script(file: SourceFile, noTransaction: boolean, out: ResultBuilder): ForeignScript | null {
  const sql = out.text(file);
  return sql === null ? null : { sql, noTransaction, file: file.path };
}

function collect(files: readonly SourceFile[], out: ResultBuilder): Map<string, Entry> {
  const folders = new Map<string, Entry>();
  for (const file of files) {
    const folder = folderOf(file.path);
    const base = baseName(file.path);
    const slot = base === 'up.sql' ? 'up' : base === 'down.sql' ? 'down' : base === 'metadata.toml' ? 'metadata' : null;
    if (slot === null) {
      if (/\.sql$/i.test(base))
        out.problem(file.path, 'not a diesel script: expected <version>_<name>/up.sql or down.sql');
      continue;
    }
    const entry = folders.get(folder) ?? {};
    entry[slot] = file;
    folders.set(folder, entry);
  }
  return folders;
}
