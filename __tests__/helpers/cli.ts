/**
 * Runs the built CLI (`bin/tidemark`, which loads `dist/tidemark.js`) as a
 * child process, with a clean environment: only PATH, HOME (and TIDEMARK_CHECK_SCOPED_SNAPSHOTS) are inherited,
 * so a developer's DATABASE_URL, PG* or TIDEMARK_* variables never leak in.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { recordOutput } from './output-log';

export const ROOT = path.resolve(__dirname, '..', '..');
export const BIN = path.join(ROOT, 'bin', 'tidemark');

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
  /** Milliseconds before the child is killed (default 20 s). */
  readonly timeoutMs?: number;
  /** Run as this user and group (the test runner must be root to switch). */
  readonly uid?: number;
  readonly gid?: number;
}

function requireBuild(): void {
  if (!existsSync(path.join(ROOT, 'dist', 'tidemark.js')))
    throw new Error('dist/tidemark.js is missing: run `npm run build` before the e2e tests.');
}

function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  // TIDEMARK_CHECK_SCOPED_SNAPSHOTS: the scoped snapshots' verification mode reaches the CLI too.
  for (const name of ['PATH', 'HOME', 'TIDEMARK_CHECK_SCOPED_SNAPSHOTS']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}

export interface RunningCli {
  readonly child: ChildProcess;
  /** Settles when the process has exited; never rejects on a non-zero exit or a signal. */
  readonly done: Promise<CliResult>;
}

/** Starts `tidemark ...args` and returns the child at once, for tests that signal it mid-run. */
export function startCli(args: readonly string[], options: CliOptions = {}): RunningCli {
  requireBuild();
  let child!: ChildProcess;
  const done = new Promise<CliResult>((resolve, reject) => {
    child = execFile(
      process.execPath,
      [BIN, ...args],
      {
        env: cleanEnv(options.env),
        cwd: options.cwd ?? ROOT,
        timeout: options.timeoutMs ?? 20_000,
        maxBuffer: 16 * 1024 * 1024,
        encoding: 'utf8',
        uid: options.uid,
        gid: options.gid,
      },
      (error, stdout, stderr) => {
        const failure = error as (Error & { code?: number | string | null }) | null;
        // A string code (ENOENT, maxBuffer exceeded…) means the run itself went wrong.
        if (typeof failure?.code === 'string') return reject(failure);
        recordOutput(stdout, stderr);
        resolve({ code: failure ? (failure.code ?? null) : 0, stdout, stderr });
      },
    );
  });
  return { child, done };
}

/** Runs `tidemark ...args` and resolves with its exit code and output; never rejects on a non-zero exit. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).done;
}

/** Every non-empty line of `text`, parsed as JSON (throws on a line that is not). */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON line: ${JSON.stringify(line)}`);
      }
    });
}
