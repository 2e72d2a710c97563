'use strict';
/**
 * The lint workload (issue 15): `tidemark lint` over a corpus of N
 * migrations, offline, against squawk on the same files. The corpus is a
 * realistic mix, each file a few statements: new tables with their indexes,
 * indexes on existing tables (some CONCURRENTLY, in no-transaction files),
 * columns added with defaults, foreign keys added NOT VALID then validated,
 * NOT NULL through a CHECK, type changes, backfills. Target: N = 1,000 in
 * under 2 s wall.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const T = require('./tools');

const EXISTING = ['orders', 'accounts', 'customers', 'line_items', 'events', 'payments'];

/** The up script of migration i: one of ten shapes, on a table that exists or one made earlier in the corpus. */
function upSql(i) {
  const t = EXISTING[i % EXISTING.length];
  const lt = "SET lock_timeout = '5s';\n";
  const c = `c${i}`;
  switch (i % 10) {
    case 0:
      return `-- ${i}: a new table and its index\n${lt}CREATE TABLE lint_t${i} (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  ${t}_id bigint NOT NULL REFERENCES ${t} (id),\n  label text NOT NULL DEFAULT '',\n  created_at timestamptz NOT NULL DEFAULT now()\n);\nCREATE INDEX lint_t${i}_${t}_id_idx ON lint_t${i} (${t}_id);\nCOMMENT ON TABLE lint_t${i} IS 'made by migration ${i}';\n`;
    case 1:
      return `-- ${i}: an index on an existing table, in a transaction\n${lt}CREATE INDEX ${t}_${c}_idx ON ${t} (${c}, created_at);\n`;
    case 2:
      return `-- tidemark:no-transaction\n-- ${i}: an index built concurrently\n${lt}CREATE INDEX CONCURRENTLY IF NOT EXISTS ${t}_${c}_cidx ON ${t} (${c});\n`;
    case 3:
      return `-- ${i}: columns with constant defaults\n${lt}ALTER TABLE ${t} ADD COLUMN ${c} integer NOT NULL DEFAULT 0;\nALTER TABLE ${t} ADD COLUMN ${c}_note text DEFAULT 'none';\n`;
    case 4:
      return `-- ${i}: a foreign key, NOT VALID\n${lt}ALTER TABLE ${t} ADD COLUMN ${c}_ref bigint;\nALTER TABLE ${t} ADD CONSTRAINT ${t}_${c}_fk FOREIGN KEY (${c}_ref) REFERENCES customers (id) NOT VALID;\n`;
    case 5:
      return `-- ${i}: validate the key of ${i - 1}\n${lt}ALTER TABLE ${EXISTING[(i - 1) % EXISTING.length]} VALIDATE CONSTRAINT ${EXISTING[(i - 1) % EXISTING.length]}_c${i - 1}_fk;\n`;
    case 6:
      return `-- ${i}: NOT NULL through a validated CHECK\n${lt}ALTER TABLE ${t} ADD CONSTRAINT ${t}_${c}_nn CHECK (status IS NOT NULL) NOT VALID;\nALTER TABLE ${t} VALIDATE CONSTRAINT ${t}_${c}_nn;\nALTER TABLE ${t} ALTER COLUMN status SET NOT NULL;\n`;
    case 7:
      return `-- ${i}: a type change and a volatile default\n${lt}ALTER TABLE ${t} ALTER COLUMN amount TYPE numeric(14, 2);\nALTER TABLE ${t} ADD COLUMN ${c}_token uuid DEFAULT gen_random_uuid();\n`;
    case 8:
      return `-- ${i}: a backfill in batches\n${lt}UPDATE ${t} SET status = 'new' WHERE status IS NULL AND id BETWEEN ${i * 1000} AND ${i * 1000 + 999};\nINSERT INTO audit_log (kind, note) VALUES ('backfill', 'migration ${i}');\n`;
    default:
      return `-- ${i}: a function and a view\n${lt}CREATE OR REPLACE FUNCTION lint_f${i}(x integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT x * ${i} $$;\nCREATE OR REPLACE VIEW lint_v${i} AS SELECT id, status FROM ${t} WHERE status <> 'deleted';\n`;
  }
}

/** Writes n migrations in tidemark's layout (up and down); returns the directory and the up files. */
function writeLintCorpus(dir, n) {
  fs.mkdirSync(dir, { recursive: true });
  const ups = [];
  const width = Math.max(4, String(n).length);
  for (let i = 1; i <= n; i++) {
    const v = String(i).padStart(width, '0');
    const up = path.join(dir, `${v}_lint_${i}.up.sql`);
    fs.writeFileSync(up, upSql(i));
    fs.writeFileSync(path.join(dir, `${v}_lint_${i}.down.sql`), '-- tidemark:irreversible\n-- linted, never applied\n');
    ups.push(up);
  }
  return { dir, ups };
}

/** Why `tidemark lint` cannot be measured in this build, or null. */
function tidemarkLintMissing(dir) {
  const cmd = T.tidemark.lint(dir);
  const r = spawnSync(cmd.file, cmd.args, { cwd: cmd.cwd, env: cmd.env, encoding: 'utf8' });
  if (r.status === 2 && /unknown (arguments?|command).*\blint\b/i.test(r.stderr))
    return '`tidemark lint` is not available in this build (exit 2, unknown command)';
  return null;
}

function parseJson(m, what) {
  try {
    return JSON.parse(m.stdout);
  } catch {
    throw new Error(`wrong output: ${what} printed no JSON: ${JSON.stringify(m.stdout.slice(0, 200))}`);
  }
}

function lintEntries(ctx) {
  if (!ctx.lintCorpus) ctx.lintCorpus = writeLintCorpus(path.join(ctx.work, 'lint'), ctx.lintN);
  const { dir, ups } = ctx.lintCorpus;
  return [
    {
      id: 'tidemark',
      label: `tidemark lint --dir (${ups.length} migrations, offline)`,
      role: 'tidemark',
      available: tidemarkLintMissing(dir),
      okStatus: [0, 6],
      command: () => T.tidemark.lint(dir),
      check(_s, m) {
        const doc = parseJson(m, 'tidemark lint --json');
        const findings = Array.isArray(doc) ? doc : doc.findings;
        if (!Array.isArray(findings) || findings.length === 0) throw new Error('wrong output: no findings');
        if (findings.some((f) => f.rule === 'syntax-error')) throw new Error('a corpus file did not parse');
      },
    },
    {
      id: 'squawk',
      label: `squawk (${ups.length} files)`,
      role: 'peer',
      available: T.squawk.available,
      okStatus: [0, 1], // 1: it found something
      command: () => T.squawk.lint(ups),
      check(_s, m) {
        const findings = parseJson(m, 'squawk --reporter json');
        const files = new Set(findings.map((f) => f.file));
        if (files.size < ups.length / 2) throw new Error(`wrong output: findings in ${files.size} files only`);
        if (findings.some((f) => f.rule_name === 'syntax-error')) throw new Error('squawk could not parse a file');
      },
    },
  ];
}

const LINT_WORKLOAD = {
  id: 'lint',
  title: 'lint N migrations, offline',
  entries: lintEntries,
  warmup: true,
};

module.exports = { LINT_WORKLOAD, writeLintCorpus, upSql };
