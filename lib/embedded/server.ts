/**
 * One postgres process: started on a free loopback port, ready when
 * postmaster.pid says so (no client library here), stopped by a signal.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { ConnectionError } from '../errors';
import type { RunAs } from './owner';
import { onExit } from './exit';

/** A TCP port nothing listens on right now (bound to 0, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface PidFile {
  readonly pid: number;
  readonly port: number;
  /** The 8th line: `starting`, `ready`, `stopping`, `standby`. */
  readonly status: string;
}

/** postmaster.pid's facts, or undefined when there is none (or it is being written). */
export function readPidFile(data: string): PidFile | undefined {
  try {
    const lines = readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n');
    const pid = Number(lines[0]);
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    return { pid, port: Number(lines[3]), status: (lines[7] ?? '').trim() };
  } catch {
    return undefined;
  }
}

/** A zombie (exited, not yet reaped: inside an 'exit' handler nothing reaps) is not alive. */
function zombie(pid: number): boolean {
  try {
    return / Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\)/, ' '));
  } catch {
    return false;
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !zombie(pid);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** For an 'exit' handler, where nothing async runs: immediate shutdown, waiting up to `ms` for the process to go. */
export function stopServerSync(pid: number, ms = 3000): void {
  try {
    process.kill(pid, 'SIGQUIT');
  } catch {
    return;
  }
  const tick = new Int32Array(new SharedArrayBuffer(4));
  for (const deadline = Date.now() + ms; alive(pid) && Date.now() < deadline; ) Atomics.wait(tick, 0, 0, 10);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function logTail(log: string): string {
  try {
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    return lines.slice(-5).join('\n');
  } catch {
    return '(no log)';
  }
}

export interface StartOptions {
  readonly postgres: string;
  readonly data: string;
  readonly log: string;
  readonly port: number;
  readonly env: NodeJS.ProcessEnv;
  readonly runAs?: RunAs;
  /** fsync=off and friends: for a throwaway server only. */
  readonly throwaway: boolean;
}

function serverArgs(options: StartOptions): string[] {
  const args = ['-D', options.data, '-p', String(options.port), '-h', '127.0.0.1', '-k', ''];
  const fast = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'];
  for (const setting of options.throwaway ? fast : []) args.push('-c', setting);
  return args;
}

/**
 * Starts postgres in its own process group (a Ctrl-C in the terminal is
 * tidemark's to handle) and resolves with its pid once it is ready.
 * @throws ConnectionError (exit 5) with the end of the server's log when it does not start.
 */
export async function startServer(options: StartOptions, timeoutMs = 30_000): Promise<number> {
  const fd = openSync(options.log, 'a');
  const child = spawn(options.postgres, serverArgs(options), {
    env: { ...process.env, ...options.env, LC_ALL: 'C' },
    stdio: ['ignore', fd, fd],
    detached: true,
    ...(options.runAs ? { uid: options.runAs.uid, gid: options.runAs.gid } : {}),
  });
  closeSync(fd);
  child.unref();
  // Until the caller registers its own stop: a second signal while the server starts must not leave it running.
  const forget = onExit(() => child.pid !== undefined && stopServerSync(child.pid));
  try {
    return await untilReady(child, options, timeoutMs);
  } finally {
    forget();
  }
}

async function untilReady(child: ChildProcess, options: StartOptions, timeoutMs: number): Promise<number> {
  let exited: number | string | null | undefined;
  child.once('exit', (code, signal) => (exited = code ?? signal));
  child.once('error', (err) => (exited = err.message));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const pidFile = readPidFile(options.data);
    if (child.pid !== undefined && pidFile?.pid === child.pid && pidFile.status === 'ready') return child.pid;
    if (exited !== undefined) break;
    await sleep(5);
  }
  if (exited === undefined && child.pid !== undefined) await stopServer(child.pid, 'immediate');
  throw new ConnectionError(
    `The embedded PostgreSQL did not start (${exited === undefined ? `not ready after ${timeoutMs / 1000}s` : `exited: ${exited}`}). ` +
      `Its log (${options.log}) ends with:\n${logTail(options.log)}`,
  );
}

const MODES = { fast: 'SIGINT', immediate: 'SIGQUIT' } as const;

/** Stops the postmaster `pid` and resolves when it is gone (immediate, then kill, if it takes too long). */
export async function stopServer(pid: number, mode: keyof typeof MODES = 'fast', timeoutMs = 15_000): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  };
  signal(MODES[mode]);
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) {
      signal('SIGKILL');
      await sleep(50);
      return;
    }
    await sleep(5);
  }
}

/** The server in `data` if one is running and ready (a stale postmaster.pid gives none). */
export function runningServer(data: string): PidFile | undefined {
  const pidFile = readPidFile(data);
  if (!pidFile || !alive(pidFile.pid)) return undefined;
  return pidFile.status === 'ready' && existsSync(data) ? pidFile : undefined;
}
