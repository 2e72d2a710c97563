#!/usr/bin/env node
'use strict';
/**
 * tidemark lint against squawk on the same corpus
 * (__tests__/fixtures/lint-corpus: one hazard or one safe pattern per
 * migration, linted in order as pending migrations), as a markdown table:
 * per file, what squawk reports (as run by default, and with
 * --assume-in-transaction, the setting a squawk user would pick for a runner
 * that wraps each file in a transaction), what tidemark is expected to
 * report (issue 15), and what `tidemark lint` reports.
 *
 *   node bench/lint-compare.js            prints the table
 *   node bench/lint-compare.js --write    also replaces the table in docs/lint-comparison.md
 *
 * Needs squawk (npm run bench:peers) and a built tidemark (npm run build);
 * either missing is a column that says so.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const T = require('./lib/tools');

const CORPUS = path.join(T.ROOT, '__tests__', 'fixtures', 'lint-corpus');
const DOC = path.join(T.ROOT, 'docs', 'lint-comparison.md');
const PG_VERSION = '15';
// Never counted: a setting tidemark has no rule for (the corpus sets lock_timeout, never statement_timeout).
const SQUAWK_NOT_COUNTED = new Set(['require-statement-timeout']);
// Not counted as catching a hazard: they fire on almost every file, whatever the hazard (lock_timeout is the hazard of 034 only).
const SQUAWK_GENERIC = new Set([...SQUAWK_NOT_COUNTED, 'prefer-robust-stmts', 'require-lock-timeout']);
const LOCK_TIMEOUT_CASE = '034';

/** What issue 15 says tidemark reports on each file (rule families, in words: the ids are the rules helpers'). */
const EXPECTED = {
  '001': 'error: CREATE INDEX without CONCURRENTLY (SHARE on orders) — `require-concurrent-index`',
  '002': '—',
  '003': 'error: CONCURRENTLY in a transactional file (the check `apply` already makes)',
  '004': 'error: DROP INDEX without CONCURRENTLY (ACCESS EXCLUSIVE)',
  '005': '—',
  '006': 'error: REINDEX without CONCURRENTLY',
  '007': 'error: ADD CHECK without NOT VALID (ACCESS EXCLUSIVE during the scan)',
  '008': '— (NOT VALID; customer_id is indexed by pending 002: no missing-index finding)',
  '009': '—',
  '010': 'error: VALIDATE in the same transaction as its NOT VALID add; missing index on orders (warehouse_id)',
  '011': 'error: FOREIGN KEY without NOT VALID; missing index on orders (coupon_id)',
  '012': 'error: ADD UNIQUE without USING INDEX',
  '013': '—',
  '014': '— (USING INDEX of the concurrently built index)',
  '015': 'error: ADD PRIMARY KEY without USING INDEX',
  '016': 'error: ADD COLUMN NOT NULL without a default',
  '017': '— (constant default, PG 11+)',
  '018': 'error: SET NOT NULL on an existing column (says: add a validated CHECK first on PG 12+)',
  '019': '—',
  '020': '—',
  '021': '— (the validated CHECK (shipped_at IS NOT NULL) of 019/020 is recognised)',
  '022': 'error: ADD COLUMN with a volatile default: table rewrite',
  '023': 'error: adding a serial column: table rewrite',
  '024': 'error: ALTER COLUMN TYPE: table rewrite',
  '025': '— (varchar → text is binary-coercible)',
  '026': 'error: RENAME COLUMN breaks running code',
  '027': 'error: DROP COLUMN breaks running code',
  '028': 'error: DROP TABLE … CASCADE',
  '029': 'error: TRUNCATE … CASCADE',
  '030': 'error: VACUUM FULL',
  '031': 'error: CLUSTER',
  '032': 'error: DETACH PARTITION without CONCURRENTLY',
  '033': '—',
  '034': 'lock-taking statement with no lock_timeout in force',
  '035': '— (the `-- tidemark:lock-timeout` directive satisfies it)',
  '036': '— on PG 15 (`--pg-version 11`: error, ADD VALUE in a transaction)',
  '037': '—',
  '038': '— (history-aware: invoices is created by pending 037)',
  '039': '—',
  '040': '— (no "prefer robust statements": the file runs in a transaction)',
  '041': '— (hygiene rules are off by default; on: int key, varchar, timestamp)',
  '042': 'error: DROP DATABASE',
  '043': '— (suppressed with a reason)',
  '044': 'error: syntax-error at 3:32, with the parser message',
};

