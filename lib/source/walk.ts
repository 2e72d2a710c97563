/**
 * The walk of a migrations directory: which files are scripts, and which
 * folders or links could not be read. Reads the file system; never touches
 * the database.
 */
import { readdirSync, realpathSync, statSync, type Dirent, type Stats } from 'node:fs';
import path from 'node:path';
import { ConfigError, type ScanProblem } from '../errors';
import { parseFilename } from './filename';

/** Every script found, and every folder or link that could not be read. */
export interface Listing {
  /** Sorted, `/`-separated paths relative to the directory. */
  readonly files: string[];
  readonly problems: ScanProblem[];
}

/**
 * Every `.sql` file under `dir` (the extension in any case) as sorted,
 * `/`-separated paths relative to `dir`. Dot-files, dot-folders and
 * node_modules are skipped; symbolic links are followed, each real folder
 * entered once, so that a link that loops ends the walk. One readdir per
 * folder: no glob matching, no stat per file. A folder that cannot be read,
 * and a link that loops, are problems. A folder or a broken link with a
 * script's name is listed as a file: reading it then says what it is.
 * @throws ConfigError when `dir` itself cannot be read.
 */
export function listScripts(dir: string): Listing {
  const walk: Walk = { dir, files: [], problems: [], entered: new Set() };
  enterOnce(walk.entered, dir);
  walkFolder(walk, '');
  walk.files.sort();
  return { files: walk.files, problems: walk.problems };
}

interface Walk extends Listing {
  readonly dir: string;
  /** The real folders entered through a link (and the root): a loop comes back to one of them. */
  readonly entered: Set<string>;
}

function walkFolder(walk: Walk, relative: string): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(path.join(walk.dir, relative), { withFileTypes: true });
  } catch (err) {
    if (relative === '' || !isFileSystemError(err)) throw unreadableDirectory(walk.dir, err);
    walk.problems.push({ path: `${relative}/`, reason: unreadable(err, 'folder') });
    return;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
    const kind = entry.isSymbolicLink() ? follow(walk, child, entry.name) : kindOf(entry);
    // A folder named like a script (a Docker bind mount of a missing file makes one) is reported, not entered.
    if (kind === 'folder' && looksLikeScript(entry.name)) walk.files.push(child);
    else if (kind === 'folder' && entry.name.toLowerCase() !== 'node_modules') walkFolder(walk, child);
    else if (kind === 'file' && isSqlName(entry.name)) walk.files.push(child);
  }
}

type Kind = 'file' | 'folder' | 'other';

const kindOf = (s: Dirent | Stats): Kind => (s.isDirectory() ? 'folder' : s.isFile() ? 'file' : 'other');
const isSqlName = (name: string) => name.toLowerCase().endsWith('.sql');
const looksLikeScript = (name: string) => parseFilename(name).ok;

/**
 * What a symbolic link points at; `other` when there is nothing to enter or
 * list: a link to a real folder entered already, a link to nothing (listed
 * when it has a script's name, so that its partner is not an orphan), or one
 * that cannot be followed (listed, or else a problem).
 */
function follow(walk: Walk, child: string, name: string): Kind {
  let target: Stats | undefined;
  try {
    target = statSync(path.join(walk.dir, child), { throwIfNoEntry: false });
  } catch (err) {
    if (!isFileSystemError(err)) throw err;
    if (isSqlName(name)) walk.files.push(child);
    else walk.problems.push({ path: child, reason: unreadable(err, 'link') });
    return 'other';
  }
  if (target === undefined) {
    if (isSqlName(name)) walk.files.push(child);
    return 'other';
  }
  const kind = kindOf(target);
  if (kind === 'folder' && !looksLikeScript(name) && !enterOnce(walk.entered, path.join(walk.dir, child)))
    return 'other';
  return kind;
}

/** False when the real folder behind `dir` was entered already (a symlink loop or a second link). */
function enterOnce(entered: Set<string>, dir: string): boolean {
  const real = realpathSync(dir);
  if (entered.has(real)) return false;
  entered.add(real);
  return true;
}

/** An error from the file system (it has an errno code), as opposed to a bug. */
export function isFileSystemError(err: unknown): err is NodeJS.ErrnoException {
  return (
    err instanceof Error &&
    typeof (err as NodeJS.ErrnoException).code === 'string' &&
    typeof (err as NodeJS.ErrnoException).syscall === 'string'
  );
}

/** Why a script, folder or link could not be read, and what to do, for a ScanProblem. */
export function unreadable(err: NodeJS.ErrnoException, what: 'script' | 'folder' | 'link'): string {
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

/**
 * @throws ConfigError when `dir` does not exist, is not a directory, or cannot be read.
 */
export function assertDirectory(dir: string): void {
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
