'use strict';
/**
 * fleet (issue 17), tenant schemas: 1,000 schemas in one database × 20
 * migrations (fleet against the loops), the no-op over 1,000 up-to-date
 * schemas, and peak RSS over 100 / 1,000 / 5,000 schemas. See fleet-workload.js.
 */
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const corpus = require('./corpus');
const { fleetDbName: dbName } = require('./db');
const T = require('./tools');
const { scripts, loop, commandLine, N_MIGRATIONS } = require('./fleet-shared');

const SCHEMAS = 1000;
const quote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
/** tidemark in the bench's work folder (a fleet writes its run files to ./.tidemark/runs). */
const node = (ctx, args) => ({ ...T.tidemark.run(args), cwd: ctx.work });
const tenants = (n) => Array.from({ length: n }, (_, i) => `tenant_${i}`);

/** A fresh database `name` with `n` empty tenant schemas; writes its targets file and list. */
async function schemaDatabase(ctx, name, n) {
  const url = await ctx.dbs.create(name);
  const names = tenants(n);
  for (let i = 0; i < n; i += 1000)
    await ctx.dbs.query(
      name,
      names
        .slice(i, i + 1000)
        .map((s) => `CREATE SCHEMA ${s};`)
        .join('\n'),
    );
  const dir = path.join(ctx.work, 'fleet');
  const targets = path.join(dir, `${name}-targets.json`);
  fs.writeFileSync(targets, JSON.stringify(names.map((s) => ({ name: s, url, schema: s }))));
  const list = path.join(dir, `${name}-schemas.txt`);
  fs.writeFileSync(list, `${names.join('\n')}\n`);
  return { db: name, url, targets, list, n };
}

/** Every schema holds `ledger` with `rows` rows and the last migration's table. */
async function checkSchemas(ctx, s, ledger, rows, lastTable) {
  const sum = `SELECT count(*) AS tables, coalesce(sum((xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', schemaname, tablename), false, true, '')))[1]::text::int), 0) AS rows
    FROM pg_tables WHERE tablename = '${ledger}' AND schemaname LIKE 'tenant\\_%'`;
  const [found] = await ctx.dbs.query(s.db, sum);
  const last = await ctx.dbs.count(
    s.db,
    `SELECT count(*) FROM pg_tables WHERE tablename = '${lastTable}' AND schemaname LIKE 'tenant\\_%'`,
  );
  if (Number(found.tables) !== s.n || Number(found.rows) !== s.n * rows || last !== s.n)
    throw new Error(
      `wrong result: ${found.tables} ledgers, ${found.rows} ledger rows, ${last} tables ${lastTable}; expected ${s.n}, ${s.n * rows}, ${s.n}`,
    );
}

function schemaEntries(ctx) {
  const { dir, psql } = scripts(ctx);
  const slowRuns = ctx.mode === 'quick' ? 1 : 2;
  const fresh = (id) => (run) => schemaDatabase(ctx, dbName('fleet', 'schemas', id, run), SCHEMAS);
  const teardown = (s) => ctx.dbs.drop(s.db);
  const apply = (s) =>
    commandLine(node(ctx, ['apply', '--dir', dir, '--url', s.url, '--schema', 'SCHEMA'])).replace(
      "'SCHEMA'",
      '"$line"',
    );
  const tenantPath = 'PGOPTIONS="-c search_path=$line"';
  return [
    {
      id: 'fleet',
      label: `tidemark fleet apply --concurrency 4 (${SCHEMAS} schemas)`,
      role: 'tidemark',
      setup: fresh('fleet'),
      command: (s) => node(ctx, ['fleet', 'apply', '--dir', dir, '--targets', s.targets, '--concurrency', '4']),
      check: (s) => checkSchemas(ctx, s, 'tidemark_migrations', N_MIGRATIONS, 'bench_t0020'),
      teardown,
    },
    {
      id: 'tidemark-loop',
      label: `for each schema: PGOPTIONS=search_path tidemark apply --schema (${SCHEMAS} calls)`,
      role: 'baseline',
      runs: slowRuns,
      setup: fresh('loop'),
      command: (s) => loop(s.list, `${tenantPath} ${apply(s)}`),
      check: (s) => checkSchemas(ctx, s, 'tidemark_migrations', N_MIGRATIONS, 'bench_t0020'),
      teardown,
    },
    {
      id: 'psql-loop',
      label: 'for each schema: PGOPTIONS=search_path psql -f',
      role: 'reference',
      runs: slowRuns,
      available: T.psql.available,
      setup: fresh('psql'),
      command: (s) =>
        loop(s.list, `${tenantPath} psql -X -q -v ON_ERROR_STOP=1 -d ${quote(s.url)} -f ${quote(psql)} >/dev/null`),
      check: (s) => checkSchemas(ctx, s, 'psql_migrations', N_MIGRATIONS, 'bench_t0020'),
      teardown,
    },
  ];
}

