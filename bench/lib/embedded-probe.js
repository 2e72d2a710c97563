#!/usr/bin/env node
'use strict';
/**
 * One measured start of the embedded server (bench/lib/embedded-workload.js):
 *
 *   node bench/lib/embedded-probe.js cold   a fresh cache (XDG_CACHE_HOME given by the caller): initdb, start, SELECT 1
 *   node bench/lib/embedded-probe.js warm   from the cached template: copy, start, SELECT 1
 *   node bench/lib/embedded-probe.js db     warm start, then CREATE DATABASE … STRATEGY FILE_COPY and a query in it
 *
 * Prints one JSON line: the milliseconds to the first query (`firstQueryMs`,
 * from before the start to the answer), to the throwaway database
 * (`databaseMs`, from the CREATE DATABASE to the answer in it), and the stop.
 */
const path = require('node:path');
const { Client } = require('pg');
const { startThrowaway } = require(path.join(__dirname, '..', '..', 'dist', 'lib', 'embedded'));

async function ask(url, sql) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

async function main(mode) {
  const t0 = performance.now();
  const server = await startThrowaway();
  const result = { mode, cold: server.cold };
  try {
    const [{ one }] = await ask(server.url, 'SELECT 1 AS one');
    if (one !== 1) throw new Error('wrong answer');
    result.firstQueryMs = performance.now() - t0;
    if (mode === 'db') {
      const t1 = performance.now();
      await ask(server.url, 'CREATE DATABASE tmbench_embedded STRATEGY FILE_COPY');
      const url = server.url.replace(/\/postgres$/, '/tmbench_embedded');
      await ask(url, 'SELECT 1');
      result.databaseMs = performance.now() - t1;
    }
  } finally {
    const t2 = performance.now();
    await server.stop();
    result.stopMs = performance.now() - t2;
  }
  if (mode === 'cold' && !result.cold) throw new Error('cold: the template was already cached');
  if (mode !== 'cold' && result.cold) throw new Error(`${mode}: the template was not cached`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main(process.argv[2]).catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exitCode = 1;
});
