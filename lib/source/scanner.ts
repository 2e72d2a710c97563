/**
 * Scanner: migrations directory → pairs sorted by version, or a ScanError
 * listing every problem at once. Reads files; never touches the database.
 */
import { isUtf8 } from 'node:buffer';
import {
  closeSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  realpathSync,
  statSync,
  type Dirent,
  type Stats,
} from 'node:fs';
import path from 'node:path';
import { ConfigError, ScanError, type ScanProblem } from '../errors';
import type { Direction, Pair, Script } from '../types';
import { checksum, checksumText, stripBom } from './checksum';
import { isBlankSql, readDirectives } from './directives';
import { parseFilename, type ParsedFilename } from './filename';
import { findNulInBytes, findNulInText, NUL_REASON, type NulPosition } from './nul';

type ParsedName = Extract<ParsedFilename, { ok: true }>;

interface Found {
  readonly version: bigint;
  readonly versionText: string;
  readonly name: string;
  readonly direction: Direction;
  readonly script: Script;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface Inspection {
  /** Well-formed pairs, sorted by version. */
  readonly pairs: Pair[];
  /** Every problem found, sorted by path. */
  readonly problems: ScanProblem[];
  /** The highest version among all well-named files, with its text as written. */
  readonly highest: { readonly version: bigint; readonly versionText: string } | null;
}

/**
 * Scans `dir` recursively for `.sql` files (case-insensitive extension) and
 * pairs them. Other files are ignored, as are dot-folders and node_modules.
 *
 * @throws ConfigError when `dir` is not a directory.
 * @throws ScanError with every problem (SPEC §1) when any file is malformed.
 */
export function scan(dir: string): Pair[] {
  const { pairs, problems } = inspect(dir);
  if (problems.length > 0) throw new ScanError(dir, problems);
  return pairs;
}

/**
 * Like `scan`, but returns the problems instead of throwing them.
 * @throws ConfigError when `dir` is not a directory.
 */
export function inspect(dir: string): Inspection {
  assertDirectory(dir);
  const { files, problems } = listScripts(dir);
  const found: Found[] = [];
  // Well-named scripts refused for their content: their partner is not an orphan.
  const refused = new Set<string>();
  let highest: Inspection['highest'] = null;
  const root = path.resolve(dir);
  for (const file of files) {
    const parsed = parseFilename(file.slice(file.lastIndexOf('/') + 1));
    if (parsed.ok && (highest === null || parsed.version > highest.version)) highest = parsed;
    const result = parsed.ok ? readScript(root, file, parsed) : { path: file, reason: parsed.reason };
    if ('reason' in result) problems.push(result);
    else found.push(result);
    if ('reason' in result && parsed.ok) refused.add(scriptKey(parsed.version, parsed.name, parsed.direction));
  }
  const pairs = pairUp(found, problems, refused);
  problems.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { pairs, problems, highest };
}

/**
 * Every `.sql` file under `dir` (the extension in any case) as sorted,
 * `/`-separated paths relative to `dir`. Dot-files, dot-folders and
 * node_modules are skipped; symbolic links are followed, each real folder
 * entered once. One readdir per folder: no glob matching, no stat per file.
 * A folder that cannot be read, and a link that loops, are problems. A
 * folder or a broken link with a script's name is listed as a file: reading
 * it then says what it is.
 * @throws ConfigError when `dir` itself cannot be read.
 */
function listScripts(dir: string): { files: string[]; problems: ScanProblem[] } {
  const files: string[] = [];
  const problems: ScanProblem[] = [];
  const entered = new Set<string>();
  const walk = (relative: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(path.join(dir, relative), { withFileTypes: true });
    } catch (err) {
      if (relative === '' || !isFileSystemError(err)) throw unreadableDirectory(dir, err);
      problems.push({ path: `${relative}/`, reason: unreadable(err, 'folder') });
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      const isSql = entry.name.toLowerCase().endsWith('.sql');
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        let target: Stats | undefined;
        try {
          target = statSync(path.join(dir, child), { throwIfNoEntry: false });
        } catch (err) {
          if (!isFileSystemError(err)) throw err;
          if (isSql) files.push(child);
          else problems.push({ path: child, reason: unreadable(err, 'link') });
          continue;
        }
        // A broken link with a script's name: its partner is not an orphan, the link is the problem.
        if (target === undefined && isSql) files.push(child);
        isDirectory = target?.isDirectory() === true;
        isFile = target?.isFile() === true;
        if (isDirectory && !looksLikeScript(entry.name) && !enterOnce(entered, path.join(dir, child))) continue;
      }
      // A folder named like a script (a Docker bind mount of a missing file makes one) is reported, not entered.
      if (isDirectory && looksLikeScript(entry.name)) files.push(child);
      else if (isDirectory && entry.name.toLowerCase() !== 'node_modules') walk(child);
      else if (isFile && isSql) files.push(child);
    }
  };
  enterOnce(entered, dir);
  walk('');
  return { files: files.sort(), problems };
}

const looksLikeScript = (name: string) => parseFilename(name).ok;

