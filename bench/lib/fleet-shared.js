'use strict';
/** What the fleet workloads share: the corpus, the shell loop, parallel connections. */
const path = require('node:path');
const { Client } = require('pg');
const corpus = require('./corpus');
const T = require('./tools');

const N_MIGRATIONS = 20;
const SH = '/bin/sh';
const quote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
const commandLine = (c) => [c.file, ...c.args].map(quote).join(' ');

/** Runs `fn(client, item)` for every item on `width` connections to `url` at once. */
async function onConnections(url, items, fn, width = 8) {
  const queue = [...items];
  const worker = async () => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(client, item);
    } finally {
      await client.end();
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

/** The corpus (20 of W1's migrations) and its psql script, written once. */
function scripts(ctx) {
  if (!ctx.fleetCorpus) {
    const dir = corpus.writeTidemark(path.join(ctx.work, 'fleet', 'sql'), N_MIGRATIONS);
    const psql = corpus.writePsqlScripts(path.join(ctx.work, 'fleet', 'psql'), dir, N_MIGRATIONS);
    ctx.fleetCorpus = { dir, psql: psql.tracked };
  }
  return ctx.fleetCorpus;
}

/** A shell loop over the lines of `list`, one command per line ($1 the line); stops at the first failure. */
function loop(list, perLine, env = {}) {
  const script = `while IFS= read -r line; do ${perLine} || exit 1; done < ${quote(list)}`;
  return { file: SH, args: ['-c', script], env: { ...T.tidemark.run([]).env, ...env }, cwd: T.ROOT };
}

module.exports = { onConnections, scripts, loop, commandLine, quote, N_MIGRATIONS };
