#!/usr/bin/env node
'use strict';
/**
 * How long `tidemark lint --url` spends reading live facts: a database with
 * N tables (each with rows, a primary key, a second index and a validated
 * CHECK (col IS NOT NULL)), and the one catalog query of
 * lib/db/lint-facts.ts timed over several runs (median) for 20 named
 * tables (readLiveFacts), as `tidemark lint --url` reads them.
 *
 *   node bench/lint-facts.js [--tables 1000,10000] [--runs 9] [--url postgres://postgres@127.0.0.1:5432]
 *
 * The TypeScript module is bundled in memory with esbuild (no build step).
 */
const path = require('node:path');
const { buildSync } = require('esbuild');
const { Client } = require('pg');
const { Databases } = require('./lib/db');
const { median } = require('./lib/measure');

function loadFacts() {
  const out = buildSync({
    entryPoints: [path.join(__dirname, '..', 'lib', 'db', 'lint-facts.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    external: ['pg', 'libpg-query'],
  });
  const mod = { exports: {} };
  new Function('module', 'exports', 'require', out.outputFiles[0].text)(mod, mod.exports, require);
  return mod.exports;
}

function parseArgs(argv) {
  const opts = { tables: [1000], runs: 9, url: process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432' };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--tables') opts.tables = argv[++i].split(',').map(Number);
    else if (argv[i] === '--runs') opts.runs = Number(argv[++i]);
    else if (argv[i] === '--url') opts.url = argv[++i];
    else throw new Error(`unknown option ${argv[i]}`);
  }
  return opts;
}

async function populate(client, n) {
  for (let from = 1; from <= n; from += 500) {
    const to = Math.min(n, from + 499);
    await client.query(`DO $$ BEGIN FOR i IN ${from}..${to} LOOP
      EXECUTE format('CREATE TABLE t%s (id bigint PRIMARY KEY, owner_id bigint, note text,
                      CONSTRAINT t%s_note_nn CHECK (note IS NOT NULL))', i, i);
      EXECUTE format('CREATE INDEX ON t%s (owner_id, id)', i);
      EXECUTE format('INSERT INTO t%s SELECT g, g %% 7, ''n'' FROM generate_series(1, 50) g', i);
    END LOOP; END $$`);
  }
  await client.query('ANALYZE');
}

async function time(runs, fn) {
  const samples = [];
  for (let run = 0; run < runs; run++) {
    const started = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return { median: median(samples), min: Math.min(...samples), max: Math.max(...samples) };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const facts = loadFacts();
  const dbs = new Databases(opts.url);
  for (const n of opts.tables) {
    const name = `tmbench_facts_${n}`;
    const url = await dbs.create(name);
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      await populate(client, n);
      const named = Array.from({ length: 20 }, (_, i) => ({ name: `t${1 + Math.floor((i * n) / 20)}` }));
      const some = await time(opts.runs, () => facts.readLiveFacts(client, named));
      const ms = (t) => `${t.median.toFixed(1)} ms (min ${t.min.toFixed(1)}, max ${t.max.toFixed(1)})`;
      process.stdout.write(`${n} tables: 20 named tables ${ms(some)}\n`);
    } finally {
      await client.end();
      await dbs.drop(name);
    }
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exitCode = 1;
});
