/**
 * Runs the CLI in the test's own process: `main(argv, io)` from lib/cli/main.ts,
 * with stdout and stderr captured, and resolves to the same CliResult as runCli
 * (helpers/cli.ts), without the cost of starting Node and loading the bundle.
 *
 * The environment is as clean as runCli's: only PATH, HOME and what the test
 * passes, so a developer's DATABASE_URL, PG* or TIDEMARK_* variables never leak
 * in. Some of lib/ reads process.env and process.cwd() itself (libpq's
 * variables, relative paths), so for the length of a run process.env is that
 * clean environment and the working directory is `cwd`; both are put back
 * afterwards. Runs with the same env and cwd may overlap (a lock race); a run
 * with another env or cwd waits for them to finish.
 *
 * What needs a real process stays with runCli: exit codes as the shell sees
 * them, signals, the bundle and the package, another uid, and stdout/stderr
 * interleaving.
 */
import path from 'node:path';
import { main } from '../../lib/cli/main';
import type { CliResult } from './cli';
import { recordOutput } from './output-log';

const ROOT = path.resolve(__dirname, '..', '..');

export interface InProcessOptions {
  /** Extra environment variables, on top of PATH and HOME. */
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  /** Accepted for runCli's signature; an in-process run is bounded by the test's own timeout. */
  readonly timeoutMs?: number;
}

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}

interface Scope {
  readonly key: string;
  runs: number;
  readonly restore: () => void;
  readonly done: Promise<void>;
  readonly finish: () => void;
}

let scope: Scope | null = null;

/** Enters the process state for `key` (env and cwd), sharing it with runs that want the same one. */
async function enter(key: string, env: NodeJS.ProcessEnv, cwd: string): Promise<Scope> {
  while (scope && scope.key !== key) await scope.done;
  if (scope) {
    scope.runs++;
    return scope;
  }
  const saved = { env: process.env, cwd: process.cwd() };
  process.env = env;
  if (cwd !== saved.cwd) process.chdir(cwd);
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const restore = () => {
    process.env = saved.env;
    if (process.cwd() !== saved.cwd) process.chdir(saved.cwd);
  };
  scope = { key, runs: 1, restore, done, finish };
  return scope;
}

function leave(left: Scope): void {
  if (--left.runs > 0) return;
  left.restore();
  scope = null;
  left.finish();
}

/** Runs `tidemark ...args` in this process; resolves with its exit code and output, never rejects on a failure. */
export async function runInProcess(args: readonly string[], options: InProcessOptions = {}): Promise<CliResult> {
  const env = cleanEnv(options.env);
  const cwd = options.cwd ?? ROOT;
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env,
  };
  const entered = await enter(JSON.stringify([env, cwd]), env, cwd);
  let code: number;
  try {
    code = await main(args, io);
  } finally {
    leave(entered);
  }
  recordOutput(stdout, stderr);
  return { code, stdout, stderr };
}
