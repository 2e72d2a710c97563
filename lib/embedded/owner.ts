/**
 * PostgreSQL refuses to run as root. From a root process the binaries run
 * with the uid and gid of `nobody` (no user is created), in folders that
 * user owns.
 */
import { chownSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors';

export interface RunAs {
  readonly uid: number;
  readonly gid: number;
  readonly name: string;
}

/** `nobody`'s ids from /etc/passwd (65534 when it is not listed); undefined when we are not root. */
export function runAs(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  let uid = 65534;
  let gid = 65534;
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('nobody:'));
    if (line) [uid, gid] = line.split(':').slice(2, 4).map(Number);
  } catch {
    // no /etc/passwd: the conventional ids
  }
  return { uid, gid, name: 'nobody' };
}

/** Gives `dir` and everything in it to `who` (no-op when not root). */
export function chownTree(dir: string, who: RunAs | undefined): void {
  if (!who) return;
  chownSync(dir, who.uid, who.gid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(file, who);
    else if (!entry.isSymbolicLink()) chownSync(file, who.uid, who.gid);
  }
}

/** The first folder above `file` (itself included) that other users cannot enter, if any. */
export function closedFolder(file: string): string | undefined {
  for (let dir = path.resolve(file); ; dir = path.dirname(dir)) {
    const mode = statSync(dir).mode;
    if (statSync(dir).isDirectory() && (mode & 0o001) === 0) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * As root, `nobody` must be able to reach `file`.
 * @throws ConfigError (exit 2) naming the folder that shuts it out.
 */
export function assertReachable(file: string, who: RunAs | undefined, what: string): void {
  if (!who) return;
  const closed = closedFolder(path.dirname(file));
  if (closed === undefined) return;
  throw new ConfigError(
    `The embedded PostgreSQL runs as the user "${who.name}" when tidemark runs as root, and ${closed} (mode ${(statSync(closed).mode & 0o777).toString(8)}) keeps it from ${what} ${file}. ` +
      `Run tidemark as a non-root user, install it where other users can read (chmod o+x ${closed}), or use a real server (--url postgres://…).`,
  );
}
