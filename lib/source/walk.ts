/**
 * The walk of a migrations directory: which files are scripts, and which
 * folders or links could not be read. Reads the file system; never touches
 * the database.
 */
import fg from 'fast-glob';
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
 * `/`-separated paths relative to `dir`, walked by fast-glob. Dot-files,
 * dot-folders and node_modules are skipped; symbolic links are followed,
 * each real folder behind a link entered once, so that a link that loops
 * ends the walk instead of growing it without end. A folder that cannot be
 * read, and a link that cannot be followed, are problems. A folder or a
 * broken link with a script's name is listed as a file: reading it then
 * says what it is.
 * @throws ConfigError when `dir` itself cannot be read.
 */
export function listScripts(dir: string): Listing {
  const root = path.resolve(dir);
  const walk = new Walk(root, dir);
  const entries = fg.sync('**', {
    cwd: root,
    dot: false,
    onlyFiles: false,
    objectMode: true,
    followSymbolicLinks: true,
    throwErrorOnBrokenSymbolicLink: false,
    fs: { readdirSync: walk.readdirSync, statSync: walk.statSync },
  });
  const files: string[] = [];
  for (const { path: child, name, dirent } of entries) {
    const isSql = name.toLowerCase().endsWith('.sql');
    if (dirent.isSymbolicLink())
      walk.brokenLink(child, isSql, files); // followed, it would be a file or a folder
    else if (dirent.isDirectory() ? looksLikeScript(name) : dirent.isFile() && isSql) files.push(child);
  }
  return { files: files.sort(), problems: walk.problems };
}

const looksLikeScript = (name: string) => parseFilename(name).ok;

/** The file-system calls fast-glob makes, with what it cannot do: folders entered once, errors kept as problems. */
class Walk {
  readonly problems: ScanProblem[] = [];
  /** The real folders entered through a link (and the root): a loop comes back to one of them. */
  private readonly entered = new Set<string>();
  /** Absolute paths of the symbolic links met, and why following one failed. */
  private readonly links = new Map<string, NodeJS.ErrnoException | null>();

  constructor(
    private readonly root: string,
    /** As given, for the message when it cannot be read. */
    private readonly dir: string,
  ) {
    this.entered.add(realpathSync(root));
  }

  readonly readdirSync = ((folder: string, options: { withFileTypes: true }): Dirent[] => {
    if (folder !== this.root && !this.mayEnter(folder)) return [];
    let entries: Dirent[];
    try {
      entries = readdirSync(folder, options);
    } catch (err) {
      if (folder === this.root || !isFileSystemError(err)) throw unreadableDirectory(this.dir, err);
      this.problems.push({ path: `${this.relative(folder)}/`, reason: unreadable(err, 'folder') });
      return [];
    }
    for (const entry of entries) if (entry.isSymbolicLink()) this.links.set(`${folder}/${entry.name}`, null);
    return entries;
  }) as typeof readdirSync;

  readonly statSync = ((target: string): Stats => {
    try {
      return statSync(target);
    } catch (err) {
      if (isFileSystemError(err)) this.links.set(target, err);
      throw err;
    }
  }) as typeof statSync;

  /**
   * A link that could not be followed. With a script's name it is listed (its
   * partner is not an orphan: the link is the problem); otherwise a link to
   * nothing is ignored, and one that loops or cannot be read is a problem.
   */
  brokenLink(child: string, isSql: boolean, files: string[]): void {
    const err = this.links.get(`${this.root}/${child}`);
    if (isSql) files.push(child);
    else if (err && err.code !== 'ENOENT') this.problems.push({ path: child, reason: unreadable(err, 'link') });
  }

  /** Dot-folders, node_modules, folders with a script's name and a real folder entered already are not entered. */
  private mayEnter(folder: string): boolean {
    const name = folder.slice(folder.lastIndexOf('/') + 1);
    if (name.startsWith('.') || name.toLowerCase() === 'node_modules' || looksLikeScript(name)) return false;
    if (!this.links.has(folder)) return true;
    const real = realpathSync(folder);
    if (this.entered.has(real)) return false;
    this.entered.add(real);
    return true;
  }

  private relative(folder: string): string {
    return folder.slice(this.root.length + 1);
  }
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