/** An error from the file system (it has an errno code), as opposed to a bug. */
function isFileSystemError(err: unknown): err is NodeJS.ErrnoException {
  return (
    err instanceof Error &&
    typeof (err as NodeJS.ErrnoException).code === 'string' &&
    typeof (err as NodeJS.ErrnoException).syscall === 'string'
  );
}

/** Why a script, folder or link could not be read, and what to do, for a ScanProblem. */
function unreadable(err: NodeJS.ErrnoException, what: 'script' | 'folder' | 'link'): string {
  switch (err.code) {
    case 'EACCES':
    case 'EPERM':
      return `cannot be read: permission denied (${err.code}); let the user running tidemark read it (for example chmod a+r${what === 'folder' ? 'x' : ''})`;
    case 'ELOOP':
      return 'is a symbolic link that loops (ELOOP); point it at a real file or folder, or remove it';
    case 'EISDIR':
      return 'is a folder, not a file (EISDIR); a migration script must be a file (a Docker bind mount of a file that did not exist creates such a folder)';
    case 'ENOENT':
      return 'is a symbolic link to something that does not exist (ENOENT); fix the link or remove it';
    default:
      return `cannot be read (${err.code}: ${err.message})`;
  }
}

function unreadableDirectory(dir: string, err: unknown): Error {
  if (!isFileSystemError(err)) return err as Error;
  return new ConfigError(`Migrations directory "${dir}" ${unreadable(err, 'folder')}.`);
}

/** False when the real folder behind `dir` was entered already (a symlink loop or a second link). */
function enterOnce(entered: Set<string>, dir: string): boolean {
  const real = realpathSync(dir);
  if (entered.has(real)) return false;
  entered.add(real);
  return true;
}

function assertDirectory(dir: string): void {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (err) {
    if (isFileSystemError(err) && err.code !== 'ENOENT' && err.code !== 'ENOTDIR') throw unreadableDirectory(dir, err);
    throw new ConfigError(
      `Migrations directory "${dir}" does not exist. Create it, or point --dir at your migrations.`,
    );
  }
  if (!isDir) throw new ConfigError(`--dir "${dir}" is not a directory.`);
}

/** From this size on a script keeps its bytes and decodes its text on demand (Script.bytes). */
const BIG_SCRIPT_BYTES = 8 * 1024 * 1024;
/** What is decoded of a big script to read its directives and see that it is not empty. */
const HEAD_BYTES = 64 * 1024;

/** Reads one well-named script; `root` is the absolute migrations directory. */
function readScript(root: string, file: string, parsed: ParsedName): Found | ScanProblem {
  const absolutePath =
    path.sep === '/' ? (root.endsWith('/') ? root + file : `${root}/${file}`) : path.join(root, file);
  let content: string | Buffer;
  try {
    content = readContent(absolutePath);
  } catch (err) {
    if (!isFileSystemError(err)) throw err;
    return { path: file, reason: unreadable(err, 'script') };
  }
  // Text decoded from valid UTF-8 is exactly the file, so it is checked and
  // hashed as it is. Bytes that are not valid UTF-8 decode with U+FFFD in
  // their place: they take the byte path below, as does a script that really
  // contains U+FFFD.
  if (typeof content !== 'string') return readScriptBytes(file, parsed, absolutePath, content);
  const body = content.charCodeAt(0) === 0xfeff ? content.slice(1) : content;
  const sql = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body; // as TextDecoder, which drops a second BOM too
  const nul = findNulInText(sql);
  if (nul) return nulProblem(file, nul);
  return scriptOf(file, parsed, sql, isBlankSql(sql), { path: file, absolutePath, checksum: checksumText(content) });
}

/** Migrations are small: most are read whole by one read into this buffer. */
const PROBE_BYTES = 64 * 1024;
let probe: Buffer | undefined;

/**
 * A script's content: its text, or its bytes when it is big (BIG_SCRIPT_BYTES
 * on) or decodes with U+FFFD. One open, one read and one close for a script
 * under PROBE_BYTES (as fast as readFileSync's utf8 form); a bigger one is
 * read as bytes once, never also as a string, so the peak memory of a big
 * data migration is its bytes, not its bytes plus its text.
 */
function readContent(absolutePath: string): string | Buffer {
  const fd = openSync(absolutePath, 'r');
  let raw: Buffer;
  try {
    probe ??= Buffer.allocUnsafe(PROBE_BYTES);
    const read = readSync(fd, probe, 0, PROBE_BYTES, 0);
    if (read < PROBE_BYTES) {
      const text = probe.toString('utf8', 0, read);
      return text.includes('\uFFFD') ? Buffer.from(probe.subarray(0, read)) : text;
    }
    raw = readFileSync(fd); // positional read above: this reads from the start
  } finally {
    closeSync(fd);
  }
  if (raw.length >= BIG_SCRIPT_BYTES) return raw;
  const text = raw.toString('utf8');
  return text.includes('\uFFFD') ? raw : text;
}

