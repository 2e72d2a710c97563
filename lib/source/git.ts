/**
 * Migration files as they were at a git revision, for `verify --since`.
 */
import path from 'node:path';
import { ConfigError } from '../errors';
import { parseFilename } from './filename';

/** A migration file that existed at the revision. */
export interface FileAtRef {
  readonly version: bigint;
  readonly path: string;
}

/**
 * Lists the well-named migration files under `dir` at `ref`, paths relative to `dir`.
 * @throws ConfigError when `dir` is not in a git work tree or `ref` is not a revision.
 */
export function migrationsAtRef(dir: string, ref: string): FileAtRef[] {
  let out: string;
  try {
    // child_process is required here, not at the top: only `verify --since` runs git.
    const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
    out = execFileSync('git', ['-C', dir, 'ls-tree', '-r', '--name-only', `${ref}^{commit}`, '--', '.'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 256 * 1024 * 1024,
    });
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? '')
      .trim()
      .split('\n')[0];
    throw new ConfigError(
      `--since ${ref}: git cannot list ${dir} at that revision (${stderr || (err as Error).message}). Fetch the revision (e.g. fetch-depth: 0 in CI) or check its name.`,
    );
  }
  const files: FileAtRef[] = [];
  for (const file of out.split('\n')) {
    if (file === '') continue;
    const parsed = parseFilename(path.posix.basename(file));
    if (parsed.ok) files.push({ version: parsed.version, path: file });
  }
  return files;
}
