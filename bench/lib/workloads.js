'use strict';
/**
 * W1–W6 and the scale series. A workload is a list of entries; an entry is
 * one tool doing the workload's job:
 *
 *   { id, label, role, runs?, setup(run) → state, command(state) → cmd,
 *     check(state, measurement) (throws when the result is wrong), teardown(state, run, ok) }
 *
 * role: 'baseline' (the ratios' denominator), 'reference' (another psql or
 * node figure, for context), 'tidemark', or 'peer'. Setup and checks are
 * never timed. `ctx` carries the options, the databases and the corpora.
 */
const path = require('node:path');
const corpus = require('./corpus');
const { dbName } = require('./db');
const T = require('./tools');

const TABLES = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'bench\\_t%'";

async function checkApplied(ctx, db, ledgerSql, n) {
  const tables = await ctx.dbs.count(db, TABLES);
  const logged = await ctx.dbs.count(db, 'SELECT count(*) FROM bench_log');
  const ledger = ledgerSql ? await ctx.dbs.count(db, ledgerSql) : n;
  if (tables !== n || logged !== n || ledger !== n) {
    throw new Error(
      `wrong result: expected ${n} tables, bench_log rows and ledger rows; found ${tables}, ${logged}, ${ledger}`,
    );
  }
}

async function checkRolledBack(ctx, db, ledgerSql) {
  const tables = await ctx.dbs.count(db, TABLES);
  const logged = await ctx.dbs.count(db, "SELECT count(*) FROM pg_tables WHERE tablename = 'bench_log'");
  const ledger = await ctx.dbs.count(db, ledgerSql);
  if (tables !== 0 || logged !== 0 || ledger !== 0)
    throw new Error(
      `wrong result: expected nothing left; found ${tables} tables, bench_log ${logged ? 'present' : 'gone'}, ${ledger} ledger rows`,
    );
}

function expectOutput(m, pattern, what) {
  if (!pattern.test(m.stdout))
    throw new Error(`wrong output: expected ${what}; got ${JSON.stringify(m.stdout.slice(-300))}`);
}

/** The corpus of n small migrations in every layout (written once per run of the bench). */
function smallCorpus(ctx) {
  if (!ctx.small) {
    const root = path.join(ctx.work, 'small');
    const tidemark = corpus.writeTidemark(path.join(root, 'tidemark'), ctx.n);
    const psql = corpus.writePsqlScripts(path.join(root, 'psql'), tidemark, ctx.n);
    const peers = corpus.writePeers(root, ctx.n, T.graphile.module());
    ctx.small = { tidemark, psql, ...peers };
  }
  return ctx.small;
}

/**
 * How each tool brings a fresh database to "n migrations applied" (W1's job).
 * W1's first run of each keeps its database as the template that W2 and W4
 * clone; `ensureTemplate` builds it when W1 did not run.
 */
function appliers(ctx) {
  const c = smallCorpus(ctx);
  return {
    psql: { tool: T.psql, ledger: T.psql.ledger, cmd: (url) => T.psql.script(url, c.psql.tracked) },
    tidemark: { tool: T.tidemark, ledger: T.tidemark.ledger, cmd: (url) => T.tidemark.apply(url, c.tidemark) },
    dbmate: { tool: T.dbmate, ledger: T.dbmate.ledger, cmd: (url) => T.dbmate.apply(url, c.dbmate) },
    'node-pg-migrate': {
      tool: T.nodePgMigrate,
      ledger: T.nodePgMigrate.ledger,
      cmd: (url) => T.nodePgMigrate.apply(url, c['node-pg-migrate']),
    },
    postgrator: {
      tool: T.postgrator,
      ledger: T.postgrator.ledger,
      cmd: (url) => T.postgrator.apply(url, c.postgrator),
    },
    'postgres-migrations': {
      tool: T.postgresMigrations,
      ledger: T.postgresMigrations.ledger,
      cmd: (url) => T.postgresMigrations.apply(url, c['postgres-migrations']),
    },
    'graphile-migrate': {
      tool: T.graphile,
      ledger: T.graphile.ledger,
      cmd: (url) => T.graphile.apply(url, c.graphile),
    },
  };
}

