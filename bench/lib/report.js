'use strict';
/**
 * The results table (markdown and JSON) and the verdict on each target of
 * issue 7. Every ratio is a ratio of medians measured in the same run.
 */

const NODE_PEERS = new Set([
  'node-pg-migrate',
  'node-pg-migrate-1tx',
  'postgrator',
  'postgres-migrations',
  'graphile-migrate',
]);

const s = (x) => (Number.isFinite(x) ? (x < 0.1 ? x.toFixed(3) : x < 10 ? x.toFixed(2) : x.toFixed(1)) : '–');
const ratio = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '–');
const mb = (x) => (Number.isFinite(x) ? x.toFixed(0) : '–');

/** Adds `ratio` (median / the workload baseline's median) to every row. */
function withRatios(rows) {
  return rows.map((r) => {
    const base = rows.find((b) => b.workload === r.workload && b.role === 'baseline' && b.runs > 0);
    return { ...r, ratio: base && r.runs > 0 ? r.median / base.median : NaN };
  });
}

function ok(r) {
  return r && r.runs > 0 && !r.failure && !r.skipped;
}

/** Each target of issue 7: what was measured, and met (true/false) or null when it could not be measured. */
function evaluateTargets(rows, meta) {
  const get = (w, id) => rows.find((r) => r.workload === w && r.id === id);
  const out = [];
  const push = (target, met, measured) => out.push({ target, met, measured });
  const fastest = (w, pred) =>
    rows
      .filter((r) => r.workload === w && r.role === 'peer' && ok(r) && pred(r))
      .sort((a, b) => a.median - b.median)[0];

  const t1 = get('W1', 'tidemark');
  const b1 = get('W1', 'psql-tracked');
  if (ok(t1) && ok(b1)) {
    push(
      'W1: ≤ 1.1× psql (a transaction per file + ledger row)',
      t1.median / b1.median <= 1.1,
      `${ratio(t1.median / b1.median)} (${s(t1.median)} s vs ${s(b1.median)} s)`,
    );
    const peer = fastest('W1', () => true);
    push(
      'W1: faster than every peer',
      peer ? t1.median < peer.median : null,
      peer
        ? `${s(t1.median)} s vs fastest peer ${peer.id} ${s(peer.median)} s (${ratio(t1.median / peer.median)})`
        : 'no peer measured',
    );
    push(
      'W1: client CPU ≤ 0.8 s for 1000 migrations',
      meta.n === 1000 ? t1.cpu <= 0.8 : null,
      `${s(t1.cpu)} s for ${meta.n} (psql ${s(b1.cpu)} s)`,
    );
  }
  const t2 = get('W2', 'tidemark');
  const d2 = get('W2', 'dbmate');
  const ts = get('W2', 'tidemark-status');
  const ds = get('W2', 'dbmate-status');
  // The floor of any Node CLI: bare `node -e 0` from W6, against dbmate's Go binary.
  const node = get('W6', 'node');
  const floor = (x) => (ok(node) && ok(x) ? `; bare node -e 0 alone is ${ratio(node.median / x.median)}` : '');
  if (ok(t2) && ok(d2))
    push(
      'W2: no-op apply ≤ 2× dbmate',
      t2.median / d2.median <= 2,
      `${ratio(t2.median / d2.median)} (${s(t2.median)} s vs ${s(d2.median)} s)${floor(d2)}`,
    );
  if (ok(ts) && ok(ds))
    push(
      'W2: status ≤ 2× dbmate status',
      ts.median / ds.median <= 2,
      `${ratio(ts.median / ds.median)} (${s(ts.median)} s vs ${s(ds.median)} s)${floor(ds)}`,
    );
  if (ok(t2)) {
    const peer = fastest('W2', (r) => NODE_PEERS.has(r.id));
    const nodeFloor = peer && ok(node) ? `; ${peer.id} is ${ratio(peer.median / node.median)} bare node -e 0` : '';
    if (peer)
      push(
        'W2: ≥ 3× faster than the fastest Node peer',
        peer.median / t2.median >= 3,
        `${ratio(peer.median / t2.median)} (${peer.id} ${s(peer.median)} s)${nodeFloor}`,
      );
  }
  const t4 = get('W4', 'tidemark');
  const b4 = get('W4', 'psql-per-file');
  if (ok(t4) && ok(b4))
    push(
      'W4: ≤ 1.3× psql (a transaction per file)',
      t4.median / b4.median <= 1.3,
      `${ratio(t4.median / b4.median)} (${s(t4.median)} s vs ${s(b4.median)} s)`,
    );
  const t5 = get('W5', 'tidemark');
  const b5 = get('W5', 'psql-1');
  if (ok(t5) && ok(b5)) {
    push(
      'W5: ≤ 1.1× psql -1 -f',
      t5.median / b5.median <= 1.1,
      `${ratio(t5.median / b5.median)} (${s(t5.median)} s vs ${s(b5.median)} s)`,
    );
    const peers = rows.filter((r) => r.workload === 'W5' && NODE_PEERS.has(r.id) && ok(r));
    const lowest = peers.sort((a, b) => a.rssMaxMb - b.rssMaxMb)[0];
    if (lowest)
      push(
        'W5: peak RSS below every Node peer',
        t5.rssMaxMb < lowest.rssMaxMb,
        `${mb(t5.rssMaxMb)} MB vs ${lowest.id} ${mb(lowest.rssMaxMb)} MB`,
      );
    const fileMb = meta.bigBytes / 2 ** 20;
    push(
      'W5: peak RSS ≤ 3× the file size (a 50 MB file)',
      fileMb >= 49 ? t5.rssMaxMb <= 3 * fileMb : null,
      `${mb(t5.rssMaxMb)} MB for a ${mb(fileMb)} MB file (${ratio(t5.rssMaxMb / fileMb)})`,
    );
  }
  const t5m = get('W5', 'tidemark-mentions');
  const b5m = get('W5', 'psql-1-mentions');
  if (ok(t5m) && ok(b5m)) {
    push(
      'W5, data mentions vacuum/database: ≤ 1.1× psql -1 -f',
      t5m.median / b5m.median <= 1.1,
      `${ratio(t5m.median / b5m.median)} (${s(t5m.median)} s vs ${s(b5m.median)} s)`,
    );
    const fileMb = meta.bigBytes / 2 ** 20;
    push(
      'W5, data mentions vacuum/database: peak RSS ≤ 3× the file size',
      fileMb >= 49 ? t5m.rssMaxMb <= 3 * fileMb : null,
      `${mb(t5m.rssMaxMb)} MB for a ${mb(fileMb)} MB file (${ratio(t5m.rssMaxMb / fileMb)})`,
    );
  }
  const t6 = get('W6', 'tidemark');
  const b6 = get('W6', 'node');
  if (ok(t6) && ok(b6))
    push(
      'W6: --help ≤ 1.5× node -e 0',
      t6.median / b6.median <= 1.5,
      `${ratio(t6.median / b6.median)} (${s(t6.median)} s vs ${s(b6.median)} s)`,
    );
  const tl = get('lint', 'tidemark');
  const sq = get('lint', 'squawk');
  if (ok(tl))
    push(
      `lint: ${meta.lintN} migrations in under 2 s wall (issue 15)`,
      tl.median < 2,
      `${s(tl.median)} s${ok(sq) ? `; squawk ${s(sq.median)} s (${ratio(tl.median / sq.median)})` : ''}`,
    );
  out.push(...require('./fleet-workload').fleetTargets(rows));
  const tr = get('roundtrip', 'tidemark-test');
  const br = get('roundtrip', 'apply-rollback-apply');
  if (ok(tr) && ok(br))
    push(
      `roundtrip: tidemark test on ${meta.roundtripN} migrations ≤ 2× apply + rollback + apply (issue 16)`,
      tr.median / br.median <= 2,
      `${ratio(tr.median / br.median)} (${s(tr.median)} s vs ${s(br.median)} s)`,
    );
  out.push(...embeddedTargets(rows, get));
  out.push(...scaleTargets(rows));
  return out;
}

