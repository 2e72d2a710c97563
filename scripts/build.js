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

// pg asks "are we in a Cloudflare Worker?" when it is loaded, by constructing
// a `Response`; on Node 20 that first touch of the global loads undici, Node's
// whole fetch implementation (~15 ms of every run). The bundle is for Node
// only, so the probe answers false without looking.
const pgNodeOnly = {
  name: 'pg-node-only',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]pg[\\/]lib[\\/]stream\.js$/ }, (args) => {
      const source = fs.readFileSync(args.path, 'utf8');
      const probe = 'function isCloudflareRuntime() {';
      if (!source.includes(probe))
        return {
          contents: source,
          loader: 'js',
          warnings: [{ text: 'pg-node-only: probe not found; pg will load undici at start-up' }],
        };
      return { contents: source.replace(probe, `${probe}\n  return false;`), loader: 'js' };
    });
  },
};

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
    external: ['pg-native'],
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