const templateName = (key) => dbName('tpl', key);

async function ensureTemplate(ctx, key) {
  const name = templateName(key);
  if (await ctx.dbs.exists(name)) return name;
  const applier = appliers(ctx)[key];
  const url = await ctx.dbs.create(name);
  ctx.log(`  (setting up ${key}'s applied database)`);
  const m = ctx.measure(applier.cmd(url));
  if (m.status !== 0) throw new Error(`could not apply with ${key} to set up: ${m.stderr.slice(-500)}`);
  await checkApplied(ctx, name, applier.ledger, ctx.n);
  return name;
}

// ---- W1 ---------------------------------------------------------------------

function w1(ctx) {
  const c = smallCorpus(ctx);
  const a = appliers(ctx);
  const entry = (id, label, role, template, cmd, ledger, tool) => ({
    id,
    label,
    role,
    available: tool?.available ?? null,
    async setup(run) {
      const db = dbName('w1', id, run);
      return { db, url: await ctx.dbs.create(db) };
    },
    command: (s) => cmd(s.url),
    check: (s) => checkApplied(ctx, s.db, ledger, ctx.n),
    async teardown(s, run, ok) {
      if (ok && template && !(await ctx.dbs.exists(templateName(template))))
        await ctx.dbs.rename(s.db, templateName(template));
      else await ctx.dbs.drop(s.db);
    },
  });
  return [
    entry(
      'psql-tracked',
      'psql, a transaction per file + ledger row',
      'baseline',
      'psql',
      a.psql.cmd,
      T.psql.ledger,
      T.psql,
    ),
    entry(
      'psql-plain',
      'psql, a transaction per file, no ledger',
      'reference',
      null,
      (url) => T.psql.script(url, c.psql.plain),
      null,
      T.psql,
    ),
    entry(
      'psql-single',
      'psql, one transaction (+ ledger rows)',
      'reference',
      null,
      (url) => T.psql.script(url, c.psql.single),
      T.psql.ledger,
      T.psql,
    ),
    entry('tidemark', 'tidemark apply', 'tidemark', 'tidemark', a.tidemark.cmd, T.tidemark.ledger, T.tidemark),
    entry('dbmate', 'dbmate migrate', 'peer', 'dbmate', a.dbmate.cmd, T.dbmate.ledger, T.dbmate),
    entry(
      'node-pg-migrate',
      'node-pg-migrate up (a transaction per file)',
      'peer',
      'node-pg-migrate',
      a['node-pg-migrate'].cmd,
      T.nodePgMigrate.ledger,
      T.nodePgMigrate,
    ),
    entry(
      'node-pg-migrate-1tx',
      'node-pg-migrate up --single-transaction',
      'peer',
      null,
      (url) => T.nodePgMigrate.apply(url, c['node-pg-migrate'], true),
      T.nodePgMigrate.ledger,
      T.nodePgMigrate,
    ),
    entry(
      'postgrator',
      'postgrator-cli --to max',
      'peer',
      'postgrator',
      a.postgrator.cmd,
      T.postgrator.ledger,
      T.postgrator,
    ),
    entry(
      'postgres-migrations',
      'postgres-migrations migrate()',
      'peer',
      'postgres-migrations',
      a['postgres-migrations'].cmd,
      T.postgresMigrations.ledger,
      T.postgresMigrations,
    ),
    entry(
      'graphile-migrate',
      'graphile-migrate migrate',
      'peer',
      'graphile-migrate',
      a['graphile-migrate'].cmd,
      T.graphile.ledger,
      T.graphile,
    ),
  ];
}

// ---- W2 ---------------------------------------------------------------------

