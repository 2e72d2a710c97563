/**
 * A second, throwaway PostgreSQL cluster on a spare port, for tests of
 * servers that are not there yet (`--wait`). initdb once, start and stop at
 * will, destroy in afterAll. PostgreSQL refuses to run as root, so as root
 * the binaries run as the `postgres` OS user (runuser), in a temp directory
 * that user owns. TIDEMARK_TEST_PG_BIN overrides the binaries' directory.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = process.env.TIDEMARK_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const asRoot = process.getuid?.() === 0;

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

/** Runs a PostgreSQL binary, as the postgres user when we are root. */
function pg(binary: string, args: readonly string[]) {
  const file = path.join(BIN, binary);
  return asRoot ? run('runuser', ['-u', 'postgres', '--', file, ...args]) : run(file, [...args]);
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
  if (!existsSync(path.join(BIN, 'initdb'))) throw new Error(`initdb not found in ${BIN}; set TIDEMARK_TEST_PG_BIN`);
  const home = mkdtempSync(path.join(tmpdir(), 'tidemark-cluster-'));
  const data = path.join(home, 'data');
  const destroy = async () => {
    await pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
    rmSync(home, { recursive: true, force: true });
  };
  try {
    if (asRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
      chownSync(home, uid, gid);
    }
    await pg('initdb', ['-D', data, '--auth=trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
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
      await pg('pg_ctl', ['-D', data, '-o', options, '-l', path.join(home, 'server.log'), '-w', '-t', '30', 'start']);
    },
    async stop(mode = 'immediate') {
      await pg('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']).catch(() => {});
    },
    destroy,
  };
}
