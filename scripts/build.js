#!/usr/bin/env node
// Build: tsc emits the typed library (dist/lib, with .d.ts) and fails on type
// errors; esbuild bundles the CLI into one file (dist/tidemark.js) so that a
// run loads one module instead of a few hundred.
'use strict';
const { execFileSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const root = path.resolve(__dirname, '..');

// A module that moved must not live on in dist/ from an earlier build (require
// would still find lib/config.js next to lib/config/index.js).
fs.rmSync(path.join(root, 'dist', 'lib'), { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});

// pg's start-up probe for Cloudflare answers false without loading undici (pg-node-only.js).
const { pgNodeOnly } = require('./pg-node-only');

// The build id ties dist/tidemark.js.cache (scripts/code-cache.js) to this bundle.
const buildId = randomBytes(8).toString('hex');

require('esbuild')
  .build({
    absWorkingDir: root,
    entryPoints: ['lib/cli/main.ts'],
    outfile: 'dist/tidemark.js',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // libpg-query finds its .wasm next to its own JS: it is required from node_modules, never bundled.
    external: ['pg-native', 'libpg-query'],
    sourcemap: 'linked',
    logLevel: 'warning',
    plugins: [pgNodeOnly],
    banner: { js: `// tidemark-build ${buildId}` },
  })
  .then(() => {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    execFileSync(process.execPath, [path.join(__dirname, 'code-cache.js')], { cwd: root, env, stdio: 'inherit' });
  })
  .catch(() => {
    process.exitCode = 1;
  });
