/**
 * Flyway: `V<version>__<description>.sql` (versioned) and
 * `U<version>__<description>.sql` (undo, the down). Versions are dotted
 * (`1.2`, `1_2`) and mapped to integers that keep Flyway's order
 * (flyway-versions.ts). Repeatable (`R__`), baseline (`B<version>__`),
 * callback (`beforeMigrate.sql`…) and Java migrations are unsupported.
 * `${placeholders}` are replaced from `--placeholder k=v`; `${flyway:filename}`
 * is the script's file name, as Flyway sets it; any other (`${flyway:defaultSchema}`,
 * `${flyway:user}`…) must be given too, or the import is refused with the
 * list. A `<file>.sql.conf` with `executeInTransaction=false` makes the
 * script no-transaction. The checksum is Flyway's, of the file as it is on
 * disk (placeholders unreplaced, as Flyway computes it).
 */
import { foreignChecksum } from './checksums';
import { ResultBuilder, tidemarkName, textOf } from './common';
import { FLYWAY_VERSION, flywayVersionText, mapFlywayVersions } from './flyway-versions';
import { replacePlaceholders } from './placeholders';
import type { ForeignScript, ReadResult, SourceFile } from './types';

const NAME = /^([VU])([^_]+(?:_\d+)*)__(.*)\.sql$/;
const CALLBACK = /^(before|after)[A-Za-z]*(__.*)?\.sql$/;

export interface FlywayOptions {
  readonly placeholders: ReadonlyMap<string, string>;
}

interface Found {
  readonly version: string;
  readonly description: string;
  v?: SourceFile;
  u?: SourceFile;
}

export function readFlyway(files: readonly SourceFile[], options: FlywayOptions): ReadResult {
  const out = new ResultBuilder();
  const confs = new Map(files.filter((f) => f.path.endsWith('.sql.conf')).map((f) => [f.path.slice(0, -5), f]));
  const found = new Map<string, Found>();
  for (const file of files) collect(file, out, found);
  const versions = [...found.values()];
  const mapping = mapFlywayVersions(versions.map((f) => f.version));
  if (mapping.numbered !== undefined) out.notes.push(mapping.numbered);
  for (const f of versions) {
    if (!f.v) {
      out.problem(f.u?.path ?? f.version, 'an undo (U) migration without its versioned (V) migration');
      continue;
    }
    const up = script(f.v, confs, options, out);
    const down = f.u ? script(f.u, confs, options, out) : null;
    if (up === null || (f.u && down === null)) continue;
    out.migrations.push({
      sourceVersion: flywayVersionText(f.version),
      version: mapping.map.get(f.version) as string,
      rawName: tidemarkName(f.description),
      sourceFiles: f.u ? [f.v.path, f.u.path] : [f.v.path],
      up,
      down,
      checksums: foreignChecksum('flyway', f.v.bytes),
    });
  }
  return out.result();
}

function collect(file: SourceFile, out: ResultBuilder, found: Map<string, Found>): void {
  const base = file.path.slice(file.path.lastIndexOf('/') + 1);
  const reason = unsupportedReason(base);
  if (reason !== null) return out.unsupportedFile(file.path, reason);
  const match = NAME.exec(base);
  if (!match) {
    if (/\.sql$/i.test(base)) out.problem(file.path, 'not a Flyway name: expected V<version>__<description>.sql');
    return;
  }
  const [, prefix, version, description] = match;
  if (!FLYWAY_VERSION.test(version))
    return out.problem(file.path, `version "${version}" is not digits separated by . or _`);
  const key = flywayVersionText(version)
    .split('.')
    .map((p) => BigInt(p).toString())
    .join('.')
    .replace(/(\.0)+$/, '');
  const entry = found.get(key) ?? { version, description };
  const slot = prefix === 'V' ? 'v' : 'u';
  const clash = entry[slot];
  if (clash)
    return out.problem(
      file.path,
      `version ${flywayVersionText(version)} is also ${clash.path} (Flyway refuses it too)`,
    );
  entry[slot] = file;
  found.set(key, entry);
}

function unsupportedReason(base: string): string | null {
  if (/^R__.*\.sql$/.test(base)) return 'repeatable migration: tidemark has none; put it in a versioned migration';
  if (/^B[\d._]+__.*\.sql$/.test(base))
    return 'baseline migration (Flyway Teams): import the versioned migrations instead';
  if (/\.(java|class|kt)$/.test(base)) return 'Java migration: rewrite it in SQL and import again';
  if (CALLBACK.test(base)) return 'callback script: tidemark has no callbacks';
  return null;
}

function script(
  file: SourceFile,
  confs: ReadonlyMap<string, SourceFile>,
  options: FlywayOptions,
  out: ResultBuilder,
): ForeignScript | null {
  const text = out.text(file);
  if (text === null) return null;
  const base = file.path.slice(file.path.lastIndexOf('/') + 1);
  const replaced = replacePlaceholders(text, options.placeholders, { 'flyway:filename': base });
  if (replaced.missing.length > 0) {
    out.problem(
      file.path,
      `placeholders with no value: ${replaced.missing.map((m) => `\${${m.name}} (line ${m.line})`).join(', ')}; give each with --placeholder NAME=VALUE`,
      replaced.missing[0].line,
    );
    return null;
  }
  const conf = confs.get(file.path);
  const confText = conf ? (textOf(conf) ?? '') : '';
  const noTransaction = /^\s*executeInTransaction\s*=\s*false\s*$/m.test(confText);
  return { sql: replaced.text, noTransaction, file: file.path };
}
