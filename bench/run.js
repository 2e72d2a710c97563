#!/usr/bin/env node
'use strict';
/**
 * tidemark's benchmark (issue 7): W1, W2, W4, W5, W6 and the scale series
 * against the local PostgreSQL, with psql baselines and installed peers
 * measured in the same run; lint (issue 15), offline, against squawk; and
 * roundtrip (issue 16): `tidemark test` against apply + rollback + apply;
 * embedded (issue 18): the embedded server's starts, and `tidemark test` on it.
 * See bench/README.md.
 *
 *   npm run bench                  full run (about 15 min)
 *   npm run bench -- --quick       smaller corpora, fewer runs (a few minutes)
 *   options: --runs N  --only W1,W2,W4,W5,W6,scale,lint,roundtrip,embedded,fleet (or fleet-db, …)  --n N  --big-mb N
 *            --lint-n N  --roundtrip-n N
 *            --scale 1000,10000  --no-peers  --keep (drop no database, before or after)  --url postgres://user@host:port
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Databases } = require('./lib/db');
const { measure, summarise, timeAvailable } = require('./lib/measure');
const { evaluateTargets, markdown, withRatios } = require('./lib/report');
const T = require('./lib/tools');
const { LINT_WORKLOAD } = require('./lib/lint-workload');
const { ROUNDTRIP_WORKLOAD } = require('./lib/roundtrip-workload');
const { EMBEDDED_WORKLOAD } = require('./lib/embedded-workload');
const { FLEET_WORKLOADS } = require('./lib/fleet-workload');
const { WORKLOADS, scaleWorkloads } = require('./lib/workloads');

function parseArgs(argv) {
  const opts = { quick: false, peers: true, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--quick') opts.quick = true;
    else if (a === '--no-peers') opts.peers = false;
    else if (a === '--keep') opts.keep = true;
    else if (a === '--runs') opts.runs = Number(value());
    else if (a === '--n') opts.n = Number(value());
    else if (a === '--big-mb') opts.bigMb = Number(value());
    else if (a === '--lint-n') opts.lintN = Number(value());
    else if (a === '--roundtrip-n') opts.roundtripN = Number(value());
    else if (a === '--only') opts.only = value().split(',');
    else if (a === '--scale') opts.scale = value().split(',').map(Number);
    else if (a === '--url') opts.url = value();
    else if (a === '--help' || a === '-h') {
      process.stdout.write(
        fs
          .readFileSync(__filename, 'utf8')
          .split('\n')
          .slice(3, 15)
          .join('\n')
          .replace(/^ \* ?/gm, '') + '\n',
      );
      process.exit(0);
    } else throw new Error(`unknown option ${a} (see --help)`);
  }
  const quick = opts.quick;
  return {
    mode: quick ? 'quick' : 'full',
    runs: opts.runs ?? (quick ? 3 : 7),
    startRuns: opts.runs ? Math.max(opts.runs, 5) : quick ? 7 : 15,
    scaleRuns: opts.runs ?? (quick ? 3 : 5),
    dbmateRollbackRuns: quick ? 1 : 3,
    n: opts.n ?? (quick ? 200 : 1000),
    lintN: opts.lintN ?? 1000,
    roundtripN: opts.roundtripN ?? 200,
    bigBytes: (opts.bigMb ?? (quick ? 10 : 50)) * 2 ** 20,
    scaleSizes: opts.scale ?? (quick ? [1000, 3000, 5000] : [1000, 10000, 50000]),
    only: opts.only ?? null,
    peers: opts.peers,
    keep: opts.keep,
    serverUrl: opts.url ?? process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432',
  };
}

const rotate = (xs, k) => xs.map((_, i) => xs[(i + k) % xs.length]);
const lastLines = (text) => text.trim().split('\n').slice(-3).join(' | ').slice(0, 400);

/** Runs one workload's entries, interleaved run by run, and summarises each. */
async function runWorkload(ctx, workload) {
  ctx.log(`\n== ${workload.id}: ${workload.title}`);
  const runs = workload.runs ? workload.runs(ctx) : ctx.runs;
  const entries = workload.entries(ctx).filter((e) => ctx.peers || e.role !== 'peer');
  const state = new Map(entries.map((e) => [e.id, { samples: [], failure: null }]));
  const live = entries.filter((e) => !e.available);
  // Start-up figures are a few tens of milliseconds: one untimed run of each first, so no entry pays for a cold page cache.
  if (workload.warmup) for (const e of live) ctx.measure(e.command({}));
  for (let run = 0; run < runs; run++) {
    for (const e of rotate(live, run)) {
      const st = state.get(e.id);
      if (st.failure || (e.runs !== undefined && run >= e.runs)) continue;
      let s = null;
      let ok = false;
      try {
        s = e.setup ? await e.setup(run) : {};
        const m = ctx.measure(e.command(s));
        if (!(e.okStatus ?? [0]).includes(m.status))
          throw new Error(
            `exit ${m.status}${m.signal ? ` (${m.signal})` : ''}${m.error ? ` ${m.error}` : ''}: ${lastLines(m.stderr || m.stdout)}`,
          );
        await e.check(s, m);
        st.samples.push(m);
        ok = true;
        ctx.log(
          `  ${e.label.padEnd(52)} run ${run + 1}/${e.runs ?? runs}: ${m.wall.toFixed(3)} s  cpu ${m.cpu.toFixed(2)} s  ${m.rssMb.toFixed(0)} MB`,
        );
      } catch (err) {
        st.failure = err.message;
        ctx.log(`  ${e.label}: FAILED (not counted): ${err.message}`);
      } finally {
        if (e.teardown && s) await e.teardown(s, run, ok).catch((err) => ctx.log(`  teardown: ${err.message}`));
      }
    }
  }
  return entries.map((e) => {
    const st = state.get(e.id);
    const base = {
      workload: workload.id,
      title: workload.title,
      id: e.id,
      label: e.label,
      role: e.role,
      size: workload.size,
    };
    if (e.available) return { ...base, runs: 0, skipped: e.available };
    return { ...base, ...(st.samples.length ? summarise(st.samples) : { runs: 0 }), failure: st.failure };
  });
}

