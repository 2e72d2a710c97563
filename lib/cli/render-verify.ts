/**
 * verify's report in three formats: human (grouped by kind, with diffs),
 * JSON, and GitHub Actions annotations. Pure.
 */
import path from 'node:path';
import type { VerifyReport } from '../migrator';
import type { BranchConflict } from '../plan/branches';
import type { MixedScript } from '../plan/transactions';
import type { Discrepancy, StoppedMigration } from '../types';
import { discrepancyDiffs } from './diff';
import { describeDiscrepancy, discrepancyWord } from './render-error';

const ORDER: Discrepancy['kind'][] = [
  'edited',
  'renamed',
  'missing',
  'failed',
  'interrupted',
  'out-of-order',
  'running',
  'cosmetic',
];
const TITLES: Record<Discrepancy['kind'], string> = {
  edited: 'modified — changed after they were applied',
  renamed: 'Renamed after they were applied',
  missing: 'Applied, but the files are gone',
  failed: 'Failed part-way (non-transactional)',
  interrupted: 'Interrupted part-way (non-transactional), a statement possibly in doubt',
  running: 'Running now (not drift)',
  'out-of-order': 'Pending below the highest applied version',
  cosmetic: 'cosmetic — only comments or whitespace changed (warning)',
};

function describeConflict(c: BranchConflict): string {
  return `${c.path} (version ${c.version}) was added since ${c.ref} but sorts below ${c.existing.path} (version ${c.existing.version}), which already existed at ${c.ref}. Two branches picked interleaved numbers: renumber it to ${c.suggestedVersion}.`;
}

/** The human report: problems grouped by kind, diffs under edits, then a verdict line. */
export function renderVerify(report: VerifyReport): string {
  const pairs = new Map(report.pairs.map((p) => [p.version, p]));
  const lines: string[] = [];
  for (const kind of ORDER) {
    const group = report.discrepancies.filter((d) => d.kind === kind);
    if (group.length === 0) continue;
    const title =
      kind === 'cosmetic' && report.strict
        ? 'cosmetic — only comments or whitespace changed (failing under --strict)'
        : TITLES[kind];
    lines.push(`${title} (${group.length}):`);
    for (const d of group) {
      lines.push(`  ${describeDiscrepancy(d).replace(/^\S+\s+/, '')}`);
      for (const diff of discrepancyDiffs(d, pairs.get(d.version))) {
        lines.push(
          diff.patch === null
            ? `    (the ledger kept only the checksum of ${diff.path}, so no diff can be shown)`
            : diff.patch.replace(/^/gm, '    '),
        );
      }
    }
    lines.push('');
  }
  if (report.branchConflicts.length > 0) {
    lines.push(
      `Added out of order with the base revision (${report.branchConflicts.length}):`,
      ...report.branchConflicts.map((c) => `  ${describeConflict(c)}`),
      '',
    );
  }
  const mixed = report.mixed.filter((m) => m.kind === 'mixed');
  if (mixed.length > 0) {
    lines.push(
      `No-transaction scripts that also hold ordinary DDL (warning, ${mixed.length}):`,
      ...mixed.map((m) => `  ${describeMixed(m)}`),
      '',
    );
  }
  const unneeded = report.mixed.filter((m) => m.kind === 'unneeded');
  if (unneeded.length > 0) {
    lines.push(
      `No-transaction scripts that need no directive (warning, ${unneeded.length}):`,
      ...unneeded.map((m) => `  ${describeMixed(m)}`),
      '',
    );
  }
  lines.push(verdict(report));
  return lines.join('\n');
}

function describeMixed(m: MixedScript): string {
  if (m.kind === 'unneeded') {
    return `${m.path}:${m.line}: the directive is not needed: no statement in this script has to run outside a transaction, and without it the script runs in one transaction with its ledger row, all or nothing. Remove "-- tidemark:no-transaction".`;
  }
  return `${m.path}:${m.line}: "${m.statement}" runs outside a transaction too, so a failure part-way leaves a partial state. Move ordinary DDL to its own transactional migration.`;
}

function verdict(report: VerifyReport): string {
  const scope = report.online ? 'files and database history' : 'files only, no database';
  const n = report.pairs.length;
  if (report.failing === 0) {
    const warnings = report.discrepancies.length + report.mixed.length;
    return `verify: OK — ${n} migration${n === 1 ? '' : 's'} checked (${scope})${warnings > 0 ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}.`;
  }
  return `verify: FAILED — ${report.failing} problem${report.failing === 1 ? '' : 's'} in ${n} migrations (${scope}).`;
}

