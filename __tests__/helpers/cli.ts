/**
 * Runs the built CLI (`bin/tidemark` → `dist/tidemark.js`) as a child process
 * with a clean environment: only PATH and HOME are inherited, so a
 * developer's DATABASE_URL, PG* or TIDEMARK_* variables never leak in.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'tidemark');

export interface CliResult {
  /** Exit code; null only when the process was killed by a signal. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** Extra environment variables, on top of PATH and HOME. */
  readonly env?: Record<string, string>;
  readonly cwd?: string;
}

/** Runs `tidemark ...args`; resolves with the exit code and output, never rejects on a non-zero exit. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME']) if (process.env[name] !== undefined) env[name] = process.env[name] as string;
  Object.assign(env, options.env);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [BIN, ...args], { env, cwd: options.cwd ?? ROOT, timeout: 20_000, encoding: 'utf8' }, (error, stdout, stderr) => {
      const failure = error as (Error & { code?: number | string | null }) | null;
      if (typeof failure?.code === 'string') return reject(failure); // ENOENT and the like: the run itself went wrong
      resolve({ code: failure ? (failure.code ?? null) : 0, stdout, stderr });
    });
  });
}