/** The embedded server (issue 18): warm start to the first query, and `tidemark test` against the real server. */
function embeddedTargets(rows, get) {
  const out = [];
  const warm = get('embedded', 'warm-start');
  if (ok(warm))
    out.push({
      target: 'embedded: warm start (template copy) to the first query < 0.5 s (issue 18)',
      met: warm.probeMs / 1000 < 0.5,
      measured: `${s(warm.probeMs / 1000)} s in the process (${s(warm.median)} s for the whole process, node's start and the stop included)`,
    });
  const te = get('embedded', 'test-embedded');
  const tr = get('embedded', 'test-real');
  if (ok(te) && ok(tr))
    out.push({
      target: 'embedded: tidemark test on sql/ ≤ 1.5× the same on the local real server (issue 18)',
      met: te.median / tr.median <= 1.5,
      measured: `${ratio(te.median / tr.median)} (${s(te.median)} s vs ${s(tr.median)} s; the embedded one starts and stops its server)`,
    });
  return out;
}

/** Linear growth: the marginal cost per migration over the last interval is at most 1.3× that over the first. */
function scaleTargets(rows) {
  const scaleRows = rows.filter((r) => r.workload.startsWith('scale-') && ok(r));
  const out = [];
  for (const id of [...new Set(scaleRows.map((r) => r.id))]) {
    const series = scaleRows.filter((r) => r.id === id).sort((a, b) => a.size - b.size);
    if (series.length < 3) continue;
    const slope = (a, b) => (b.median - a.median) / (b.size - a.size);
    const first = slope(series[0], series[1]);
    const last = slope(series[series.length - 2], series[series.length - 1]);
    const perMig = series.map((r) => `${r.size}: ${((r.median / r.size) * 1e6).toFixed(0)} µs`).join(', ');
    out.push({
      target: `scale: ${series[0].label} grows linearly`,
      met: last <= 1.3 * first,
      measured: `marginal ${(first * 1e6).toFixed(0)} → ${(last * 1e6).toFixed(0)} µs/migration; per migration ${perMig}`,
    });
  }
  return out;
}

