/**
 * golang-migrate: `{version}_{title}.up.sql` and `{version}_{title}.down.sql`
 * (its parser: `^([0-9]+)_(.*)\.(down|up)\.(.*)$`, the extension `sql`).
 * The version is the integer `schema_migrations.version` holds. A missing
 * down is written irreversible; a down without its up is refused.
 *
 * Also Authelia's layout, `V0001.Name.<provider>.(up|down).sql`, golang-
 * migrate-like pairs with a dotted name: the `postgres` and `all` files are
 * imported (a version with both is refused), `mysql` and `sqlite` skipped
 * with a note. Authelia records `authelia_migrations.version_after`, the
 * integer: that is the source version.
 */
import { checkVersion, ResultBuilder, tidemarkName } from './common';
import type { ForeignScript, ReadResult, SourceFile } from './types';

const GOLANG = /^(\d+)_(.*)\.(up|down)\.sql$/;
const AUTHELIA = /^V(\d+)\.([^.]+)\.(?:(all|postgres|mysql|sqlite)\.)?(up|down)\.sql$/;

interface Half {
  readonly version: string;
  readonly name: string;
  readonly direction: 'up' | 'down';
  readonly file: SourceFile;
}

export function readGolangMigrate(files: readonly SourceFile[]): ReadResult {
  const out = new ResultBuilder();
  const byVersion = new Map<string, { up?: Half; down?: Half }>();
  for (const file of files) {
    const half = parse(file, out);
    if (half === null) continue;
    const key = BigInt(half.version).toString();
    const entry = byVersion.get(key) ?? {};
    if (entry[half.direction]) {
      out.problem(
        file.path,
        `a second ${half.direction} script for version ${half.version} (${entry[half.direction]?.file.path})`,
      );
      continue;
    }
    entry[half.direction] = half;
    byVersion.set(key, entry);
  }
  for (const [key, { up, down }] of byVersion) {
    if (!up) {
      out.problem(down?.file.path ?? key, 'a down script without its up script');
      continue;
    }
    const upScript = script(up, out);
    const downScript = down ? script(down, out) : null;
    if (upScript === null || (down && downScript === null)) continue;
    out.migrations.push({
      sourceVersion: key,
      version: up.version,
      rawName: up.name,
      sourceFiles: down ? [up.file.path, down.file.path] : [up.file.path],
      up: upScript,
      down: downScript,
    });
  }
  return out.result();
}

function parse(file: SourceFile, out: ResultBuilder): Half | null {
  const base = file.path.slice(file.path.lastIndexOf('/') + 1);
  const golang = GOLANG.exec(base);
  if (golang) return checked(file, golang[1], golang[2], golang[3], out);
  const authelia = AUTHELIA.exec(base);
  if (authelia) {
    const [, version, name, provider, direction] = authelia;
    if (provider === 'mysql' || provider === 'sqlite') {
      out.notes.push(`${file.path}: skipped (Authelia ${provider} script; only postgres and all are imported)`);
      return null;
    }
    return checked(file, version, name, direction, out);
  }
  if (/\.sql$/i.test(base))
    out.problem(file.path, 'not a golang-migrate name: expected <version>_<title>.up.sql or .down.sql');
  else if (/\.go$/.test(base)) out.notes.push(`${file.path}: ignored (Go code; golang-migrate runs SQL files only)`);
  return null;
}

function checked(file: SourceFile, version: string, name: string, direction: string, out: ResultBuilder): Half | null {
  const problem = checkVersion(file.path, version);
  if (problem) {
    out.problems.push(problem);
    return null;
  }
  return { version, name: tidemarkName(name), direction: direction as 'up' | 'down', file };
}

function script(half: Half, out: ResultBuilder): ForeignScript | null {
  const sql = out.text(half.file);
  return sql === null ? null : { sql, noTransaction: false, file: half.file.path };
}
