/** Real git repositories in temp folders, for `verify --since`. */
import { execFileSync } from 'node:child_process';

const IDENTITY = ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'commit.gpgsign=false'];

/** Runs `git <args>` in `cwd` (no global or system config) and returns its stdout, trimmed. */
export function git(cwd: string, ...args: string[]): string {
  const env = { PATH: process.env.PATH ?? '', HOME: cwd, GIT_CONFIG_NOSYSTEM: '1' };
  return execFileSync('git', [...IDENTITY, ...args], {
    cwd,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/** `git init -b main` in `dir`. */
export function initRepo(dir: string): void {
  git(dir, 'init', '-q', '-b', 'main');
}

/** Stages everything and commits. */
export function commitAll(dir: string, message: string): void {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
}