function w2(ctx) {
  const c = smallCorpus(ctx);
  const clones = new Map();
  /** One clone of the tool's applied database, shared by that tool's entries and runs: nothing here writes. */
  async function clone(key) {
    if (!clones.has(key)) {
      const db = dbName('w2', key);
      await ctx.dbs.create(db, await ensureTemplate(ctx, key));
      clones.set(key, db);
    }
    const db = clones.get(key);
    return { db, url: ctx.dbs.url(db) };
  }
  const n = ctx.n;
  const entry = (id, label, role, key, tool, cmd, extraCheck) => ({
    id,
    label,
    role,
    available: tool.available ?? null,
    setup: () => clone(key),
    command: (s) => cmd(s.url),
    async check(s, m) {
      if (extraCheck) extraCheck(m);
      await checkApplied(ctx, s.db, appliers(ctx)[key].ledger, n); // a no-op changed nothing
    },
  });
  return [
    entry(
      'psql-read',
      'psql reading the ledger table',
      'baseline',
      'psql',
      T.psql,
      (url) => T.psql.read(url),
      (m) => {
        if (m.stdout.trim().split('\n').length !== n) throw new Error(`wrong output: expected ${n} ledger lines`);
      },
    ),
    entry('tidemark', 'tidemark apply (nothing pending)', 'tidemark', 'tidemark', T.tidemark, (url) =>
      T.tidemark.apply(url, c.tidemark),
    ),
    entry(
      'tidemark-status',
      'tidemark status',
      'tidemark',
      'tidemark',
      T.tidemark,
      (url) => T.tidemark.status(url, c.tidemark),
      (m) => expectOutput(m, new RegExp(`${n} applied, 0 pending, 0 modified, 0 missing, 0 failed`), `${n} applied`),
    ),
    entry('dbmate', 'dbmate migrate (nothing pending)', 'peer', 'dbmate', T.dbmate, (url) =>
      T.dbmate.apply(url, c.dbmate),
    ),
    entry(
      'dbmate-status',
      'dbmate status',
      'peer',
      'dbmate',
      T.dbmate,
      (url) => T.dbmate.status(url, c.dbmate),
      (m) => expectOutput(m, new RegExp(`Applied: ${n}\\b[^]*Pending: 0`), `Applied: ${n}`),
    ),
    entry('node-pg-migrate', 'node-pg-migrate up', 'peer', 'node-pg-migrate', T.nodePgMigrate, (url) =>
      T.nodePgMigrate.apply(url, c['node-pg-migrate']),
    ),
    entry('postgrator', 'postgrator-cli --to max', 'peer', 'postgrator', T.postgrator, (url) =>
      T.postgrator.apply(url, c.postgrator),
    ),
    entry(
      'postgres-migrations',
      'postgres-migrations migrate()',
      'peer',
      'postgres-migrations',
      T.postgresMigrations,
      (url) => T.postgresMigrations.apply(url, c['postgres-migrations']),
    ),
    entry('graphile-migrate', 'graphile-migrate migrate', 'peer', 'graphile-migrate', T.graphile, (url) =>
      T.graphile.apply(url, c.graphile),
    ),
  ];
}

// ---- W4 ---------------------------------------------------------------------

function w4(ctx) {
  const c = smallCorpus(ctx);
  const n = ctx.n;
  const entry = (id, label, role, key, tool, cmd, ledger, runs) => ({
    id,
    label,
    role,
    runs,
    available: tool.available ?? null,
    async setup(run) {
      const db = dbName('w4', id, run);
      await ctx.dbs.create(db, await ensureTemplate(ctx, key));
      return { db, url: ctx.dbs.url(db) };
    },
    command: (s) => cmd(s.url),
    check: (s) => checkRolledBack(ctx, s.db, ledger),
    teardown: (s) => ctx.dbs.drop(s.db),
  });
  return [
    entry(
      'psql-per-file',
      'psql, a transaction per down file + ledger delete',
      'baseline',
      'psql',
      T.psql,
      (url) => T.psql.script(url, c.psql.rollback),
      T.psql.ledger,
    ),
    entry(
      'psql-single',
      'psql, one transaction',
      'reference',
      'psql',
      T.psql,
      (url) => T.psql.script(url, c.psql['rollback-single']),
      T.psql.ledger,
    ),
    entry(
      'tidemark',
      'tidemark rollback --target 0',
      'tidemark',
      'tidemark',
      T.tidemark,
      (url) => T.tidemark.rollbackAll(url, c.tidemark),
      T.tidemark.ledger,
    ),
    entry(
      'node-pg-migrate',
      `node-pg-migrate down ${n}`,
      'peer',
      'node-pg-migrate',
      T.nodePgMigrate,
      (url) => T.nodePgMigrate.rollbackAll(url, c['node-pg-migrate'], n),
      T.nodePgMigrate.ledger,
    ),
    entry(
      'postgrator',
      'postgrator-cli --to 0',
      'peer',
      'postgrator',
      T.postgrator,
      (url) => T.postgrator.rollbackAll(url, c.postgrator),
      T.postgrator.ledger,
    ),
    entry(
      'dbmate',
      `dbmate rollback, ${n} calls (one step each)`,
      'peer',
      'dbmate',
      T.dbmate,
      (url) => T.dbmate.rollbackAll(url, c.dbmate, n),
      T.dbmate.ledger,
      ctx.dbmateRollbackRuns,
    ),
  ];
}