function markdown(rows, targets, meta) {
  const lines = [];
  lines.push(`# tidemark benchmark — ${meta.mode} run, ${meta.date}`, '');
  lines.push(
    `tidemark ${meta.commit}; Node ${meta.node}; PostgreSQL ${meta.server} on ${meta.serverUrl.replace(/\/\/[^@]*@/, '//')}; ${meta.cpus}× ${meta.cpuModel}; ` +
      `${meta.runs} runs per entry (W6 ${meta.startRuns}, scale ${meta.scaleRuns}), interleaved. N = ${meta.n} migrations; W5 file ${mb(meta.bigBytes / 2 ** 20)} MB.`,
    '',
    "Wall seconds: median and min–max. × = median / the workload baseline's median (**bold** row). CPU = user + system seconds of the client process tree (median). RSS = peak resident set of the client, max over runs.",
    '',
  );
  for (const workload of [...new Set(rows.map((r) => r.workload))]) {
    const group = rows.filter((r) => r.workload === workload);
    const scale = workload.startsWith('scale-');
    lines.push(`## ${workload}: ${group[0].title}`, '');
    lines.push(
      scale
        ? '| command | median s | min–max s | µs / migration | CPU s | RSS MB | runs |'
        : '| tool | median s | min–max s | × baseline | CPU s | RSS MB | runs |',
    );
    lines.push(scale ? '|---|---:|---:|---:|---:|---:|---:|' : '|---|---:|---:|---:|---:|---:|---:|');
    for (const r of group) {
      const name = r.role === 'baseline' ? `**${r.label}**` : r.role === 'tidemark' ? `*${r.label}*` : r.label;
      if (r.skipped || (r.failure && r.runs === 0)) {
        lines.push(`| ${name} | ${r.skipped ? `skipped: ${r.skipped}` : `FAILED: ${r.failure}`} | | | | | 0 |`);
        continue;
      }
      const fail = r.failure ? ` (then failed: ${r.failure})` : '';
      const fourth = scale ? ((r.median / r.size) * 1e6).toFixed(0) : ratio(r.ratio);
      lines.push(
        `| ${name}${fail} | ${s(r.median)} | ${s(r.min)}–${s(r.max)} | ${fourth} | ${s(r.cpu)} | ${mb(r.rssMaxMb)} | ${r.runs} |`,
      );
    }
    lines.push('');
  }
  lines.push('## Targets (issues 7, 15 and 16)', '', '| target | met | measured |', '|---|---|---|');
  for (const t of targets)
    lines.push(`| ${t.target} | ${t.met === null ? 'n/a' : t.met ? 'yes' : '**no**'} | ${t.measured} |`);
  lines.push('');
  return lines.join('\n');
}

module.exports = { withRatios, evaluateTargets, markdown };
