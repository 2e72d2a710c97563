#!/usr/bin/env node
// Writes dist/tidemark.js.cache, the V8 code cache that bin/load-bundle.js
// loads the CLI bundle with. Run by the build, in a child process with no
// Node flags (V8 rejects a cache made with other flags). The cache holds the
// functions compiled so far, so it is made after a few representative runs
// that need no server: --help, verify --offline and create on a scratch
// directory, and status against a closed local port (the connection code).
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { loadBundle, CACHE } = require('../bin/load-bundle.js');

async function main() {
  const { cli, script, buildId } = loadBundle({ useCache: false });
  if (!buildId) throw new Error('dist/tidemark.js has no build id banner');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidemark-cache-'));
  const quiet = { stdout: { write() {} }, stderr: { write() {} }, env: {} };
  try {
    fs.writeFileSync(path.join(dir, '001_first.up.sql'), 'CREATE TABLE t (id bigint PRIMARY KEY);\n');
    fs.writeFileSync(path.join(dir, '001_first.down.sql'), 'DROP TABLE t;\n');
    await cli.main(['--help'], quiet);
    await cli.main(['apply', '--help'], quiet);
    await cli.main(['create', 'second', '--dir', dir], quiet);
    await cli.main(['verify', '--offline', '--dir', dir], quiet);
    await cli.main(['status', '--dir', dir, '--url', 'postgres://tidemark@127.0.0.1:1/none'], quiet);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  fs.writeFileSync(CACHE, Buffer.concat([Buffer.from(`${buildId}\n`, 'latin1'), script.createCachedData()]));
}

main().catch((err) => {
  process.stderr.write(`code cache not written: ${err.stack || err}\n`);
  fs.rmSync(CACHE, { force: true });
});
