/**
 * A second, throwaway PostgreSQL cluster on a spare port, for tests of
 * servers that are not there yet (`--wait`). initdb once, start and stop at
 * will, destroy in afterAll. The binaries are the distribution's
 * (/usr/lib/postgresql/15/bin; TIDEMARK_TEST_PG_BIN overrides), or the
 * embedded package's when those are missing (a machine without PostgreSQL).
 * PostgreSQL refuses to run as root, so as root the binaries run as the
 * `postgres` OS user when there is one, else as `nobody`, in a temp
 * directory that user owns.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { cacheFolder, findBinaries } from '../../lib/embedded';
import { hydrate } from '../../lib/embedded/hydrate';
import { runAs } from '../../lib/embedded/owner';
import { freePort } from '../../lib/embedded/server';

export { freePort };

const run = promisify(execFile);
const DISTRIBUTION = process.env.TIDEMARK_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const asRoot = process.getuid?.() === 0;

export interface Binaries {
  readonly bin: string;
  readonly env: NodeJS.ProcessEnv;
  /** Who runs them when we are root. */
  readonly user?: { uid: number; gid: number };
}

function idsOf(name: string): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: 'pipe' }));
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: 'pipe' }));
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/** The distribution's binaries if they are there, else the embedded package's (library links hydrated). */
export function binaries(home: string): Binaries {
  const user = asRoot ? (idsOf('postgres') ?? runAs()) : undefined;
  if (existsSync(path.join(DISTRIBUTION, 'initdb'))) return { bin: DISTRIBUTION, env: {}, user };
  const embedded = findBinaries(undefined);
  return { bin: embedded.bin, env: hydrate(embedded, asRoot ? home : cacheFolder(embedded)), user };
}

/** Runs a PostgreSQL binary, as the postgres (or nobody) user when we are root. */
export function pg(using: Binaries, binary: string, args: readonly string[]) {
  return run(path.join(using.bin, binary), [...args], {
    env: { ...process.env, ...using.env, LC_ALL: 'C' },
    ...(using.user ?? {}),
  });
}

export interface Cluster {
  readonly port: number;
  /** postgres://postgres@127.0.0.1:<port>/postgres, trust authentication. */
  readonly url: string;
  /** Starts the server and resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it (immediate shutdown unless told `fast`); a stopped cluster is fine. */
  stop(mode?: 'immediate' | 'fast'): Promise<void>;
  /** Stops it and removes its directory; never throws. */
  destroy(): Promise<void>;
}

/** Creates (initdb) a cluster on a free port; it is not started. */
export async function createCluster(): Promise<Cluster> {
  const home = mkdtempSync(path.join(tmpdir(), 'tidemark-cluster-'));
  const using = binaries(home);
  const data = path.join(home, 'data');
  const destroy = async () => {
    await pg(using, 'pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
    rmSync(home, { recursive: true, force: true });
  };
  try {
    if (using.user) chownSync(home, using.user.uid, using.user.gid);
    await pg(using, 'initdb', ['-D', data, '--auth=trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  } catch (err) {
    await destroy();
    throw err;
  }
  const port = await freePort();
  // The socket goes into our own directory: no clash with the main cluster's /var/run/postgresql.
  const options = `-p ${port} -k ${home} -c listen_addresses=127.0.0.1 -c fsync=off`;
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async start() {
      await pg(using, 'pg_ctl', [
        '-D',
        data,
        '-o',
        options,
        '-l',
        path.join(home, 'server.log'),
        '-w',
        '-t',
        '30',
        'start',
      ]);
    },
    async stop(mode = 'immediate') {
      await pg(using, 'pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']).catch(() => {});
    },
    destroy,
  };
}
