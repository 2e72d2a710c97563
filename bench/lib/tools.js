'use strict';
/**
 * The tools under test and how each one is invoked for each operation. A
 * command is { file, args, env, cwd }; every Node tool runs under the same
 * `node` binary as the `node -e 0` baseline.
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const PEERS = path.join(ROOT, 'bench', 'peers');
const PEER_MODULES = path.join(PEERS, 'node_modules');
const NODE = process.execPath;

/** The environment every tool gets: no inherited connection settings. */
function cleanEnv(extra = {}) {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(PG|TIDEMARK_|DATABASE_URL$|DBMATE_|NODE_OPTIONS$|NODE_V8_COVERAGE$)/.test(key)) delete env[key];
  }
  return { ...env, ...extra };
}

const node = (script, args, extra = {}) => ({
  file: NODE,
  args: [script, ...args],
  env: cleanEnv(extra.env),
  cwd: extra.cwd ?? ROOT,
});

function which(name) {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const file = path.join(dir, name);
    if (dir && fs.existsSync(file)) return file;
  }
  return null;
}

// ---- tidemark ---------------------------------------------------------------

const TIDEMARK = path.join(ROOT, 'bin', 'tidemark');
const tidemark = {
  id: 'tidemark',
  ledger: 'SELECT count(*) FROM public.tidemark_migrations',
  run: (args) => node(TIDEMARK, args),
  apply: (url, dir) => tidemark.run(['apply', '--dir', dir, '--url', url]),
  status: (url, dir) => tidemark.run(['status', '--dir', dir, '--url', url]),
  rollbackAll: (url, dir) => tidemark.run(['rollback', '--target', '0', '--dir', dir, '--url', url]),
  help: () => tidemark.run(['--help']),
  /** Offline lint of a directory (the lint workload); `--json` so the output is checked, not rendered. */
  lint: (dir, extra = []) => tidemark.run(['lint', '--dir', dir, '--json', ...extra]),
};

// ---- psql -------------------------------------------------------------------

const PSQL = which('psql');
const psql = {
  id: 'psql',
  available: PSQL ? null : 'psql is not on PATH',
  ledger: 'SELECT count(*) FROM psql_migrations',
  script: (url, file, single = false) => ({
    file: PSQL,
    args: ['-X', '-q', '-v', 'ON_ERROR_STOP=1', ...(single ? ['-1'] : []), '-d', url, '-f', file],
    env: cleanEnv(),
    cwd: ROOT,
  }),
  read: (url) => ({
    file: PSQL,
    args: ['-X', '-A', '-t', '-d', url, '-c', 'SELECT version, up_checksum FROM psql_migrations ORDER BY version'],
    env: cleanEnv(),
    cwd: ROOT,
  }),
  help: () => ({ file: PSQL, args: ['--help'], env: cleanEnv(), cwd: ROOT }),
};

// ---- peers ------------------------------------------------------------------

function peerFile(...parts) {
  const file = path.join(PEER_MODULES, ...parts);
  return fs.existsSync(file) ? file : null;
}

const DBMATE = peerFile(
  '@dbmate',
  `${process.platform}-${process.arch === 'x64' ? 'x64' : process.arch}`,
  'bin',
  'dbmate',
);
const dbmateUrl = (url) => `${url}?sslmode=disable`;
const dbmate = {
  id: 'dbmate',
  available: DBMATE ? null : 'dbmate is not installed (npm --prefix bench/peers ci)',
  ledger: 'SELECT count(*) FROM schema_migrations',
  // The npm package's bin is a Node wrapper that spawns the Go binary; we run the binary, as a Go user would.
  run: (url, dir, command) => ({
    file: DBMATE,
    args: ['--url', dbmateUrl(url), '--migrations-dir', dir, '--no-dump-schema', command],
    env: cleanEnv(),
    cwd: ROOT,
  }),
  apply: (url, dir) => dbmate.run(url, dir, 'migrate'),
  status: (url, dir) => dbmate.run(url, dir, 'status'),
  // dbmate rolls back one migration per call.
  rollbackAll: (url, dir, n) => ({
    file: '/bin/sh',
    args: [
      '-c',
      `i=0; while [ $i -lt ${n} ]; do "$0" --url "$1" --migrations-dir "$2" --no-dump-schema rollback >/dev/null || exit 1; i=$((i+1)); done`,
      DBMATE,
      dbmateUrl(url),
      dir,
    ],
    env: cleanEnv(),
    cwd: ROOT,
  }),
  help: () => ({ file: DBMATE, args: ['--help'], env: cleanEnv(), cwd: ROOT }),
};