function corpusFiles() {
  return fs
    .readdirSync(CORPUS)
    .filter((f) => f.endsWith('.up.sql'))
    .sort()
    .map((file) => {
      const text = fs.readFileSync(path.join(CORPUS, file), 'utf8');
      const what = /^-- \d+ up: (.*?)\.?$/m.exec(text)?.[1] ?? '';
      return { file, version: file.slice(0, 3), what, hazard: what.startsWith('hazard') };
    });
}

function run(cmd) {
  return spawnSync(cmd.file, cmd.args, { cwd: cmd.cwd, env: cmd.env, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
}

/** squawk's findings by file name: `rule@line`, lines 1-based (squawk's JSON is 0-based). */
function squawkFindings(files, extra) {
  if (T.squawk.available) return { unavailable: T.squawk.available };
  const r = run(
    T.squawk.lint(
      files.map((f) => path.join(CORPUS, f.file)),
      extra,
    ),
  );
  if (r.status !== 0 && r.status !== 1) return { unavailable: `squawk exited ${r.status}: ${r.stderr.slice(0, 300)}` };
  const by = {};
  for (const f of JSON.parse(r.stdout || '[]'))
    (by[path.basename(f.file)] ??= []).push({ rule: f.rule_name, line: f.line + 1 });
  return { by };
}

/** tidemark's findings by file name, from `tidemark lint --json` over the whole corpus (so history counts). */
function tidemarkFindings() {
  if (!fs.existsSync(path.join(T.ROOT, 'dist', 'tidemark.js'))) return { unavailable: 'not built (npm run build)' };
  const r = run(T.tidemark.lint(CORPUS, ['--pg-version', PG_VERSION]));
  if (r.status !== 0 && r.status !== 6) {
    const why = /unknown (command|argument)|not a tidemark command/i.test(r.stderr)
      ? '`tidemark lint` is not available in this build'
      : `tidemark lint exited ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').slice(0, 3).join(' ')}`;
    return { unavailable: why };
  }
  const doc = JSON.parse(r.stdout);
  const list = Array.isArray(doc) ? doc : (doc.findings ?? []);
  const by = {};
  for (const f of list) (by[path.basename(f.path)] ??= []).push({ rule: f.rule, line: f.line, severity: f.severity });
  return { by };
}

const cell = (found, file) => {
  if (found.unavailable) return 'n/a';
  const list = found.by[file] ?? [];
  return list.length === 0
    ? '—'
    : list.map((f) => `${f.rule}${f.severity ? ` (${f.severity})` : ''} @${f.line}`).join('<br>');
};

/**
 * A hazard is caught by a finding about it (squawk's generic asks excepted); a
 * safe file with any finding is a false alarm (statement_timeout asks
 * excepted; for tidemark, `info` findings are not alarms). The hygiene, the
 * suppressed and the syntax-error files are left out of both counts.
 */
function score(found, files, tool) {
  if (found.unavailable) return null;
  const relevant = (f, forHazard) =>
    (found.by[f.file] ?? []).filter((x) => {
      if (tool === 'tidemark') return x.severity !== 'info';
      if (SQUAWK_NOT_COUNTED.has(x.rule)) return false;
      return (
        !forHazard ||
        !SQUAWK_GENERIC.has(x.rule) ||
        (f.version === LOCK_TIMEOUT_CASE && x.rule === 'require-lock-timeout')
      );
    }).length > 0;
  const hazards = files.filter((f) => f.hazard);
  const safe = files.filter((f) => f.what.startsWith('safe'));
  return {
    caught: `${hazards.filter((f) => relevant(f, true)).length} / ${hazards.length}`,
    missed: hazards.filter((f) => !relevant(f, true)).map((f) => f.version),
    alarms: `${safe.filter((f) => relevant(f, false)).length} / ${safe.length}`,
    noisy: safe.filter((f) => relevant(f, false)).map((f) => f.version),
  };
}

function markdown(files, squawk, squawkTx, tidemark) {
  const lines = [
    `| file | case | squawk | squawk --assume-in-transaction | tidemark, expected (issue 15) | tidemark lint |`,
    `|---|---|---|---|---|---|`,
  ];
  for (const f of files)
    lines.push(
      `| \`${f.file}\` | ${f.what} | ${cell(squawk, f.file)} | ${cell(squawkTx, f.file)} | ${EXPECTED[f.version] ?? '?'} | ${cell(tidemark, f.file)} |`,
    );
  lines.push('', '| tool | hazards reported | safe files with a finding (false alarms) |', '|---|---|---|');
  const row = (name, s, why) =>
    lines.push(
      s
        ? `| ${name} | ${s.caught}${s.missed.length ? ` (missed: ${s.missed.join(', ')})` : ''} | ${s.alarms}${s.noisy.length ? ` (${s.noisy.join(', ')})` : ''} |`
        : `| ${name} | n/a: ${why} | |`,
    );
  row('squawk', score(squawk, files, 'squawk'), squawk.unavailable);
  row('squawk --assume-in-transaction', score(squawkTx, files, 'squawk'), squawkTx.unavailable);
  row('tidemark lint', score(tidemark, files, 'tidemark'), tidemark.unavailable);
  const notes = [squawk, tidemark].filter((x) => x.unavailable).map((x) => `- ${x.unavailable}`);
  lines.push(
    '',
    `squawk ${squawkVersion()}; tidemark \`lint --pg-version ${PG_VERSION}\`, offline, over the corpus in order. ` +
      `Counts: ${[...SQUAWK_NOT_COUNTED].join(', ')} never counts (the corpus sets lock_timeout only); ` +
      `${[...SQUAWK_GENERIC].filter((r) => !SQUAWK_NOT_COUNTED.has(r)).join(', ')} do not count as catching a hazard (except require-lock-timeout on ${LOCK_TIMEOUT_CASE}) but do count as false alarms; ` +
      'hygiene (041), suppressed (043) and syntax-error (044) files are left out of the counts.',
    ...notes,
  );
  return lines.join('\n');
}

function squawkVersion() {
  if (T.squawk.available) return '(not installed)';
  return run({ ...T.squawk.lint([]), args: ['--version'] })
    .stdout.trim()
    .replace(/^squawk /, '');
}

function main() {
  const files = corpusFiles();
  const table = markdown(
    files,
    squawkFindings(files, []),
    squawkFindings(files, ['--assume-in-transaction']),
    tidemarkFindings(),
  );
  process.stdout.write(`${table}\n`);
  if (process.argv.includes('--write')) {
    const doc = fs.readFileSync(DOC, 'utf8');
    const start = '<!-- lint-compare:start -->';
    const end = '<!-- lint-compare:end -->';
    const from = doc.indexOf(start);
    const to = doc.indexOf(end);
    if (from < 0 || to < 0) throw new Error(`${DOC} has no ${start} … ${end} markers`);
    fs.writeFileSync(DOC, `${doc.slice(0, from + start.length)}\n${table}\n${doc.slice(to)}`);
    process.stderr.write(`written: ${path.relative(process.cwd(), DOC)}\n`);
  }
}

main();
