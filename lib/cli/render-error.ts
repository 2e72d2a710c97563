/**
 * Errors → what the user reads: what happened, which file and version, the
 * state of the database, and what to do. Pure.
 */
import {
  AdoptRefusedError,
  BatchCommitError,
  ConfigError,
  DriftError,
  tookEffect,
  MigrationFailedError,
  noTransactionFix,
  ScanError,
  TransactionControlError,
  TransactionEndedError,
  TransactionSafetyError,
  type MigrationFailure,
  type TidemarkError,
  type TransactionEnded,
} from '../errors';
import type { Discrepancy, StoppedMigration } from '../types';

const who = (d: { version: bigint; name: string }) => `${d.name} (version ${d.version})`;

/**
 * The word for a discrepancy in human output: the state `status` shows
 * (`modified` for an edit, `cosmetic`), or the discrepancy's own kind.
 */
export function discrepancyWord(kind: Discrepancy['kind']): string {
  return kind === 'edited' ? 'modified' : kind;
}

/** One line per discrepancy, with the fix. */
export function describeDiscrepancy(d: Discrepancy): string {
  switch (d.kind) {
    case 'edited':
      return `modified      ${who(d)}: ${d.scripts.map((s) => (s === 'up' ? d.paths[0] : d.paths[1])).join(' and ')} changed after it was applied. Restore the file, or put the change in a new migration; \`tidemark repair --version ${d.version} --reason "…"\` accepts it.`;
    case 'cosmetic':
      return `cosmetic      ${who(d)}: only comments or whitespace changed in ${d.scripts.map((s) => (s === 'up' ? d.paths[0] : d.paths[1])).join(' and ')} since it was applied; PostgreSQL reads the same statements. \`tidemark repair --version ${d.version} --reason "…"\` records the new text.`;
    case 'renamed':
      return `renamed       ${who(d)}: applied as "${d.ledgerName}", now named "${d.name}" on disk. Restore the old file name.`;
    case 'missing':
      return `missing       ${who(d)}: applied, but its files are gone from the directory. Restore them from version control.`;
    case 'failed':
    case 'interrupted':
    case 'running':
      return `${d.kind.padEnd(14)}${who(d)}: ${describeStopped(d)}`;
    case 'out-of-order':
      return `out-of-order  ${who(d)}: pending, but below the highest applied version ${d.highestApplied}. Renumber it above ${d.highestApplied}, or run with --out-of-order to apply it anyway.`;
  }
}

/** Where a stopped (or running) migration is, and the way out: `resume`, or `repair` either way. */
export function describeStopped(d: StoppedMigration): string {
  const p = d.progress;
  const direction = p?.direction ?? 'up';
  const command = direction === 'up' ? 'apply' : 'rollback';
  const where = d.path ?? `version ${d.version}`;
  const [finished, undone] = direction === 'up' ? ['--applied', '--not-applied'] : ['--not-applied', '--applied'];
  const repair = `or check the database, finish it by hand and \`tidemark repair --version ${d.version} ${finished} --reason "…"\`, or undo it by hand and \`tidemark repair --version ${d.version} ${undone} --reason "…"\``;
  const total = p?.total ?? 0;
  if (p?.endedTransaction) {
    return `${where} ended tidemark's transaction itself (COMMIT, ROLLBACK…) while ${direction === 'up' ? 'applying' : 'rolling back'}: what took effect is unknown. Check the database, then: \`tidemark repair --version ${d.version} ${finished} --reason "…"\` if its changes are complete, or \`tidemark repair --version ${d.version} ${undone} --reason "…"\` after undoing them.`;
  }
  if (d.kind === 'running') {
    const at = p?.inFlight
      ? `statement ${p.inFlight} of ${total} running`
      : `${p?.done ?? 0} of ${total} statements done`;
    return `${direction === 'up' ? 'applying' : 'rolling back'} now without a transaction (${at}; server process ${d.holderPid} holds the migration lock). Not drift: wait for it to finish.`;
  }
  const done = `${tookEffect(p?.done ?? 0, total)}`;
  if (d.kind === 'interrupted') {
    const doubt = d.inDoubt
      ? ` Statement ${d.inDoubt.statement} (${where}:${d.inDoubt.line}: ${d.inDoubt.text}) is IN DOUBT: it was running when the session went away, and may or may not have taken effect.`
      : p?.inFlight
        ? ` Statement ${p.inFlight} is IN DOUBT: it was running when the session went away.`
        : '';
    return `its run without a transaction was interrupted (the process or its connection died) while ${direction === 'up' ? 'applying' : 'rolling back'} ${where}: ${done}.${doubt} Run \`tidemark ${command} --resume\` (it decides a concurrent index build from the catalog; for any other statement in doubt it asks for --assume-done or --assume-not-done); ${repair}.`;
  }
  const error = p?.error;
  const failedAt = error
    ? ` Statement ${error.statement}${error.line === null ? '' : ` (${where}:${error.line})`} ${error.message.startsWith('not run') ? 'was not run' : `failed: ${error.message}`}.`
    : '';
  return `its run without a transaction stopped part-way while ${direction === 'up' ? 'applying' : 'rolling back'} ${where}: ${done}.${failedAt} Fix the cause, then \`tidemark ${command} --resume\` continues from statement ${(p?.done ?? 0) + 1}; ${repair}.`;
}

