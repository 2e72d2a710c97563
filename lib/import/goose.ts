/**
 * goose: `<version>_<name>.sql` (the version: the digits before the first
 * `_`, as `goose_db_version.version_id` holds them), with `-- +goose Up` and
 * `-- +goose Down` sections. `-- +goose StatementBegin`/`StatementEnd` lines
 * are removed (tidemark's lexer splits function bodies itself);
 * `-- +goose NO TRANSACTION` makes both scripts no-transaction. Go
 * migrations (`.go`) and `-- +goose ENVSUBST ON` files (their text depends on
 * the environment at run time) are unsupported. As goose's parser: comments
 * may precede `-- +goose Up`, statements may not; `Down` comes after `Up`;
 * versions start at 1; any other `-- +goose …` line is a comment to goose,
 * kept as one, with a note.
 */
import { checkVersion, linesOf, ResultBuilder, tidemarkName } from './common';
import type { ForeignScript, ReadResult, SourceFile } from './types';

const NAME = /^(\d+)_(.*)\.sql$/;
const ANNOTATION = /^\s*--\s*\+goose\s+(.*?)\s*$/;

export function readGoose(files: readonly SourceFile[]): ReadResult {
  const out = new ResultBuilder();
  for (const file of files) {
    const base = file.path.slice(file.path.lastIndexOf('/') + 1);
    if (/^\d+_.*\.go$/.test(base)) {
      out.unsupportedFile(file.path, 'Go migration: rewrite it in SQL (goose -dir … create NAME sql) and import again');
      continue;
    }
    const match = NAME.exec(base);
    if (!match) {
      if (/\.sql$/i.test(base)) out.problem(file.path, 'not a goose name: expected <version>_<name>.sql');
      continue;
    }
    const problem =
      checkVersion(file.path, match[1]) ??
      (BigInt(match[1]) === 0n ? { file: file.path, reason: 'goose versions start at 1' } : null);
    if (problem) {
      out.problems.push(problem);
      continue;
    }
    const text = out.text(file);
    if (text === null) continue;
    const parsed = sections(file.path, text, out);
    if (parsed === null) continue;
    out.migrations.push({
      sourceVersion: BigInt(match[1]).toString(),
      version: match[1],
      rawName: tidemarkName(match[2]),
      sourceFiles: [file.path],
      ...parsed,
    });
  }
  return out.result();
}

type Section = 'none' | 'up' | 'down';

function sections(
  file: string,
  text: string,
  out: ResultBuilder,
): { up: ForeignScript; down: ForeignScript | null } | null {
  const body: Record<Section, string[]> = { none: [], up: [], down: [] };
  const first: Record<Section, number> = { none: 1, up: 0, down: 0 };
  let section: Section = 'none';
  let noTransaction = false;
  for (const line of linesOf(text)) {
    const annotation = ANNOTATION.exec(line.text)?.[1].toLowerCase();
    if (annotation === undefined) {
      body[section].push(line.text);
      continue;
    }
    body[section].push(''); // the annotation's line stays, blank: line numbers hold
    if (annotation === 'up' || annotation === 'down') {
      if (first[annotation] !== 0) return fail(out, file, `a second "-- +goose ${annotation}"`, line.number);
      if (annotation === 'down' && first.up === 0)
        return fail(out, file, '"-- +goose Down" before "-- +goose Up"', line.number);
      section = annotation;
      first[section] = line.number + 1;
      continue;
    }
    if (annotation === 'no transaction') noTransaction = true;
    else if (annotation === 'envsubst on')
      return unsupported(out, file, 'ENVSUBST ON: its text depends on the environment at run time');
    else if (!['statementbegin', 'statementend', 'envsubst off'].includes(annotation)) {
      body[section][body[section].length - 1] = line.text; // not an annotation to goose: a comment, kept
      out.notes.push(`${file}:${line.number}: "${line.text.trim()}" is not a goose annotation; kept as a comment`);
    }
  }
  if (first.up === 0) return fail(out, file, 'no "-- +goose Up" section (goose requires one)');
  if (body.none.some((l) => l.trim() !== '' && !/^\s*--/.test(l)))
    return fail(out, file, 'statements before "-- +goose Up"');
  const script = (s: 'up' | 'down'): ForeignScript => ({
    sql: `${body[s].join('\n')}\n`,
    noTransaction,
    file,
    line: first[s],
  });
  return { up: script('up'), down: first.down === 0 ? null : script('down') };
}

function fail(out: ResultBuilder, file: string, reason: string, line?: number): null {
  out.problem(file, reason, line);
  return null;
}

function unsupported(out: ResultBuilder, file: string, reason: string): null {
  out.unsupportedFile(file, reason);
  return null;
}
