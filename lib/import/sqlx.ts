/**
 * sqlx: `<version>_<description>.sql` (a simple migration, no down) or
 * `<version>_<description>.up.sql` + `.down.sql` (reversible); the version
 * an i64 above 0, as `_sqlx_migrations.version` holds it. A script whose
 * first bytes are `-- no-transaction` runs outside a transaction (sqlx's
 * marker). The checksum is sqlx's SHA-384 of the up file's bytes.
 */
import { foreignChecksum } from './checksums';
import { checkVersion, ResultBuilder, tidemarkName } from './common';
import type { ForeignScript, ReadResult, SourceFile } from './types';

const NAME = /^(\d+)_(.*?)(\.up|\.down)?\.sql$/;

interface Entry {
  name: string;
  version: string;
  up?: SourceFile;
  down?: SourceFile;
}

export function readSqlx(files: readonly SourceFile[]): ReadResult {
  const out = new ResultBuilder();
  const byVersion = new Map<string, Entry>();
  for (const file of files) {
    const base = file.path.slice(file.path.lastIndexOf('/') + 1);
    const match = NAME.exec(base);
    if (!match) {
      if (/\.sql$/i.test(base)) out.problem(file.path, 'not a sqlx name: expected <version>_<description>.sql');
      continue;
    }
    const [, version, description, suffix] = match;
    const problem =
      checkVersion(file.path, version) ??
      (BigInt(version) === 0n ? { file: file.path, reason: 'sqlx versions start at 1' } : null);
    if (problem) {
      out.problems.push(problem);
      continue;
    }
    const key = BigInt(version).toString();
    const entry = byVersion.get(key) ?? { name: description, version };
    const slot = suffix === '.down' ? 'down' : 'up';
    if (entry[slot]) {
      out.problem(file.path, `version ${key} is also ${entry[slot]?.path}`);
      continue;
    }
    entry[slot] = file;
    byVersion.set(key, entry);
  }
  for (const [key, entry] of byVersion) {
    if (!entry.up) {
      out.problem(entry.down?.path ?? key, 'a .down.sql without its .up.sql');
      continue;
    }
    const up = script(entry.up, out);
    const down = entry.down ? script(entry.down, out) : null;
    if (up === null || (entry.down && down === null)) continue;
    out.migrations.push({
      sourceVersion: key,
      version: entry.version,
      rawName: tidemarkName(entry.name),
      sourceFiles: entry.down ? [entry.up.path, entry.down.path] : [entry.up.path],
      up,
      down,
      checksums: foreignChecksum('sqlx', entry.up.bytes),
    });
  }
  return out.result();
}

function script(file: SourceFile, out: ResultBuilder): ForeignScript | null {
  const sql = out.text(file);
  if (sql === null) return null;
  // sqlx checks the file's first bytes, BOM included: a BOM turns the marker off.
  const bom = file.bytes[0] === 0xef && file.bytes[1] === 0xbb && file.bytes[2] === 0xbf;
  return { sql, noTransaction: !bom && sql.startsWith('-- no-transaction'), file: file.path };
}