// ---- W5 ---------------------------------------------------------------------

function w5(ctx) {
  if (!ctx.big) ctx.big = corpus.writeBigLayouts(path.join(ctx.work, 'big'), ctx.bigBytes, T.graphile.module());
  const big = ctx.big;
  if (!ctx.bigMentions) ctx.bigMentions = corpus.writeBigMentions(path.join(ctx.work, 'big-mentions'), ctx.bigBytes);
  const mentions = ctx.bigMentions;
  const entry = (id, label, role, tool, cmd, ledger, file = big) => ({
    id,
    label,
    role,
    available: tool.available ?? null,
    async setup(run) {
      const db = dbName('w5', id, run);
      return { db, url: await ctx.dbs.create(db) };
    },
    command: (s) => cmd(s.url),
    async check(s) {
      const rows = await ctx.dbs.count(s.db, 'SELECT count(*) FROM bench_big');
      const recorded = ledger ? await ctx.dbs.count(s.db, ledger) : 1;
      if (rows !== file.rows || recorded !== 1)
        throw new Error(`wrong result: expected ${file.rows} rows and 1 ledger row; found ${rows} and ${recorded}`);
    },
    teardown: (s) => ctx.dbs.drop(s.db),
  });
  return [
    entry('psql-1', 'psql -1 -f', 'baseline', T.psql, (url) => T.psql.script(url, big.body, true), null),
    entry(
      'tidemark',
      'tidemark apply',
      'tidemark',
      T.tidemark,
      (url) => T.tidemark.apply(url, big.dirs.tidemark),
      T.tidemark.ledger,
    ),
    // The same size of data, but its strings mention vacuum/database/system…: tidemark must lex it to tell data from statements.
    entry(
      'psql-1-mentions',
      'psql -1 -f (data mentions vacuum/database)',
      'reference',
      T.psql,
      (url) => T.psql.script(url, mentions.body, true),
      null,
      mentions,
    ),
    entry(
      'tidemark-mentions',
      'tidemark apply (data mentions vacuum/database)',
      'tidemark',
      T.tidemark,
      (url) => T.tidemark.apply(url, mentions.dirs.tidemark),
      T.tidemark.ledger,
      mentions,
    ),
    entry('dbmate', 'dbmate migrate', 'peer', T.dbmate, (url) => T.dbmate.apply(url, big.dirs.dbmate), T.dbmate.ledger),
    entry(
      'node-pg-migrate',
      'node-pg-migrate up',
      'peer',
      T.nodePgMigrate,
      (url) => T.nodePgMigrate.apply(url, big.dirs['node-pg-migrate']),
      T.nodePgMigrate.ledger,
    ),
    entry(
      'postgrator',
      'postgrator-cli --to max',
      'peer',
      T.postgrator,
      (url) => T.postgrator.apply(url, big.dirs.postgrator),
      T.postgrator.ledger,
    ),
    entry(
      'postgres-migrations',
      'postgres-migrations migrate()',
      'peer',
      T.postgresMigrations,
      (url) => T.postgresMigrations.apply(url, big.dirs['postgres-migrations']),
      T.postgresMigrations.ledger,
    ),
    entry(
      'graphile-migrate',
      'graphile-migrate migrate',
      'peer',
      T.graphile,
      (url) => T.graphile.apply(url, big.dirs.graphile),
      T.graphile.ledger,
    ),
  ];
}

