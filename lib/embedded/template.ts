/**
 * The cache folder of one package version, `$XDG_CACHE_HOME/tidemark/pg-<version>/`
 * (else `~/.cache/tidemark/pg-<version>/`): the hydrated library links and a
 * data folder initialised once (initdb, about 1 s), so that later starts are
 * a copy of it (about 0.25 s to ready).
 */
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statfsSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ConnectionError } from '../errors';
import { chownTree, type RunAs } from './owner';
import { exe, type Binaries } from './platform';

const run = promisify(execFile);

export function cacheFolder(binaries: Binaries, env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  return path.join(base, 'tidemark', `pg-${binaries.version}`);
}

/** Memory-backed folders with at least this much room hold throwaway servers. */
const SHM_ROOM = 2 ** 30;

/**
 * Where throwaway servers live: TMPDIR when it is set (the user's choice),
 * else /dev/shm when it is a memory file system with room (a copy of the
 * template and its removal cost about 1 s of disk I/O on a busy machine,
 * milliseconds in memory; a container's 64 MB /dev/shm is too small), else
 * the system's temp folder.
 */
export function throwawayBase(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TMPDIR) return tmpdir();
  try {
    const fs = statfsSync('/dev/shm');
    if (fs.bavail * fs.bsize >= SHM_ROOM) return '/dev/shm';
  } catch {
    // no /dev/shm (macOS)
  }
  return tmpdir();
}

/** A new folder for one server (see throwawayBase), owned by whoever runs the server. */
export function ownedTempFolder(prefix: string, who: RunAs | undefined): string {
  const dir = mkdtempSync(path.join(throwawayBase(), prefix));
  chmodSync(dir, 0o755);
  chownTree(dir, who);
  return dir;
}

export interface InitOptions {
  readonly binaries: Binaries;
  readonly env: NodeJS.ProcessEnv;
  readonly runAs?: RunAs;
}

/** initdb into `data` (which must not exist, in a folder the server's user owns). */
export async function initdb(data: string, options: InitOptions): Promise<void> {
  const args = [
    '-D',
    data,
    '-U',
    'postgres',
    '-A',
    'trust',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
    '--no-instructions',
    '--wal-segsize=1',
  ];
  try {
    await run(path.join(options.binaries.bin, exe('initdb')), args, {
      env: { ...process.env, ...options.env, LC_ALL: 'C' },
      ...(options.runAs ? { uid: options.runAs.uid, gid: options.runAs.gid } : {}),
    });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new ConnectionError(`initdb of the embedded PostgreSQL failed: ${(e.stderr || e.message).trim()}`);
  }
}

/**
 * The cached template, made now if it is not there yet (built aside and
 * renamed, so two first runs at once both end with a whole one).
 * @returns the template's folder, and whether it was made by this call (a cold start).
 */
export async function ensureTemplate(cache: string, options: InitOptions): Promise<{ dir: string; cold: boolean }> {
  const dir = path.join(cache, 'template');
  if (existsSync(path.join(dir, 'PG_VERSION'))) return { dir, cold: false };
  mkdirSync(cache, { recursive: true });
  const home = ownedTempFolder('tidemark-initdb-', options.runAs);
  try {
    await initdb(path.join(home, 'data'), options);
    const building = `${dir}.${process.pid}.tmp`;
    rmSync(building, { recursive: true, force: true });
    cpSync(path.join(home, 'data'), building, { recursive: true });
    try {
      renameSync(building, dir);
    } catch (err) {
      rmSync(building, { recursive: true, force: true });
      if (!existsSync(path.join(dir, 'PG_VERSION'))) throw err;
    }
    return { dir, cold: true };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** A data folder for one server: a copy of the template, owned by the server's user, mode 0700. */
export function copyTemplate(template: string, data: string, who: RunAs | undefined): void {
  cpSync(template, data, { recursive: true });
  chmodSync(data, 0o700);
  chownTree(data, who);
}
