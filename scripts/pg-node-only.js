// pg asks "are we in a Cloudflare Worker?" when it is loaded, by constructing
// a `Response`; on Node 20 that first touch of the global loads undici, Node's
// whole fetch implementation (~15 ms of every run). The bundle is for Node
// only, so the probe answers false without looking. The patch is tied to the
// pg version package.json pins; __tests__/integration/pg-internals.test.ts
// fails when an upgrade moves the probe.
'use strict';
const fs = require('node:fs');

/** The start of pg's probe, in pg/lib/stream.js. */
const PROBE = 'function isCloudflareRuntime() {';

/** pg/lib/stream.js with the probe answering false, or null when the probe is not found. */
function patchPgStream(source) {
  return source.includes(PROBE) ? source.replace(PROBE, `${PROBE}\n  return false;`) : null;
}

/** The esbuild plugin that applies patchPgStream to the bundled pg. */
const pgNodeOnly = {
  name: 'pg-node-only',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/]pg[\\/]lib[\\/]stream\.js$/ }, (args) => {
      const source = fs.readFileSync(args.path, 'utf8');
      const patched = patchPgStream(source);
      if (patched === null)
        return {
          contents: source,
          loader: 'js',
          warnings: [{ text: 'pg-node-only: probe not found; pg will load undici at start-up' }],
        };
      return { contents: patched, loader: 'js' };
    });
  },
};

module.exports = { PROBE, patchPgStream, pgNodeOnly };