/** 1,000 schemas migrated once (not measured), for the no-op runs. */
async function migratedSchemas(ctx) {
  if (ctx.fleetNoop) return ctx.fleetNoop;
  const { dir } = scripts(ctx);
  const s = await schemaDatabase(ctx, dbName('fleet', 'noop'), SCHEMAS);
  const c = node(ctx, ['fleet', 'apply', '--dir', dir, '--targets', s.targets, '--concurrency', '8', '--quiet']);
  const r = spawnSync(c.file, c.args, { env: c.env, cwd: c.cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`setup: fleet apply exited ${r.status}: ${r.stderr.slice(-300)}`);
  ctx.fleetNoop = s;
  return s;
}

function noopEntries(ctx) {
  const { dir } = scripts(ctx);
  const parse = (m) => JSON.parse(m.stdout);
  return [
    {
      id: 'fleet-apply-noop',
      label: `tidemark fleet apply, nothing to do (${SCHEMAS} schemas)`,
      role: 'tidemark',
      setup: () => migratedSchemas(ctx),
      command: (s) => node(ctx, ['fleet', 'apply', '--dir', dir, '--targets', s.targets, '--json']),
      check: (_s, m) => {
        const doc = parse(m);
        if (doc.counts.up_to_date !== SCHEMAS) throw new Error(`wrong output: ${JSON.stringify(doc.counts)}`);
      },
    },
    {
      id: 'fleet-status',
      label: `tidemark fleet status (${SCHEMAS} schemas)`,
      role: 'reference',
      setup: () => migratedSchemas(ctx),
      command: (s) => node(ctx, ['fleet', 'status', '--dir', dir, '--targets', s.targets, '--json']),
      check: (_s, m) => {
        const doc = parse(m);
        if (doc.groups.up_to_date.length !== SCHEMAS) throw new Error(`wrong output: ${JSON.stringify(doc.counts)}`);
      },
    },
  ];
}

const MEMORY_SIZES = [100, 1000, 5000];

function memoryEntries(ctx) {
  if (!ctx.fleetSmall) ctx.fleetSmall = corpus.writeTidemark(path.join(ctx.work, 'fleet', 'small'), 2);
  const dir = ctx.fleetSmall;
  return MEMORY_SIZES.map((n) => ({
    id: `fleet-${n}`,
    label: `tidemark fleet apply, 2 migrations × ${n} schemas`,
    role: n === MEMORY_SIZES[0] ? 'baseline' : 'tidemark',
    runs: ctx.mode === 'quick' ? 1 : 3,
    setup: (run) => schemaDatabase(ctx, dbName('fleet', 'mem', String(n), run), n),
    command: (s) =>
      node(ctx, ['fleet', 'apply', '--dir', dir, '--targets', s.targets, '--concurrency', '4', '--quiet']),
    check: (s) => checkSchemas(ctx, s, 'tidemark_migrations', 2, 'bench_t0002'),
    teardown: (s) => ctx.dbs.drop(s.db),
  }));
}

module.exports = { schemaEntries, noopEntries, memoryEntries };