/** Reads a script from its bytes: one that is big, not valid UTF-8, or holds U+FFFD. */
function readScriptBytes(file: string, parsed: ParsedName, absolutePath: string, raw: Buffer): Found | ScanProblem {
  const bytes = stripBom(raw);
  const big = bytes.length >= BIG_SCRIPT_BYTES;
  const text = big ? headText(bytes) : decode(bytes);
  if (text === null) return { path: file, reason: 'is not valid UTF-8; save it as UTF-8' };
  const nul = big ? findNulInBytes(bytes) : findNulInText(text);
  if (nul) return nulProblem(file, nul);
  const isEmpty = isBlankSql(text) && (!big || isBlankSql(utf8.decode(bytes)));
  if (!big) return scriptOf(file, parsed, text, isEmpty, { path: file, absolutePath, checksum: checksum(raw) });
  if (isEmpty && parsed.direction === 'up') {
    return {
      path: file,
      reason: 'the up script is empty (only whitespace or comments); write the migration, or delete the pair',
    };
  }
  const directives = readDirectives(isBlankSql(text) ? utf8.decode(bytes) : text);
  if ('problem' in directives) return { path: file, reason: directives.problem };
  return {
    ...parsed,
    script: withTextOnDemand({ path: file, absolutePath, checksum: checksum(raw), directives, isEmpty }, bytes),
  };
}

/** A small script from its text: refused when the up script is empty or a directive is bad. */
function scriptOf(
  file: string,
  parsed: ParsedName,
  sql: string,
  isEmpty: boolean,
  fields: Pick<Script, 'path' | 'absolutePath' | 'checksum'>,
): Found | ScanProblem {
  if (isEmpty && parsed.direction === 'up') {
    return {
      path: file,
      reason: 'the up script is empty (only whitespace or comments); write the migration, or delete the pair',
    };
  }
  const directives = readDirectives(sql);
  if ('problem' in directives) return { path: file, reason: directives.problem };
  return { ...parsed, script: { ...fields, directives, isEmpty, sql } };
}

const nulProblem = (file: string, at: NulPosition): ScanProblem => ({
  path: file,
  reason: NUL_REASON,
  line: at.line,
  column: at.column,
});

function decode(bytes: Buffer): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/** A big script's first HEAD_BYTES as text, once the whole file is known to be UTF-8. */
function headText(bytes: Buffer): string | null {
  if (!isUtf8(bytes)) return null;
  return new TextDecoder('utf-8').decode(bytes.subarray(0, HEAD_BYTES), { stream: true }); // stream: a character cut at the end waits
}

function withTextOnDemand(fields: Omit<Script, 'sql' | 'bytes'>, bytes: Buffer): Script {
  return Object.defineProperty({ ...fields, bytes }, 'sql', {
    enumerable: true,
    get: () => utf8.decode(bytes),
  }) as Script;
}

const scriptKey = (version: bigint, name: string, direction: Direction) => `${version}_${name}.${direction}`;

function pairUp(found: readonly Found[], problems: ScanProblem[], refused: ReadonlySet<string>): Pair[] {
  const byVersion = new Map<bigint, Found[]>();
  for (const f of found) {
    const group = byVersion.get(f.version);
    if (group) group.push(f);
    else byVersion.set(f.version, [f]);
  }
  const pairs: Pair[] = [];
  for (const [version, group] of byVersion) {
    const pair = pairOne(version, group, problems, refused);
    if (pair) pairs.push(pair);
  }
  return pairs.sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
}

function pairOne(
  version: bigint,
  group: readonly Found[],
  problems: ScanProblem[],
  refused: ReadonlySet<string>,
): Pair | null {
  const ups = group.filter((f) => f.direction === 'up');
  const downs = group.filter((f) => f.direction === 'down');
  if (ups.length > 1 || downs.length > 1) {
    const label = (f: Found) => `${f.versionText}_${f.name}`;
    for (const f of group) {
      const others = [...new Set(group.filter((g) => label(g) !== label(f)).map((g) => g.script.path))].join(', ');
      const reason =
        others === '' ? 'the same migration appears twice (in different folders)' : `also used by ${others}`;
      problems.push({
        path: f.script.path,
        reason: `duplicate version ${version} (${reason}); give one of them a new version`,
      });
    }
    return null;
  }
  const [up] = ups;
  const [down] = downs;
  if (!up) {
    if (refused.has(scriptKey(version, down.name, 'up'))) return null;
    problems.push({
      path: down.script.path,
      reason: `down script without an up script; add ${down.versionText}_${down.name}.up.sql`,
    });
    return null;
  }
  if (!down) {
    if (refused.has(scriptKey(version, up.name, 'down'))) return null;
    problems.push({
      path: up.script.path,
      reason: `up script without a down script; add ${up.versionText}_${up.name}.down.sql (mark it "-- tidemark:irreversible" if it cannot be undone)`,
    });
    return null;
  }
  if (up.name !== down.name) {
    problems.push({
      path: up.script.path,
      reason: `name "${up.name}" differs from its down script ${down.script.path}; use one name for both`,
    });
    problems.push({
      path: down.script.path,
      reason: `name "${down.name}" differs from its up script ${up.script.path}; use one name for both`,
    });
    return null;
  }
  return { version, name: up.name, label: `${up.versionText}_${up.name}`, up: up.script, down: down.script };
}
