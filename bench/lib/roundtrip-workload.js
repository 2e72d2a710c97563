'use strict';
/**
 * roundtrip (issue 16): `tidemark test` over N generated migrations (W1's:
 * CREATE TABLE with an identity key, an index, INSERTs) against what the
 * same scripts cost when simply run: `tidemark apply`, `tidemark rollback
 * --target 0` and `tidemark apply` again, one after another on a fresh
 * database (the baseline, one measured shell command). `tidemark test` does
 * that work plus a schema snapshot after each step and the comparisons; the
 * target is at most 2× the baseline.
 */
const path = require('node:path');
const corpus = require('./corpus');
const { dbName } = require('./db');
const T = require('./tools');

const SH = '/bin/sh';

/** apply, rollback --target 0, apply: one shell command, stopping at the first failure. */
function applyRollbackApply(url, dir) {
  const steps = [T.tidemark.apply(url, dir), T.tidemark.rollbackAll(url, dir), T.tidemark.apply(url, dir)];
  const quote = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
  const script = steps.map((c) => [c.file, ...c.args].map(quote).join(' ')).join(' && ');
  return { file: SH, args: ['-c', script], env: steps[0].env, cwd: steps[0].cwd };
}

function parseJson(m) {
  try {
    return JSON.parse(m.stdout);
  } catch {
    throw new Error(`wrong output: tidemark test printed no JSON: ${JSON.stringify(m.stdout.slice(0, 200))}`);
  }
}

function roundtripEntries(ctx) {
  const n = ctx.roundtripN;
  if (!ctx.roundtripCorpus) ctx.roundtripCorpus = corpus.writeTidemark(path.join(ctx.work, 'roundtrip'), n);
  const dir = ctx.roundtripCorpus;
  const tables = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'bench\\_t%'";
  const fresh = (id) => async (run) => {
    const db = dbName('rt', id, run);
    return { db, url: await ctx.dbs.create(db) };
  };
  const teardown = (s) => ctx.dbs.drop(s.db);
  return [
    {
      id: 'apply-rollback-apply',
      label: `tidemark apply + rollback --target 0 + apply (${n})`,
      role: 'baseline',
      setup: fresh('plain'),
      command: (s) => applyRollbackApply(s.url, dir),
      async check(s) {
        const found = await ctx.dbs.count(s.db, tables);
        const ledger = await ctx.dbs.count(s.db, T.tidemark.ledger);
        if (found !== n || ledger !== n)
          throw new Error(`wrong result: expected ${n} tables and ledger rows; found ${found}, ${ledger}`);
      },
      teardown,
    },
    {
      id: 'tidemark-test',
      label: `tidemark test (${n} migrations, up → down → up each)`,
      role: 'tidemark',
      setup: fresh('test'),
      command: (s) => T.tidemark.run(['test', '--json', '--dir', dir, '--url', s.url]),
      check(_s, m) {
        const doc = parseJson(m);
        if (doc.ok !== true || doc.summary?.passed !== n)
          throw new Error(`wrong output: expected ${n} passed; got ${JSON.stringify(doc.summary)}`);
      },
      teardown,
    },
  ];
}

const ROUNDTRIP_WORKLOAD = {
  id: 'roundtrip',
  title: '`tidemark test` (up → down → up, with snapshots) against apply + rollback + apply',
  entries: roundtripEntries,
};

module.exports = { ROUNDTRIP_WORKLOAD };
