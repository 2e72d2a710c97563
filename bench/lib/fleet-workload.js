'use strict';
/**
 * fleet (issue 17): `tidemark fleet apply` against the loop a user writes
 * today, in the same run:
 *  - fleet-db: 200 databases × 20 migrations (W1's scripts);
 *  - fleet-schemas: 1,000 tenant schemas in one database × 20 migrations;
 * each against a shell loop of `tidemark apply` (the baseline) and of
 * `psql -f` (the server's floor), one call per target; for schemas the loop
 * sets the tenant's search_path with PGOPTIONS and the ledger's with --schema.
 *  - fleet-noop: `fleet apply` and `fleet status` over 1,000 up-to-date schemas;
 *  - fleet-memory: peak RSS of `fleet apply` over 100 / 1,000 / 5,000 schemas.
 * Targets: fleet ≥ 3× faster than the tidemark loop at --concurrency 4; the
 * no-op under 10 s; RSS flat as targets grow.
 */
const fs = require('node:fs');
const path = require('node:path');
const { fleetDbName: dbName } = require('./db');
const T = require('./tools');
const { onConnections, scripts, loop, commandLine, quote, N_MIGRATIONS } = require('./fleet-shared');
const schemas = require('./fleet-schemas-workload');

/** tidemark in the bench's work folder (a fleet writes its run files to ./.tidemark/runs). */
const node = (ctx, args) => ({ ...T.tidemark.run(args), cwd: ctx.work });

// ---- 200 databases -------------------------------------------------------------------------

const DB_COUNT = 200;

/** The 200 databases, made once (from one template) and emptied before each run. */
async function databases(ctx) {
  if (ctx.fleetDbs) return ctx.fleetDbs;
  const template = dbName('fleet', 'tpl');
  await ctx.dbs.create(template);
  const names = Array.from({ length: DB_COUNT }, (_, i) => dbName('fleet', 'db', String(i).padStart(3, '0')));
  await onConnections(
    ctx.dbs.url('postgres'),
    names,
    async (c, name) => {
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
    },
    4,
  );
  const dir = path.join(ctx.work, 'fleet');
  const urls = names.map((n) => ctx.dbs.url(n));
  fs.writeFileSync(path.join(dir, 'urls.txt'), `${urls.join('\n')}\n`);
  const targets = names.map((n, i) => ({ name: `tenant${i}`, url: ctx.dbs.url(n) }));
  fs.writeFileSync(path.join(dir, 'db-targets.json'), JSON.stringify(targets));
  ctx.fleetDbs = { names, urls: path.join(dir, 'urls.txt'), targets: path.join(dir, 'db-targets.json') };
  return ctx.fleetDbs;
}

