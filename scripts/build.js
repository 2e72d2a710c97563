#!/usr/bin/env node
// Build: tsc emits the typed library (dist/lib, with .d.ts) and fails on type
// errors; esbuild bundles the CLI into one file (dist/tidemark.js) so that a
// run loads one module instead of a few hundred.
'use strict';
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const root = path.resolve(__dirname, '..');

execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});

require('esbuild').buildSync({
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
});