/** The `verify --json` document (schema in the README). */
export function verifyDocument(report: VerifyReport): Record<string, unknown> {
  const pairs = new Map(report.pairs.map((p) => [p.version, p]));
  return {
    ok: report.failing === 0,
    online: report.online,
    migrations: report.pairs.length,
    failing: report.failing,
    discrepancies: report.discrepancies.map((d) => ({
      kind: d.kind,
      version: d.version.toString(),
      name: d.name,
      message: describeDiscrepancy(d).replace(/^\S+\s+/, ''),
      ...('paths' in d ? { paths: d.paths } : {}),
      ...('highestApplied' in d ? { highest_applied: d.highestApplied.toString() } : {}),
      ...('ledgerName' in d ? { ledger_name: d.ledgerName } : {}),
      ...('progress' in d ? stoppedFields(d) : {}),
      diffs: discrepancyDiffs(d, pairs.get(d.version)).map((x) => ({
        path: x.path,
        first_changed_line: x.firstChangedLine,
        patch: x.patch,
      })),
    })),
    warnings: report.mixed.map((m) => ({
      kind: `${m.kind}-no-transaction`,
      path: m.path,
      line: m.line,
      message: describeMixed(m),
    })),
    branch_conflicts: report.branchConflicts.map((c) => ({
      version: c.version.toString(),
      name: c.name,
      path: c.path,
      existing: { version: c.existing.version.toString(), path: c.existing.path },
      suggested_version: c.suggestedVersion,
      message: describeConflict(c),
    })),
  };
}

/** Where a stopped or running migration is, for JSON (status --json and verify --json). */
export function stoppedFields(d: StoppedMigration): Record<string, unknown> {
  const p = d.progress;
  return {
    direction: p?.direction ?? 'up',
    path: d.path,
    statements_done: p?.done ?? 0,
    statements_total: p?.total ?? 0,
    statement_running: d.kind === 'running' ? (p?.inFlight ?? null) : null,
    in_doubt:
      d.kind === 'interrupted' && p?.inFlight
        ? { statement: p.inFlight, line: d.inDoubt?.line ?? null, text: d.inDoubt?.text ?? null }
        : null,
    error: p?.error ?? null,
    ended_transaction: p?.endedTransaction ?? false,
    holder_pid: d.holderPid,
  };
}

const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/**
 * GitHub Actions workflow commands: one `::error` (or `::warning` for
 * cosmetic edits) per problem, on the file and line, so drift shows on the
 * pull request's diff. `dir` is prefixed so paths are relative to the repository root.
 */
export function renderGithub(report: VerifyReport, dir: string): string {
  const pairs = new Map(report.pairs.map((p) => [p.version, p]));
  const file = (p: string) => path.posix.join(dir.split(path.sep).join('/'), p);
  const lines: string[] = [];
  for (const d of report.discrepancies) {
    const level = (d.kind === 'cosmetic' && !report.strict) || d.kind === 'running' ? 'warning' : 'error';
    const message = describeDiscrepancy(d).replace(/^\S+\s+/, '');
    const diffs = discrepancyDiffs(d, pairs.get(d.version));
    const target =
      diffs[0] ??
      ('paths' in d
        ? { path: d.paths[0], firstChangedLine: 1, patch: null }
        : 'path' in d && d.path
          ? {
              path: d.path,
              firstChangedLine:
                d.kind === 'failed' || d.kind === 'interrupted' || d.kind === 'running'
                  ? (d.inDoubt?.line ?? d.progress?.error?.line ?? 1)
                  : 1,
              patch: null,
            }
          : null);
    const where = target ? `file=${escapeProperty(file(target.path))},line=${target.firstChangedLine},` : '';
    const body = diffs
      .map((x) => x.patch ?? '')
      .filter(Boolean)
      .join('\n');
    lines.push(
      `::${level} ${where}title=${escapeProperty(`tidemark: ${discrepancyWord(d.kind)} migration`)}::${escapeData(body ? `${message}\n${body}` : message)}`,
    );
  }
  for (const c of report.branchConflicts) {
    lines.push(
      `::error file=${escapeProperty(file(c.path))},line=1,title=${escapeProperty('tidemark: migration out of order with the base branch')}::${escapeData(describeConflict(c))}`,
    );
  }
  for (const m of report.mixed) {
    lines.push(
      `::warning file=${escapeProperty(file(m.path))},line=${m.line},title=${escapeProperty(m.kind === 'unneeded' ? 'tidemark: unneeded no-transaction directive' : 'tidemark: DDL in a no-transaction migration')}::${escapeData(describeMixed(m))}`,
    );
  }
  lines.push(verdict(report));
  return lines.join('\n');
}