// ---- W6 ---------------------------------------------------------------------

function w6() {
  const entry = (id, label, role, tool, cmd) => ({
    id,
    label,
    role,
    available: tool.available ?? null,
    command: cmd,
    check(_s, m) {
      if (id !== 'node' && m.stdout.trim() === '') throw new Error('printed no help');
    },
  });
  return [
    entry('node', 'node -e 0', 'baseline', T.bareNode, T.bareNode.run),
    entry('tidemark', 'tidemark --help', 'tidemark', T.tidemark, T.tidemark.help),
    entry('psql', 'psql --help', 'reference', T.psql, T.psql.help),
    entry('dbmate', 'dbmate --help', 'peer', T.dbmate, T.dbmate.help),
    entry('node-pg-migrate', 'node-pg-migrate --help', 'peer', T.nodePgMigrate, T.nodePgMigrate.help),
    entry('postgrator', 'postgrator --help', 'peer', T.postgrator, T.postgrator.help),
    entry(
      'postgres-migrations',
      'postgres-migrations (runner) --help',
      'peer',
      T.postgresMigrations,
      T.postgresMigrations.help,
    ),
    entry('graphile-migrate', 'graphile-migrate --help', 'peer', T.graphile, T.graphile.help),
  ];
}

// ---- scale ------------------------------------------------------------------

/** status, verify and a no-op apply over `size` applied migrations (recorded with `tidemark baseline`). */
function scale(ctx, size) {
  let prepared = null;
  async function prepare() {
    if (prepared) return prepared;
    const dir = corpus.writeTidemark(path.join(ctx.work, `scale-${size}`), size);
    const db = dbName('scale', size);
    const url = await ctx.dbs.create(db);
    const m = ctx.measure(
      T.tidemark.run(['baseline', '--version', String(size), '--reason', 'bench', '--dir', dir, '--url', url]),
    );
    if (m.status !== 0) throw new Error(`baseline failed: ${m.stderr.slice(-500)}`);
    if ((await ctx.dbs.count(db, T.tidemark.ledger)) !== size)
      throw new Error('baseline recorded the wrong number of rows');
    prepared = { db, url, dir };
    return prepared;
  }
  const entry = (id, label, args, check) => ({
    id,
    label,
    role: 'tidemark',
    perMigration: size,
    setup: prepare,
    command: (s) => T.tidemark.run([...args, '--dir', s.dir, ...(args.includes('--offline') ? [] : ['--url', s.url])]),
    async check(s, m) {
      check?.(m);
      if ((await ctx.dbs.count(s.db, T.tidemark.ledger)) !== size) throw new Error('the ledger changed');
    },
  });
  return [
    entry('status', 'tidemark status', ['status'], (m) =>
      expectOutput(m, new RegExp(`${size} applied, 0 pending`), `${size} applied`),
    ),
    entry('verify', 'tidemark verify (files + history)', ['verify', '--json'], (m) => {
      const doc = JSON.parse(m.stdout);
      if (doc.ok !== true || doc.online !== true || doc.migrations !== size)
        throw new Error(`verify reported ${m.stdout.slice(0, 300)}`);
    }),
    entry('verify-offline', 'tidemark verify --offline (files only)', ['verify', '--offline']),
    entry('apply', 'tidemark apply (nothing pending)', ['apply']),
  ];
}

const WORKLOADS = [
  { id: 'W1', title: 'apply N small migrations on a fresh database', entries: w1 },
  { id: 'W2', title: 'no-op apply and status with N applied', entries: w2 },
  { id: 'W4', title: 'roll back all N migrations', entries: w4 },
  { id: 'W5', title: 'one big data migration', entries: w5 },
  { id: 'W6', title: 'cold start: --help', entries: w6, runs: (ctx) => ctx.startRuns, warmup: true },
];

/** The scale series as workloads, one per size. */
function scaleWorkloads(ctx) {
  return ctx.scaleSizes.map((size) => ({
    id: `scale-${size}`,
    title: `${size} applied migrations`,
    entries: (c) => scale(c, size),
    runs: (c) => c.scaleRuns,
    size,
  }));
}

module.exports = { WORKLOADS, scaleWorkloads };
