/**
 * `tidemark test`'s report: human text, and the `--json` document (schema
 * in the README). Pure.
 */
import type { SchemaDifference } from '../db/snapshot';
import type { RoundtripReport } from '../migrator';
import type { NotTestedReason, RoundtripFindings, RoundtripResult, RowChange } from '../plan/roundtrip';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const STATUS: Record<RoundtripResult['status'], string> = { passed: 'ok', failed: 'FAILED', 'not-tested': 'not tested', 'not-run': 'not run' };

function notTestedNote(result: RoundtripResult & { status: 'not-tested' }): string {
  const why: Record<NotTestedReason, string> = { irreversible: 'is marked -- tidemark:irreversible', 'empty-down': 'is empty' };
  return `${result.pair.down.path} ${why[result.reason]}: applied, not round-trip tested`;
}

function rowChangeLine(down: string, c: RowChange): string {
  return `after ${down}: table ${c.schema}.${c.table} holds ${plural(c.after, 'row')}; it held ${c.before} before the up`;
}

/** Where a failing script stopped the round trip, in words. */
function failureLine(result: RoundtripResult & { findings: RoundtripFindings }): string | null {
  const f = result.findings.failure;
  if (f === null) return null;
  const e = f.error;
  const at = `${e.path}${e.sql.line === null ? '' : `:${e.sql.line}:${e.sql.column}`}`;
  const context = { up: 'failed on a fresh database', down: 'failed and was rolled back; the migration stays applied', reapply: 'failed when applied again after the down' }[f.phase];
  return `${at}: ${context}: ${e.sql.sqlstate ? `SQLSTATE ${e.sql.sqlstate}: ` : ''}${e.sql.message}`;
}

/**
 * One line per finding, each naming the script it follows, such as
 * "after 004_add_preferences.down.sql: index … on public.user_preferences still exists".
 */
export function findingLines(result: RoundtripResult): string[] {
  if (result.status === 'not-tested') return [notTestedNote(result)];
  if (result.status !== 'failed') return [];
  const { up, down } = result.pair;
  const { afterDown, afterReapply, rowChanges } = result.findings;
  const failure = failureLine(result);
  return [
    ...afterDown.map((d) => `after ${down.path}: ${d.description}`),
    ...rowChanges.map((c) => rowChangeLine(down.path, c)),
    ...afterReapply.map((d) => `after applying ${up.path} again: ${d.description}`),
    ...(failure === null ? [] : [failure]),
  ];
}

function detailLines(result: RoundtripResult): string[] {
  const lines = findingLines(result);
  if (result.status !== 'failed' || result.findings.failure === null) return lines;
  const { sql, frame } = result.findings.failure.error;
  const extra = [frame, sql.detail && `detail: ${sql.detail}`, sql.hint && `hint: ${sql.hint}`, sql.where && `where: ${sql.where}`];
  return [...lines, ...extra.filter((x): x is string => Boolean(x)).flatMap((x) => x.split('\n'))];
}

/** The human report: one row per migration, its findings under it, then the verdict. */
export function renderRoundtrip(report: RoundtripReport): string {
  if (report.database === null) return 'test: nothing to test (no migrations).';
  const width = Math.max(...report.results.map((r) => r.pair.label.length));
  const lines = [`Round trip (up → down → up) on throwaway database ${report.database}, template ${report.template}${report.data ? ', with row counts' : ''}:`];
  if (report.appliedFirst > 0) lines.push(`  (${plural(report.appliedFirst, 'earlier migration')} applied first without checking)`);
  lines.push('');
  for (const r of report.results) {
    const time = r.status === 'not-run' ? '' : `${r.durationMs} ms`;
    lines.push(`  ${STATUS[r.status].padEnd(10)}  ${r.pair.label.padEnd(width)}  ${time}`.trimEnd());
    if (r.status === 'failed') lines.push(...detailLines(r).map((l) => `      ${l}`));
    if (r.status === 'not-tested') lines.push(`      ${notTestedNote(r)}`);
  }
  return [...lines, '', verdict(report)].join('\n');
}

function verdict(report: RoundtripReport): string {
  const s = report.summary;
  const seconds = `${(report.durationMs / 1000).toFixed(2)}s`;
  const rest = [s.notTested > 0 ? `${s.notTested} not round-trip tested` : '', s.notRun > 0 ? `${s.notRun} not run` : ''].filter(Boolean);
  if (s.failed === 0) return `test: OK — ${plural(s.passed, 'migration')} round-trip tested${rest.length ? `, ${rest.join(', ')}` : ''} (${seconds}).`;
  return `test: FAILED — ${s.failed} of ${plural(s.total, 'migration')} failed the round trip; ${[`${s.passed} passed`, ...rest].join(', ')} (${seconds}).`;
}

function differenceData(d: SchemaDifference, message: string) {
  return {
    object_type: d.objectType,
    identity: d.identity,
    kind: d.kind,
    property: d.kind === 'changed' ? d.property : null,
    expected: d.kind === 'added' ? null : (d.before ?? null),
    found: d.kind === 'removed' ? null : (d.after ?? null),
    description: d.description,
    message,
  };
}

function resultData(r: RoundtripResult): Record<string, unknown> {
  const base = { version: r.pair.version.toString(), name: r.pair.name, up: r.pair.up.path, down: r.pair.down.path, status: r.status };
  if (r.status === 'not-run') return { ...base, duration_ms: null, not_tested_reason: null, after_down: [], after_reapply: [], row_counts: [], failure: null };
  if (r.status === 'not-tested') return { ...base, duration_ms: r.durationMs, not_tested_reason: r.reason, after_down: [], after_reapply: [], row_counts: [], failure: null };
  const { afterDown, afterReapply, rowChanges, failure } = r.findings;
  return {
    ...base,
    duration_ms: r.durationMs,
    not_tested_reason: null,
    after_down: afterDown.map((d) => differenceData(d, `after ${r.pair.down.path}: ${d.description}`)),
    after_reapply: afterReapply.map((d) => differenceData(d, `after applying ${r.pair.up.path} again: ${d.description}`)),
    row_counts: rowChanges.map((c) => ({ table: `${c.schema}.${c.table}`, before: c.before, after: c.after })),
    failure: failure && {
      phase: failure.phase, file: failure.error.path, line: failure.error.sql.line, column: failure.error.sql.column,
      sqlstate: failure.error.sql.sqlstate, message: failure.error.sql.message, detail: failure.error.sql.detail, hint: failure.error.sql.hint,
    },
  };
}

/** The `tidemark test --json` document. */
export function roundtripDocument(report: RoundtripReport): Record<string, unknown> {
  const s = report.summary;
  return {
    ok: s.failed === 0,
    database: report.database,
    template: report.template,
    data: report.data,
    duration_ms: report.durationMs,
    summary: { total: s.total, passed: s.passed, failed: s.failed, not_tested: s.notTested, not_run: s.notRun, applied_first: report.appliedFirst },
    migrations: report.results.map(resultData),
  };
}
