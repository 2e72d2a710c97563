/**
 * node-pg-migrate: `<number>_<name>.sql` (the number a timestamp or an
 * index), each file holding `-- Up Migration` and `-- Down Migration`
 * sections (its own regex, `^\s*--[\s-]*(up|down)\s+migration`, any case);
 * without an up marker the whole file is the up. `pgmigrations` records the
 * file name without its extension: that is the source version. JavaScript
 * and TypeScript migrations are unsupported.
 */
import { checkVersion, ResultBuilder, tidemarkName } from './common';
import type { ForeignScript, ReadResult, SourceFile } from './types';

const NAME = /^(\d+)[_-]?(.*)\.sql$/;
const CODE = /\.(js|cjs|mjs|ts|cts|mts|coffee)$/;
const marker = (direction: string) => new RegExp(`^\\s*--[\\s-]*${direction}\\s+migration`, 'im');

export function readNodePgMigrate(files: readonly SourceFile[]): ReadResult {
  const out = new ResultBuilder();
  for (const file of files) {
    const base = file.path.slice(file.path.lastIndexOf('/') + 1);
    if (CODE.test(base) && !base.endsWith('.d.ts')) {
      out.unsupportedFile(
        file.path,
        'JavaScript/TypeScript migration: rewrite it as a .sql migration and import again',
      );
      continue;
    }
    const match = NAME.exec(base);
    if (!match) {
      if (/\.sql$/i.test(base))
        out.problem(file.path, 'does not start with a number (node-pg-migrate names start with a timestamp or index)');
      continue;
    }
    const problem = checkVersion(file.path, match[1]);
    if (problem) {
      out.problems.push(problem);
      continue;
    }
    const text = out.text(file);
    if (text === null) continue;
    out.migrations.push({
      sourceVersion: base.slice(0, -'.sql'.length),
      version: match[1],
      rawName: tidemarkName(match[2]),
      sourceFiles: [file.path],
      ...sections(file.path, text),
    });
  }
  return out.result();
}

function sections(file: string, text: string): { up: ForeignScript; down: ForeignScript | null } {
  const upAt = text.search(marker('up'));
  const downAt = text.search(marker('down'));
  const lineOf = (at: number) => text.slice(0, at).split('\n').length;
  const part = (from: number, other: number) => text.slice(from, other > from ? other : text.length);
  const up: ForeignScript =
    upAt >= 0
      ? { sql: part(upAt, downAt), noTransaction: false, file, line: lineOf(upAt) }
      : { sql: downAt >= 0 ? text.slice(0, downAt) : text, noTransaction: false, file };
  const down: ForeignScript | null =
    downAt >= 0 ? { sql: part(downAt, upAt), noTransaction: false, file, line: lineOf(downAt) } : null;
  return { up, down };
}