const NPM_BIN = peerFile('node-pg-migrate', 'bin', 'node-pg-migrate.js');
const nodePgMigrate = {
  id: 'node-pg-migrate',
  available: NPM_BIN ? null : 'node-pg-migrate is not installed (npm --prefix bench/peers ci)',
  ledger: 'SELECT count(*) FROM pgmigrations',
  // --no-verbose: its default prints every statement, which would only measure the terminal.
  run: (url, dir, args, single) =>
    node(NPM_BIN, [...args, '-m', dir, '--no-verbose', single ? '--single-transaction' : '--no-single-transaction'], {
      env: { DATABASE_URL: url },
    }),
  apply: (url, dir, single = false) => nodePgMigrate.run(url, dir, ['up'], single),
  rollbackAll: (url, dir, n) => nodePgMigrate.run(url, dir, ['down', String(n)], false),
  help: () => node(NPM_BIN, ['--help']),
};

const POSTGRATOR_BIN = peerFile('postgrator-cli', 'index.js');
function postgratorArgs(url, dir, to) {
  const u = new URL(url);
  return [
    '--to',
    to,
    '--driver',
    'pg',
    '--host',
    u.hostname,
    '--port',
    u.port || '5432',
    '--database',
    u.pathname.slice(1),
    '--username',
    decodeURIComponent(u.username),
    '--migration-pattern',
    `${dir}/*`,
    '--no-config',
  ];
}
const postgrator = {
  id: 'postgrator',
  available: POSTGRATOR_BIN ? null : 'postgrator-cli is not installed (npm --prefix bench/peers ci)',
  ledger: 'SELECT count(*) FROM schemaversion WHERE version > 0',
  apply: (url, dir) => node(POSTGRATOR_BIN, postgratorArgs(url, dir, 'max')),
  rollbackAll: (url, dir) => node(POSTGRATOR_BIN, postgratorArgs(url, dir, '0')),
  help: () => node(POSTGRATOR_BIN, ['--help']),
};

const PGMIG_RUNNER = path.join(PEERS, 'postgres-migrations.js');
const postgresMigrations = {
  id: 'postgres-migrations',
  available: peerFile('postgres-migrations', 'package.json')
    ? null
    : 'postgres-migrations is not installed (npm --prefix bench/peers ci)',
  ledger: 'SELECT count(*) FROM migrations WHERE id > 0',
  apply: (url, dir) => node(PGMIG_RUNNER, ['--url', url, '--dir', dir]),
  help: () => node(PGMIG_RUNNER, ['--help']),
};

const GRAPHILE_BIN = peerFile('graphile-migrate', 'dist', 'cli.js');
const graphile = {
  id: 'graphile-migrate',
  available: GRAPHILE_BIN ? null : 'graphile-migrate is not installed (npm --prefix bench/peers ci)',
  ledger: 'SELECT count(*) FROM graphile_migrate.migrations',
  // `dir` holds .gmrc and migrations/committed; graphile reads DATABASE_URL.
  apply: (url, dir) => node(GRAPHILE_BIN, ['migrate'], { env: { DATABASE_URL: url }, cwd: dir }),
  help: () => node(GRAPHILE_BIN, ['--help']),
  /** graphile's own hashing, to write committed migrations it accepts. */
  module() {
    if (!GRAPHILE_BIN) return null;
    const dist = path.dirname(GRAPHILE_BIN);
    return {
      calculateHash: require(path.join(dist, 'hash.js')).calculateHash,
      serializeMigration: require(path.join(dist, 'migration.js')).serializeMigration,
    };
  },
};

// squawk-cli's npm package is a Node wrapper that spawns the Rust binary of an optional platform package; we run
// the binary, as a user of the standalone release would.
const SQUAWK = peerFile('@squawk-cli', `${process.platform}-${process.arch}`, 'bin', 'squawk');
const squawk = {
  id: 'squawk',
  available: SQUAWK ? null : 'squawk-cli is not installed (npm run bench:peers)',
  file: SQUAWK,
  /** Lints `files` (paths), reporting JSON; exit 1 when it finds something. */
  lint: (files, extra = []) => ({
    file: SQUAWK,
    args: ['--reporter', 'json', ...extra, ...files],
    env: cleanEnv(),
    cwd: ROOT,
  }),
};

const bareNode = { id: 'node', run: () => ({ file: NODE, args: ['-e', '0'], env: cleanEnv(), cwd: ROOT }) };

module.exports = {
  ROOT,
  tidemark,
  psql,
  dbmate,
  nodePgMigrate,
  postgrator,
  postgresMigrations,
  graphile,
  squawk,
  bareNode,
  cleanEnv,
};
