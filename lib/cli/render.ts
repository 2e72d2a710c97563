/**
 * Results → text or JSON-ready data. Pure.
 */
import type { RunResult, StatusReport } from '../migrator';
import type { Plan, StatusEntry, Step } from '../types';
import { splitStatements } from '../sql/lexer';
import { discrepancyDiffs } from './diff';
import { describeStopped } from './render-error';
import { stoppedFields } from './render-verify';
import { columns } from './columns';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const label = (step: Step) => step.pair.label;

/** The plan of a dry run, one line per step. */
export function renderPlan(plan: Plan): string {
  const verb = plan.direction === 'up' ? 'apply' : 'roll back';
  if (plan.steps.length === 0) return `Dry run: nothing to ${verb}.`;
  const lines = plan.steps.flatMap((s, i) => {
    const script = s.pair[s.direction];
    const head = `  ${label(s)}  ${script.path}${script.directives.noTransaction ? '  (no transaction: statement by statement)' : ''}`;
    if (!script.directives.noTransaction) return [head];
    const skip = i === 0 ? (plan.resumeFrom ?? 0) : 0;
    return [
      head,
      ...splitStatements(script.body.text()).map(
        (st) =>
          `      ${st.index < skip ? 'done' : `${st.index + 1}.`.padEnd(4)} line ${st.line}: ${st.text.split('\n')[0].slice(0, 100)}`,
      ),
    ];
  });
  return [
    `Dry run: would ${verb} ${plural(plan.steps.length, 'migration')}, in this order:`,
    ...lines,
    'Nothing was changed.',
  ].join('\n');
}

/** The one-line summary after apply or rollback. */
export function renderSummary(result: RunResult): string {
  if (result.dryRun) return renderPlan(result.plan);
  const n = result.completed.length;
  const seconds = (result.durationMs / 1000).toFixed(2);
  if (result.plan.direction === 'up') {
    if (n === 0 && result.pending === 0) return 'Nothing to apply: the database is up to date.';
    if (n === 0) return `Nothing to apply up to the target; ${result.pending} pending above it.`;
    return `Applied ${plural(n, 'migration')} in ${seconds}s; ${result.pending} pending.`;
  }
  if (n === 0) return 'Nothing to roll back.';
  return `Rolled back ${plural(n, 'migration')} in ${seconds}s; ${result.pending} pending.`;
}

/** Machine-readable fields of a run, for JSON output. */
export function summaryData(result: RunResult): Record<string, unknown> {
  return {
    direction: result.plan.direction,
    dry_run: result.dryRun,
    planned: result.plan.steps.map((s) => ({ version: s.pair.version.toString(), name: s.pair.name })),
    completed: result.completed.map((o) => ({
      version: o.step.pair.version.toString(),
      name: o.step.pair.name,
      duration_ms: o.durationMs,
    })),
    pending: result.pending,
    duration_ms: result.durationMs,
  };
}

const HEADERS = ['VERSION', 'NAME', 'STATE', 'APPLIED AT'];

function statusCells(e: StatusEntry): string[] {
  return [
    e.version.toString(),
    e.name,
    e.state,
    e.appliedAt ? e.appliedAt.toISOString().replace('T', ' ').slice(0, 19) + 'Z' : '-',
  ];
}

/** The status table, what is failed, interrupted or running (with the way out), and the one-line summary. */
export function renderStatus(report: StatusReport): string {
  const lines = columns([HEADERS, ...report.entries.map(statusCells)]);
  const stopped = report.entries.flatMap((e) =>
    e.stopped ? [`${e.state} ${e.name} (version ${e.version}): ${describeStopped(e.stopped)}`] : [],
  );
  return [...lines, '', ...stopped, ...(stopped.length > 0 ? [''] : []), statusSummary(report)].join('\n');
}

export function statusSummary(report: StatusReport): string {
  const c = report.counts;
  const more = [
    c.interrupted > 0 ? `, ${c.interrupted} interrupted` : '',
    c.running > 0 ? `, ${c.running} running` : '',
  ].join('');
  const cosmetic = c.cosmetic > 0 ? `, ${c.cosmetic} cosmetic` : '';
  return `${plural(report.entries.length, 'migration')}: ${c.applied} applied, ${c.pending} pending, ${c.modified} modified${cosmetic}, ${c.missing} missing, ${c.failed} failed${more}.`;
}

/** The `status --json` document (shape documented in the README). */
export function statusDocument(report: StatusReport): Record<string, unknown> {
  return {
    migrations: report.entries.map((e) => ({
      version: e.version.toString(),
      name: e.name,
      state: e.state,
      applied_at: e.appliedAt?.toISOString() ?? null,
      path: e.path,
      ...(e.stopped ? { progress: stoppedFields(e.stopped) } : {}),
    })),
    summary: { total: report.entries.length, ...report.counts },
    ledger_exists: report.ledgerExists,
    audit: report.audit.map((a) => ({
      version: a.version.toString(),
      action: a.action,
      reason: a.reason,
      by: a.by,
      at: a.at.toISOString(),
      before: a.before,
      after: a.after,
    })),
  };
}

/** The diffs of every edited migration, for `status --diff`. */
export function renderStatusDiffs(report: StatusReport): string {
  const pairs = new Map(report.pairs.map((p) => [p.version, p]));
  const blocks = report.discrepancies.flatMap((d) =>
    discrepancyDiffs(d, pairs.get(d.version)).map(
      (x) => x.patch ?? `(${x.path}: the ledger kept only the checksum, so no diff can be shown)`,
    ),
  );
  return blocks.length === 0 ? 'No edited migrations.' : blocks.join('\n\n');
}
