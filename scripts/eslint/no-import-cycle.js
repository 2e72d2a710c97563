// ESLint rule: no import cycle inside lib/, counting `import type` too.
// import-x/no-cycle skips type-only imports; the layer table counts them
// ("types count as imports too"), because a type cycle is still two modules
// that cannot be understood one without the other.
//
// The graph of lib/ is read once per lint run (a regex over import/export
// … from '…' lines is enough for our code, which has no dynamic imports
// between modules), then each file that lies on a cycle reports it at the
// import that closes it.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const IMPORT = /^\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gm;
const graphs = new Map();

function resolveModule(fromFile, spec) {
  const base = path.resolve(path.dirname(fromFile), spec);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) if (fs.existsSync(candidate)) return candidate;
  return null;
}

function listTs(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return listTs(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

function readGraph(root) {
  const edges = new Map();
  for (const file of listTs(root)) {
    const targets = new Map();
    for (const match of fs.readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = resolveModule(file, match[1]);
      if (target && target.startsWith(root)) targets.set(target, match[1]);
    }
    edges.set(file, targets);
  }
  return edges;
}

/** A shortest path from `from` back to `to` in the graph, or null. */
function pathBack(edges, from, to) {
  const previous = new Map([[from, null]]);
  const queue = [from];
  while (queue.length > 0) {
    const node = queue.shift();
    if (node === to) {
      const chain = [];
      for (let at = node; at !== null; at = previous.get(at)) chain.unshift(at);
      return chain;
    }
    for (const next of (edges.get(node) ?? new Map()).keys()) {
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return null;
}

module.exports = {
  meta: {
    type: 'problem',
    docs: { description: 'no import cycles in lib/, type-only imports included' },
    schema: [{ type: 'object', properties: { root: { type: 'string' } }, additionalProperties: false }],
  },
  create(context) {
    const root = path.resolve(context.options[0]?.root ?? 'lib');
    const file = path.resolve(context.filename);
    if (!file.startsWith(root + path.sep)) return {};
    if (!graphs.has(root)) graphs.set(root, readGraph(root));
    const edges = graphs.get(root);
    const check = (node) => {
      const spec = node.source?.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = resolveModule(file, spec);
      const chain = target && pathBack(edges, target, file);
      if (!chain) return;
      const names = [file, ...chain].map((f) => path.relative(root, f));
      context.report({ node, message: `Import cycle: ${names.join(' → ')}` });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check };
  },
};
