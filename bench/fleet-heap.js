#!/usr/bin/env node
/**
 * What a fleet run keeps per target: heap after a full GC, before and after
 * `fleet()` (the library) applies one migration to N tenant schemas, for each
 * N given. The slope between sizes is the memory a target costs (the result
 * the final report needs); the rest is flat. Issue 17's "memory stays flat".
 *
 *   npm run build && node --expose-gc bench/fleet-heap.js 300 1500 5000
 *   (--url postgres://user@host:port, default 127.0.0.1:5432; the database
 *    tmfleet_heap_<N> is created and dropped)
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Client } = require('pg');
const { fleet } = require('../dist/lib/index.js');

async function measure(base, n) {
  const db = `tmfleet_heap_${n}`;
  const admin = new Client({ connectionString: `${base}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${db}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidemark-fleet-heap-'));
  fs.writeFileSync(path.join(dir, '001_a.up.sql'), 'CREATE TABLE a (id int);\n');
  fs.writeFileSync(path.join(dir, '001_a.down.sql'), 'DROP TABLE a;\n');
  const targets = Array.from({ length: n }, (_, i) => ({ name: `t${i}`, schema: `s${i}`, labels: {} }));
  try {
    global.gc();
    const before = process.memoryUsage().heapUsed;
    const report = await fleet({
      url: `${base}/${db}`,
      dir,
      command: 'apply',
      targets,
      policy: { concurrency: 4 },
      runDir: dir,
    });
    global.gc();
    const after = process.memoryUsage().heapUsed;
    if (report.exitCode !== 0) throw new Error(`fleet apply exited ${report.exitCode}`);
    return { n, keptMb: (after - before) / 1e6, rssMb: process.memoryUsage().rss / 1e6 };
  } finally {
    await admin.query(`DROP DATABASE ${db} WITH (FORCE)`);
    await admin.end();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  if (typeof global.gc !== 'function') throw new Error('run with node --expose-gc');
  const args = process.argv.slice(2);
  const i = args.indexOf('--url');
  const base = i >= 0 ? args.splice(i, 2)[1].replace(/\/[^/]*$/, '') : 'postgres://postgres@127.0.0.1:5432';
  const sizes = args.length > 0 ? args.map(Number) : [300, 1500, 5000];
  const rows = [];
  for (const n of sizes) {
    rows.push(await measure(base, n));
    const r = rows.at(-1);
    console.log(`${r.n} targets: heap kept after GC ${r.keptMb.toFixed(2)} MB, process RSS ${r.rssMb.toFixed(0)} MB`);
  }
  for (let k = 1; k < rows.length; k++) {
    const [a, b] = [rows[k - 1], rows[k]];
    console.log(
      `${a.n} → ${b.n}: ${(((b.keptMb - a.keptMb) * 1e6) / (b.n - a.n)).toFixed(0)} bytes kept per extra target`,
    );
  }
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