function renderMigrationFailed(e: MigrationFailure): string {
  const s = e.sql;
  const at =
    s.line !== null
      ? `:${s.line}:${s.column}`
      : e.atCommit
        ? ' (at COMMIT, after its last statement: a deferred constraint or constraint trigger failed)'
        : '';
  const lines = [
    `error: ${e.direction === 'up' ? 'applying' : 'rolling back'} ${e.label} failed`,
    `  --> ${e.path}${at}`,
  ];
  if (e.frame) lines.push(e.frame);
  lines.push(`${s.sqlstate ? `SQLSTATE ${s.sqlstate}: ` : ''}${s.message}`);
  if (s.detail) lines.push(`detail: ${s.detail}`);
  if (s.hint) lines.push(`hint: ${s.hint}`);
  if (s.where) lines.push(`where: ${s.where}`);
  const fix = noTransactionFix(e);
  if (fix !== null) lines.push(`fix: ${fix}`);
  lines.push('', failureSummary(e));
  if (e.partial) lines.push(partialSummary(e, e.partial));
  return lines.join('\n');
}

/** What a non-transactional failure left behind, and how to recover. */
export function partialSummary(e: MigrationFailure, p: NonNullable<MigrationFailure['partial']>): string {
  const rolledBack =
    p.done < p.statement - 1
      ? ` (statements ${p.done + 1}–${p.statement - 1} were in the script's own transaction block, rolled back with it)`
      : '';
  const lines = [
    `${e.path} runs without a transaction: ${tookEffect(p.done, p.total)}${rolledBack}; statement ${p.statement} failed; ${p.total - p.statement} did not run. Its ledger row is marked failed, and ${e.direction === 'up' ? 'apply' : 'rollback'} refuses to go on until it is resolved.`,
  ];
  for (const index of p.invalidIndexes) {
    lines.push(
      `The failed build left the INVALID index ${index}. Remove it: DROP INDEX CONCURRENTLY IF EXISTS ${index};`,
    );
  }
  const [finished, undone] = e.direction === 'up' ? ['--applied', '--not-applied'] : ['--not-applied', '--applied'];
  lines.push(
    `Fix the cause, then \`tidemark ${e.direction === 'up' ? 'apply' : 'rollback'} --resume\` re-runs from statement ${p.done + 1}; ` +
      `or finish it by hand and \`tidemark repair --version ${e.version} ${finished} --reason "…"\`, or undo it by hand and \`tidemark repair --version ${e.version} ${undone} --reason "…"\`.`,
  );
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
  if (e instanceof DriftError)
    return [`error: ${e.message}`, ...e.discrepancies.map((d) => `  ${describeDiscrepancy(d)}`)].join('\n');
  return `error: ${e.message}`;
}

/** Fields for the JSON log line of an error: its code, exit code and facts. */
export function errorFields(e: TidemarkError): Record<string, unknown> {
  return { code: e.code, exit_code: e.exitCode, ...factFields(e) };
}

function factFields(e: TidemarkError): Record<string, unknown> {
  if (e instanceof MigrationFailedError) return failureFields(e.failure);
  if (e instanceof DriftError) return { discrepancies: e.discrepancies.map(discrepancyFields) };
  if (e instanceof TransactionEndedError) return transactionEndedFields(e.facts);
  if (e instanceof BatchCommitError)
    return {
      outcome: 'failed',
      batch_size: e.size,
      sqlstate: e.sql.sqlstate,
      detail: e.sql.detail,
      hint: e.sql.hint,
    };
  if (e instanceof ScanError || e instanceof AdoptRefusedError) return { problems: e.problems };
  if (e instanceof TransactionSafetyError || e instanceof TransactionControlError) return { problems: e.problems };
  if (e instanceof ConfigError) return { ...e.facts };
  return {};
}

function failureFields(f: MigrationFailure): Record<string, unknown> {
  return {
    outcome: 'failed',
    version: f.version.toString(),
    name: f.name,
    direction: f.direction,
    file: f.path,
    sqlstate: f.sql.sqlstate,
    line: f.sql.line,
    column: f.sql.column,
    detail: f.sql.detail,
    hint: f.sql.hint,
    completed: f.completed,
    not_applied: f.notApplied,
    ...(f.partial
      ? {
          statement: f.partial.statement,
          statements_total: f.partial.total,
          invalid_indexes: f.partial.invalidIndexes,
        }
      : {}),
  };
}

/** A discrepancy with its versions as strings (JSON has no bigint). */
function discrepancyFields(d: Discrepancy): Record<string, unknown> {
  return {
    ...d,
    version: d.version.toString(),
    ...('highestApplied' in d ? { highestApplied: d.highestApplied.toString() } : {}),
  };
}

function transactionEndedFields(facts: TransactionEnded): Record<string, unknown> {
  const { step, batch, scriptError, rowMarked, batchRecorded } = facts;
  return {
    outcome: 'transaction-ended',
    version: step.pair.version.toString(),
    name: step.pair.name,
    direction: step.direction,
    file: step.pair[step.direction].path,
    script_error: scriptError,
    row_marked_failed: rowMarked,
    ...(batch ? { batch_recorded: batchRecorded?.map(String) ?? null } : {}),
  };
}
