/**
 * What every reader shares: names made tidemark names, versions checked,
 * files listed by pattern, and the empty result. Pure.
 */
import { MAX_VERSION } from '../source/version';
import type { Problem, ReadResult, SourceFile, Unsupported } from './types';

/** A tool's name as a tidemark name: letters, digits, `_` and `-`; anything else becomes `_`. */
export function tidemarkName(raw: string): string {
  const name = raw
    .trim()
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^[_-]+|[_-]+$/g, '');
  return name === '' ? 'migration' : name;
}

/** A version's digits as they can be a tidemark version, or the problem. */
export function checkVersion(file: string, digits: string): Problem | null {
  if (!/^\d+$/.test(digits)) return { file, reason: `version "${digits}" is not a number` };
  if (BigInt(digits) > MAX_VERSION)
    return { file, reason: `version ${digits} does not fit in a signed 64-bit integer (max ${MAX_VERSION})` };
  return null;
}

/** The text of a file's bytes (UTF-8, BOM removed), or null when they are not UTF-8. */
export function textOf(file: SourceFile): string | null {
  const bytes = file.bytes;
  const start = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(start));
  } catch {
    return null;
  }
}

/** The base name of a `/`-separated relative path. */
export function baseName(relative: string): string {
  return relative.slice(relative.lastIndexOf('/') + 1);
}

/** The folder part of a `/`-separated relative path ('' at the top). */
export function folderOf(relative: string): string {
  const at = relative.lastIndexOf('/');
  return at === -1 ? '' : relative.slice(0, at);
}

/** A result being built by a reader. */
export class ResultBuilder {
  readonly migrations: ReadResult['migrations'] = [];
  readonly unsupported: Unsupported[] = [];
  readonly problems: Problem[] = [];
  readonly notes: string[] = [];

  unsupportedFile(file: string, reason: string): void {
    this.unsupported.push({ file, reason });
  }

  problem(file: string, reason: string, line?: number): void {
    this.problems.push(line === undefined ? { file, reason } : { file, line, reason });
  }

  /** Decodes a file, recording a problem when it is not UTF-8. */
  text(file: SourceFile): string | null {
    const text = textOf(file);
    if (text === null) this.problem(file.path, 'is not valid UTF-8; save it as UTF-8');
    return text;
  }

  result(): ReadResult {
    return {
      migrations: this.migrations,
      unsupported: this.unsupported,
      problems: this.problems,
      notes: this.notes,
    };
  }
}

/** Lines of `text` with the offset each starts at. */
export function linesOf(text: string): { text: string; start: number; number: number }[] {
  const lines: { text: string; start: number; number: number }[] = [];
  let start = 0;
  let number = 1;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    lines.push({ text: text.slice(start, end).replace(/\r$/, ''), start, number });
    start = end + 1;
    number++;
    if (end === text.length) break;
  }
  return lines;
}
