'use strict';
/**
 * embedded (issue 18): the embedded PostgreSQL (`--url embedded`), in one run:
 *   - cold start: a fresh cache, so initdb runs, then start and the first query;
 *   - warm start: from the cached template (a copy), start and the first query;
 *   - a throwaway database on it (CREATE DATABASE … STRATEGY FILE_COPY);
 *   - `tidemark test` on sql/ with `--url embedded` (the server's start and
 *     stop included) against the same command on the local real server.
 * Each start entry is one process (bench/lib/embedded-probe.js): its wall
 * time includes node's start and the server's stop; the probe's own figures
 * (milliseconds to the first query) are logged and kept in the row.
 * Targets: warm start to the first query under 0.5 s; `tidemark test` on sql/
 * within 1.5× of the real server.
 */
const fs = require('node:fs');
const path = require('node:path');
const T = require('./tools');

const PROBE = path.join(__dirname, 'embedded-probe.js');
const SQL = path.join(T.ROOT, 'sql');

function probeResult(m) {
  try {
    return JSON.parse(m.stdout.trim().split('\n').pop());
  } catch {
    throw new Error(`wrong output: the probe printed no JSON: ${JSON.stringify(m.stdout.slice(0, 200))}`);
  }
}

function testPassed(m) {
  let doc;
  try {
    doc = JSON.parse(m.stdout);
  } catch {
    throw new Error(`wrong output: tidemark test printed no JSON: ${JSON.stringify(m.stdout.slice(0, 200))}`);
  }
  const files = fs.readdirSync(SQL).filter((f) => f.endsWith('.up.sql')).length;
  if (doc.ok !== true || doc.summary?.passed !== files)
    throw new Error(`wrong output: expected ${files} passed; got ${JSON.stringify(doc.summary)}`);
}

function probeEntry(ctx, id, label, mode, figure) {
  const cache = (run) => path.join(ctx.work, `embedded-cache-${run}`);
  return {
    id,
    label,
    role: 'tidemark',
    setup: async (run) => ({ run }),
    command: (s) => {
      // cold: a cache of its own per run, so initdb runs every time.
      const extra = mode === 'cold' ? { XDG_CACHE_HOME: cache(s.run ?? 'warmup') } : {};
      return { file: process.execPath, args: [PROBE, mode], env: T.cleanEnv(extra), cwd: T.ROOT };
    },
    check(_s, m) {
      const result = probeResult(m);
      m.probeMs = result[figure];
      ctx.log(`    ${figure}: ${result[figure].toFixed(0)} ms (stop ${result.stopMs.toFixed(0)} ms)`);
    },
    teardown: async (s) => fs.rmSync(cache(s.run), { recursive: true, force: true }),
  };
}

function embeddedEntries(ctx) {
  const real = `${ctx.serverUrl.replace(/\/+$/, '')}/postgres`;
  return [
    probeEntry(ctx, 'cold-start', 'cold start (initdb) to the first query', 'cold', 'firstQueryMs'),
    probeEntry(ctx, 'warm-start', 'warm start (template copy) to the first query', 'warm', 'firstQueryMs'),
    probeEntry(ctx, 'throwaway-db', 'warm start + CREATE DATABASE … FILE_COPY', 'db', 'databaseMs'),
    {
      id: 'test-real',
      label: 'tidemark test on sql/, the local real server',
      role: 'baseline',
      command: () => T.tidemark.run(['test', '--json', '--dir', SQL, '--url', real]),
      check: (_s, m) => testPassed(m),
    },
    {
      id: 'test-embedded',
      label: 'tidemark test on sql/, --url embedded',
      role: 'tidemark',
      command: () => T.tidemark.run(['test', '--json', '--dir', SQL, '--url', 'embedded']),
      check: (_s, m) => testPassed(m),
    },
  ];
}

const EMBEDDED_WORKLOAD = {
  id: 'embedded',
  title:
    'the embedded PostgreSQL: cold and warm start, a throwaway database, `tidemark test` on sql/ against the real server',
  entries: embeddedEntries,
};

module.exports = { EMBEDDED_WORKLOAD };