function gitCommit() {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: T.ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'lib', 'bin', 'package.json'], {
      cwd: T.ROOT,
      encoding: 'utf8',
    }).trim();
    return dirty ? `${sha}+changes` : sha;
  } catch {
    return 'unknown';
  }
}

function preflight(ctx) {
  if (!timeAvailable()) throw new Error('/usr/bin/time is needed for peak RSS and CPU (apt-get install time).');
  if (T.psql.available)
    throw new Error(`${T.psql.available}: the baselines need it (apt-get install postgresql-client).`);
  if (!fs.existsSync(path.join(T.ROOT, 'dist', 'tidemark.js')))
    throw new Error('dist/tidemark.js is missing: run npm ci (or npm run build) first.');
  if (ctx.peers) {
    const missing = [T.dbmate, T.nodePgMigrate, T.postgrator, T.postgresMigrations, T.graphile, T.squawk].filter(
      (t) => t.available,
    );
    for (const t of missing) ctx.log(`peer skipped: ${t.available}`);
  }
}

function writeResults(rows, targets, meta) {
  const dir = path.join(T.ROOT, 'bench', 'results');
  fs.mkdirSync(dir, { recursive: true });
  const stamp = meta.date.replace(/[:]/g, '').replace(/\..*/, '').replace('T', '-');
  const md = markdown(rows, targets, meta);
  const json = JSON.stringify({ meta, targets, rows }, null, 2) + '\n';
  for (const name of [`${meta.mode}-${stamp}`, `latest-${meta.mode}`]) {
    fs.writeFileSync(path.join(dir, `${name}.md`), md);
    fs.writeFileSync(path.join(dir, `${name}.json`), json);
  }
  return { md, file: path.join(dir, `latest-${meta.mode}.md`) };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tidemark-bench-'));
  const scratch = fs.mkdtempSync(path.join(work, 'scratch-'));
  const ctx = {
    ...opts,
    work,
    dbs: new Databases(opts.serverUrl),
    log: (line) => process.stderr.write(`${line}\n`),
    measure: (cmd) => measure(cmd, scratch),
  };
  preflight(ctx);
  const started = Date.now();
  const meta = {
    mode: opts.mode,
    date: new Date().toISOString(),
    commit: gitCommit(),
    node: process.versions.node,
    server: await ctx.dbs.serverVersion(),
    serverUrl: opts.serverUrl,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown CPU',
    runs: opts.runs,
    startRuns: opts.startRuns,
    scaleRuns: opts.scaleRuns,
    n: opts.n,
    lintN: opts.lintN,
    roundtripN: opts.roundtripN,
    bigBytes: opts.bigBytes,
    scaleSizes: opts.scaleSizes,
  };
  // --keep leaves databases alone at the start too: another bench may be running on this server.
  if (!opts.keep) await ctx.dbs.dropAll();
  const wanted = (id) =>
    !opts.only ||
    opts.only.some(
      (o) => id === o || (o === 'scale' && id.startsWith('scale-')) || (o === 'fleet' && id.startsWith('fleet-')),
    );
  const workloads = [
    ...WORKLOADS,
    ...scaleWorkloads(ctx),
    LINT_WORKLOAD,
    ROUNDTRIP_WORKLOAD,
    EMBEDDED_WORKLOAD,
    ...FLEET_WORKLOADS,
  ].filter((w) => wanted(w.id));
  let rows = [];
  try {
    for (const w of workloads) rows.push(...(await runWorkload(ctx, w)));
  } finally {
    if (!opts.keep) {
      await ctx.dbs.dropAll().catch(() => {});
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
  rows = withRatios(rows);
  meta.bigBytes = ctx.big?.bytes ?? opts.bigBytes;
  meta.durationS = Math.round((Date.now() - started) / 1000);
  const targets = evaluateTargets(rows, meta);
  const { md, file } = writeResults(rows, targets, meta);
  process.stdout.write(`\n${md}\n`);
  ctx.log(`written: ${path.relative(process.cwd(), file)} (and .json); ${meta.durationS} s`);
  const failed = rows.filter((r) => r.failure);
  if (failed.length > 0) {
    ctx.log(
      `${failed.length} entr${failed.length === 1 ? 'y' : 'ies'} failed their checks: ${failed.map((r) => `${r.workload}/${r.id}`).join(', ')}`,
    );
    process.exitCode = 1;
  }
}

main().catch((err) => {
  process.stderr.write(`bench: ${err.stack || err}\n`);
  process.exitCode = 2;
});
