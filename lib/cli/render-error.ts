/**
 * Errors → what the user reads: what happened, which file and version, the
 * state of the database, and what to do. Pure.
 */
import { ConfigError, DriftError, MigrationFailedError, ScanError, TransactionSafetyError, type MigrationFailure, type TidemarkError } from '../errors';
import type { Discrepancy } from '../types';

const who = (d: { version: bigint; name: string }) => `${d.name} (version ${d.version})`;

/** One line per discrepancy, with the fix. */
export function describeDiscrepancy(d: Discrepancy): string {
  switch (d.kind) {
    case 'edited':
      return `edited        ${who(d)}: ${d.scripts.map((s) => (s === 'up' ? d.paths[0] : d.paths[1])).join(' and ')} changed after it was applied. Restore the file, or put the change in a new migration; \`tidemark repair --version ${d.version} --reason "…"\` accepts it.`;
    case 'cosmetic':
      return `cosmetic      ${who(d)}: only comments or whitespace changed in ${d.scripts.map((s) => (s === 'up' ? d.paths[0] : d.paths[1])).join(' and ')} since it was applied. \`tidemark repair --version ${d.version} --reason "…"\` records the new text.`;
    case 'renamed':
      return `renamed       ${who(d)}: applied as "${d.ledgerName}", now named "${d.name}" on disk. Restore the old file name.`;
    case 'missing':
      return `missing       ${who(d)}: applied, but its files are gone from the directory. Restore them from version control.`;
    case 'failed':
      return `failed        ${who(d)}: a non-transactional run of it failed or was interrupted part-way. Fix the cause, then \`tidemark apply --resume\` continues from the failed statement; or finish it by hand and \`tidemark repair --version ${d.version} --reason "…"\`.`;
    case 'out-of-order':
      return `out-of-order  ${who(d)}: pending, but below the highest applied version ${d.highestApplied}. Renumber it above ${d.highestApplied}, or run with --out-of-order to apply it anyway.`;
  }
}

function renderMigrationFailed(e: MigrationFailure): string {
  const s = e.sql;
  const at = s.line === null ? '' : `:${s.line}:${s.column}`;
  const lines = [`error: ${e.direction === 'up' ? 'applying' : 'rolling back'} ${e.label} failed`, `  --> ${e.path}${at}`];
  if (e.frame) lines.push(e.frame);
  lines.push(`${s.sqlstate ? `SQLSTATE ${s.sqlstate}: ` : ''}${s.message}`);
  if (s.detail) lines.push(`detail: ${s.detail}`);
  if (s.hint) lines.push(`hint: ${s.hint}`);
  if (s.where) lines.push(`where: ${s.where}`);
  lines.push('', failureSummary(e));
  if (e.partial) lines.push(partialSummary(e, e.partial));
  return lines.join('\n');
}

/** What a non-transactional failure left behind, and how to recover. */
export function partialSummary(e: MigrationFailure, p: NonNullable<MigrationFailure['partial']>): string {
  const done = p.statement - 1;
  const tookEffect = done === 0 ? 'no statement took effect' : done === 1 ? `statement 1 of ${p.total} took effect` : `statements 1–${done} of ${p.total} took effect`;
  const lines = [
    `${e.path} runs without a transaction: ${tookEffect}; statement ${p.statement} failed; ${p.total - p.statement} did not run. Its ledger row is marked failed, and apply refuses to go on until it is resolved.`,
  ];
  for (const index of p.invalidIndexes) {
    lines.push(`The failed build left the INVALID index ${index}. Remove it: DROP INDEX CONCURRENTLY IF EXISTS ${index};`);
  }
  lines.push(`Fix the cause, then \`tidemark ${e.direction === 'up' ? 'apply' : 'rollback'} --resume\` re-runs from statement ${p.statement}; or finish by hand and \`tidemark repair --version ${e.version} --reason "…"\`.`);
  return lines.join('\n');
}

/** How many were applied, where it failed, how many are still pending. */
export function failureSummary(e: MigrationFailure): string {
  const verb = e.direction === 'up' ? 'Applied' : 'Rolled back';
  const { label } = e;
  if (e.batchRolledBack) {
    return `--single-transaction: the whole batch was rolled back at ${label}; nothing was ${e.direction === 'up' ? 'applied' : 'rolled back'}, ${e.notApplied} still to do.`;
  }
  const what = e.partial ? 'failed part-way (below)' : 'failed and was rolled back (no changes, no ledger row)';
  return `${verb} ${e.completed} of ${e.completed + e.notApplied}; ${label} ${what}; ${e.notApplied} not done.`;
}

/** The full text printed on stderr for a tidemark error. */
export function renderError(e: TidemarkError): string {
  if (e instanceof MigrationFailedError) return renderMigrationFailed(e.failure);
  if (e instanceof DriftError) return [`error: ${e.message}`, ...e.discrepancies.map((d) => `  ${describeDiscrepancy(d)}`)].join('\n');
  return `error: ${e.message}`;
}

/** Fields for the JSON log line of an error. */
export function errorFields(e: TidemarkError): Record<string, unknown> {
  const base = { code: e.code, exit_code: e.exitCode };
  if (e instanceof MigrationFailedError) {
    const f = e.failure;
    return {
      ...base, outcome: 'failed', version: f.version.toString(), name: f.name, direction: f.direction, file: f.path, sqlstate: f.sql.sqlstate, line: f.sql.line, column: f.sql.column,
      detail: f.sql.detail, hint: f.sql.hint, completed: f.completed, not_applied: f.notApplied,
      ...(f.partial ? { statement: f.partial.statement, statements_total: f.partial.total, invalid_indexes: f.partial.invalidIndexes } : {}),
    };
  }
  if (e instanceof DriftError) {
    return { ...base, discrepancies: e.discrepancies.map((d) => ({ ...d, version: d.version.toString(), ...('highestApplied' in d ? { highestApplied: d.highestApplied.toString() } : {}) })) };
  }
  if (e instanceof ScanError) return { ...base, problems: e.problems };
  if (e instanceof TransactionSafetyError) return { ...base, problems: e.problems };
  if (e instanceof ConfigError) return { ...base, ...e.facts };
  return base;
}
