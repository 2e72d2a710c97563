/**
 * dbmate: `<version>_<name>.sql` (the version: the leading digits, as
 * `schema_migrations.version` holds them), one file holding a
 * `-- migrate:up` section and a `-- migrate:down` section, each with
 * options after the marker (`transaction:false` → no-transaction). dbmate
 * reads from the first up marker to the first down marker as up and the rest
 * as down, so a file with several up or down markers does not run as it
 * reads: it is refused, to be split first. Statements before the up marker
 * are refused, as dbmate refuses them.
 */
import { checkVersion, linesOf, ResultBuilder, tidemarkName } from './common';
import type { ForeignScript, ReadResult, SourceFile } from './types';

const NAME = /^(\d+)_?(.*)\.sql$/;
const UP = /^--\s*migrate:up(\s*$|\s+\S+)/;
const DOWN = /^--\s*migrate:down(\s*$|\s+\S+)/;

export function readDbmate(files: readonly SourceFile[]): ReadResult {
  const out = new ResultBuilder();
  for (const file of files) {
    const base = file.path.slice(file.path.lastIndexOf('/') + 1);
    const match = NAME.exec(base);
    if (!match) {
      if (/\.sql$/i.test(base)) out.problem(file.path, 'not a dbmate name: expected <version>_<name>.sql');
      continue;
    }
    const problem = checkVersion(file.path, match[1]);
    if (problem) {
      out.problems.push(problem);
      continue;
    }
    const text = out.text(file);
    if (text === null) continue;
    const sections = split(file.path, text, out);
    if (sections === null) continue;
    out.migrations.push({
      sourceVersion: match[1],
      version: match[1],
      rawName: tidemarkName(match[2]),
      sourceFiles: [file.path],
      ...sections,
    });
  }
  return out.result();
}

function split(
  file: string,
  text: string,
  out: ResultBuilder,
): { up: ForeignScript; down: ForeignScript | null } | null {
  const lines = linesOf(text);
  const ups = lines.filter((l) => UP.test(l.text));
  const downs = lines.filter((l) => DOWN.test(l.text));
  if (ups.length === 0) return fail(out, file, 'no "-- migrate:up" section (dbmate requires one)');
  if (ups.length > 1 || downs.length > 1) {
    const extra = ups.length > 1 ? ups[1] : downs[1];
    return fail(
      out,
      file,
      'several "-- migrate:up"/"-- migrate:down" sections: dbmate runs everything from the first up marker to the first down marker as up and the rest as down; split the file into one migration per section',
      extra.number,
    );
  }
  const [up] = ups;
  const down = downs[0];
  if (down && down.start < up.start)
    return fail(out, file, '"-- migrate:up" must come before "-- migrate:down"', down.number);
  const before = lines.filter((l) => l.start < up.start && l.text.trim() !== '' && !/^\s*--/.test(l.text));
  if (before.length > 0)
    return fail(out, file, 'statements before "-- migrate:up" (dbmate refuses them)', before[0].number);
  const upSql = text.slice(up.start, down ? down.start : text.length);
  const section = (sql: string, line: number): ForeignScript => {
    const end = sql.indexOf('\n');
    const header = end === -1 ? sql : sql.slice(0, end);
    return {
      sql: end === -1 ? '' : sql.slice(end + 1),
      noTransaction: /(^|\s)transaction:false(\s|$)/.test(header),
      file,
      line: line + 1,
    };
  };
  const upScript = section(upSql, up.number);
  const downScript = down ? section(text.slice(down.start), down.number) : null;
  return { up: upScript, down: downScript };
}

function fail(out: ResultBuilder, file: string, reason: string, line?: number): null {
  out.problem(file, reason, line);
  return null;
}
