/**
 * `embedded:PATH`: a data folder that outlives the command. PATH holds
 * `data/` (the cluster), `server.log`, `users/<pid>` (one file per tidemark
 * process using the server) and `lock` (held while one of them starts,
 * joins or stops it). A second run while the first's server is up joins it;
 * the last one to leave stops it. `users/` names are `<pid>-<n>`. A postmaster.pid whose process is gone is
 * stale: postgres itself replaces it on start.
 */
import { existsSync, mkdirSync, openSync, closeSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors';
import { alive } from './server';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function holder(lock: string): number | undefined {
  try {
    return Number(readFileSync(lock, 'utf8')) || undefined;
  } catch {
    return undefined;
  }
}

/** Runs `body` holding PATH/lock; a lock whose process is gone is taken over. */
export async function withFolderLock<T>(home: string, body: () => Promise<T>, waitMs = 60_000): Promise<T> {
  const lock = path.join(home, 'lock');
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = holder(lock);
      if (pid !== undefined && !alive(pid)) rmSync(lock, { force: true });
      else if (Date.now() > deadline)
        throw new ConfigError(
          `${lock} is held by process ${pid ?? '?'} for more than ${waitMs / 1000}s; remove it if that process is gone.`,
        );
      else await sleep(20);
    }
  }
  try {
    return await body();
  } finally {
    rmSync(lock, { force: true });
  }
}

const usersDir = (home: string) => path.join(home, 'users');

let joined = 0;

/** Registers a user of the server (`<pid>-<n>`: one process may use it twice); returns its name. */
export function join(home: string): string {
  mkdirSync(usersDir(home), { recursive: true });
  joined += 1;
  const name = `${process.pid}-${joined}`;
  writeFileSync(path.join(usersDir(home), name), '');
  return name;
}

/** Leaves; returns how many other users (in live processes) the server still has. */
export function leave(home: string, user: string | undefined): number {
  const dir = usersDir(home);
  if (user !== undefined) rmSync(path.join(dir, user), { force: true });
  if (!existsSync(dir)) return 0;
  let others = 0;
  for (const name of readdirSync(dir)) {
    if (alive(Number(name.split('-')[0]))) others += 1;
    else rmSync(path.join(dir, name), { force: true });
  }
  return others;
}

/** A postmaster.pid naming a live process that is not a postgres (its pid was reused): stale. */
export function dropForeignPidFile(data: string, pid: number): void {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!cmdline.includes('postgres')) rmSync(path.join(data, 'postmaster.pid'), { force: true });
  } catch {
    // no /proc (macOS): postgres decides
  }
}