async function emptyDatabases(ctx) {
  const { names } = await databases(ctx);
  await onConnections(ctx.dbs.url('postgres'), names, async (_c, name) =>
    ctx.dbs.query(name, 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;'),
  );
  return {};
}

/** Every database holds `ledger` with 20 rows and the 20th table. */
async function checkDatabases(ctx, ledger) {
  const { names } = await databases(ctx);
  const bad = [];
  await onConnections(ctx.dbs.url('postgres'), names, async (_c, name) => {
    const rows = await ctx.dbs.count(name, `SELECT count(*) FROM ${ledger}`);
    const table = await ctx.dbs.count(name, "SELECT count(*) FROM pg_tables WHERE tablename = 'bench_t0020'");
    if (rows !== N_MIGRATIONS || table !== 1) bad.push(name);
  });
  if (bad.length > 0) throw new Error(`wrong result: ${bad.length} databases not migrated (first ${bad[0]})`);
}

function dbEntries(ctx) {
  const { dir, psql } = scripts(ctx);
  const slowRuns = ctx.mode === 'quick' ? 1 : 3;
  const list = () => path.join(ctx.work, 'fleet', 'urls.txt');
  const tidemarkApply = commandLine(node(ctx, ['apply', '--dir', dir, '--url', 'URL'])).replace("'URL'", '"$line"');
  return [
    {
      id: 'fleet',
      label: `tidemark fleet apply --concurrency 4 (${DB_COUNT} databases)`,
      role: 'tidemark',
      setup: () => emptyDatabases(ctx),
      command: () =>
        node(ctx, ['fleet', 'apply', '--dir', dir, '--targets', ctx.fleetDbs.targets, '--concurrency', '4']),
      check: () => checkDatabases(ctx, 'public.tidemark_migrations'),
    },
    {
      id: 'tidemark-loop',
      label: `for each database: tidemark apply (${DB_COUNT} calls)`,
      role: 'baseline',
      runs: slowRuns,
      setup: () => emptyDatabases(ctx),
      command: () => loop(list(), tidemarkApply),
      check: () => checkDatabases(ctx, 'public.tidemark_migrations'),
    },
    {
      id: 'psql-loop',
      label: `for each database: psql -f (a transaction per file + ledger row)`,
      role: 'reference',
      runs: slowRuns,
      available: T.psql.available,
      setup: () => emptyDatabases(ctx),
      command: () => loop(list(), `psql -X -q -v ON_ERROR_STOP=1 -d "$line" -f ${quote(psql)} >/dev/null`),
      check: () => checkDatabases(ctx, 'psql_migrations'),
    },
  ];
}

const FLEET_WORKLOADS = [
  {
    id: 'fleet-db',
    title: 'fleet: 200 databases × 20 migrations, against a loop of tidemark / psql calls',
    entries: dbEntries,
  },
  {
    id: 'fleet-schemas',
    title: 'fleet: 1,000 schemas in one database × 20 migrations, against the loops',
    entries: schemas.schemaEntries,
  },
  { id: 'fleet-noop', title: 'fleet: nothing to do over 1,000 up-to-date schemas', entries: schemas.noopEntries },
  {
    id: 'fleet-memory',
    title: 'fleet: peak RSS as targets grow (100 / 1,000 / 5,000 schemas)',
    entries: schemas.memoryEntries,
  },
];

const ok = (r) => r && r.runs > 0 && !r.failure && !r.skipped;
const sec = (x) => (x < 10 ? x.toFixed(2) : x.toFixed(1));

/** Issue 17's targets, from the rows of a run (report.js adds them to the table). */
function fleetTargets(rows) {
  const get = (w, id) => rows.find((r) => r.workload === w && r.id === id);
  const out = [];
  for (const [w, what] of [
    ['fleet-db', '200 databases'],
    ['fleet-schemas', '1,000 schemas'],
  ]) {
    const fleet = get(w, 'fleet');
    const loop = get(w, 'tidemark-loop');
    if (ok(fleet) && ok(loop))
      out.push({
        target: `fleet, ${what}: ≥ 3× faster than a loop of tidemark apply at --concurrency 4 (issue 17)`,
        met: loop.median / fleet.median >= 3,
        measured: `${(loop.median / fleet.median).toFixed(2)}× (${sec(fleet.median)} s vs ${sec(loop.median)} s)`,
      });
  }
  const noop = get('fleet-noop', 'fleet-apply-noop');
  if (ok(noop))
    out.push({
      target: 'fleet: no-op apply over 1,000 up-to-date schemas < 10 s (issue 17)',
      met: noop.median < 10,
      measured: `${sec(noop.median)} s, ${noop.rssMb.toFixed(0)} MB`,
    });
  const mem = [100, 1000, 5000].map((n) => get('fleet-memory', `fleet-${n}`));
  if (mem.every(ok))
    out.push({
      target: 'fleet: peak RSS flat as targets grow: 5,000 schemas ≤ 1.5× 100 (issue 17)',
      met: mem[2].rssMb <= 1.5 * mem[0].rssMb,
      measured: mem.map((r, i) => `${[100, 1000, 5000][i]}: ${r.rssMb.toFixed(0)} MB`).join(', '),
    });
  return out;
}

module.exports = { FLEET_WORKLOADS, fleetTargets };
