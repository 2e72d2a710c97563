'use strict';
/**
 * Loads the bundled CLI, dist/tidemark.js, through the V8 code cache that
 * the build writes beside it (dist/tidemark.js.cache). Compiling the bundle
 * is about a fifth of a cold start, and `tidemark apply` with nothing to do
 * runs on every deploy.
 *
 * The cache belongs to one build: its first line is the build id that the
 * bundle's first line carries (V8 itself only compares source lengths), and
 * V8 rejects a cache made by another V8 version or with other flags. A cache
 * that is missing, stale or rejected just means a plain compile, as
 * `require` would do.
 */
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { createRequire } = require('node:module');

const BUNDLE = path.join(__dirname, '..', 'dist', 'tidemark.js');
const CACHE = `${BUNDLE}.cache`;
const BUILD_ID = /^\/\/ tidemark-build ([0-9a-f]+)\n/;

/** The cache's V8 data, if it was made for this bundle. */
function readCache(source) {
  const id = BUILD_ID.exec(source)?.[1];
  let data;
  try {
    data = fs.readFileSync(CACHE);
  } catch {
    return undefined;
  }
  const newline = data.indexOf(0x0a);
  return id && newline > 0 && data.toString('latin1', 0, newline) === id ? data.subarray(newline + 1) : undefined;
}

/**
 * Compiles and runs the bundle as a CommonJS module would be.
 * @returns {{ cli: { main(argv: string[], io?: object): Promise<number> }, script: vm.Script, buildId: string | undefined }}
 */
function loadBundle({ useCache = true } = {}) {
  const source = fs.readFileSync(BUNDLE, 'utf8');
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: BUNDLE,
    cachedData: useCache ? readCache(source) : undefined,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(BUNDLE), module, BUNDLE, path.dirname(BUNDLE));
  return { cli: module.exports, script, buildId: BUILD_ID.exec(source)?.[1] };
}

module.exports = { loadBundle, CACHE };
