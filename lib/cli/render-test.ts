/**
 * `tidemark test`'s report: human text, and the `--json` document (schema
 * in the README). Pure.
 */
import { isLongValue, type SchemaDifference } from '../schema';
import type { RoundtripReport } from '../migrator';
import {
  hasWarnings,
  isWarning,
  type NotTestedReason,
  type RoundtripFindings,
  type RoundtripResult,
  type RowChange,
} from '../plan/roundtrip';
import { textDiff } from './diff';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const STATUS: Record<RoundtripResult['status'], string> = {
  passed: 'ok',
  failed: 'FAILED',
  'not-tested': 'not tested',
  'not-run': 'not run',
};

function notTestedNote(result: RoundtripResult & { status: 'not-tested' }): string {
  const why: Record<NotTestedReason, string> = {
    irreversible: 'is marked -- tidemark:irreversible',
    'empty-down': 'is empty',
  };
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
  const context = {
    up: 'failed on a fresh database',
    down: 'failed and was rolled back; the migration stays applied',
    reapply: 'failed when applied again after the down',
  }[f.phase];
  return `${at}: ${context}: ${e.sql.sqlstate ? `SQLSTATE ${e.sql.sqlstate}: ` : ''}${e.sql.message}`;
}

/** One schema difference: its line, and below it what the line leaves out (the two lists, a diff). */
interface DifferenceBlock {
  readonly line: string;
  readonly details: readonly string[];
}

/** Where a difference was seen, and the two states it compares (for a diff's `---` and `+++` lines). */
interface Phase {
  readonly prefix: string;
  readonly expected: string;
  readonly found: string;
}

function phases(result: RoundtripResult): { afterDown: Phase; afterReapply: Phase } {
  const { up, down } = result.pair;
  return {
    afterDown: {
      prefix: `after ${down.path}`,
      expected: `expected (before ${up.path})`,
      found: `found (after ${down.path})`,
    },
    afterReapply: {
      prefix: `after applying ${up.path} again`,
      expected: `expected (after ${up.path})`,
      found: `found (after ${up.path} again)`,
    },
  };
}

/**
 * What a one-line description leaves out: a long order as the two lists, a
 * long or multi-line definition or body as a unified diff.
 */
function differenceDetails(d: SchemaDifference, phase: Phase): string[] {
  if (d.kind !== 'changed' || d.before === undefined || d.after === undefined) return [];
  if (!isLongValue(d.before) && !isLongValue(d.after)) return [];
  if (d.property.endsWith(' order')) return [`expected: ${d.before}`, `found:    ${d.after}`];
  return textDiff(phase.expected, phase.found, d.before, d.after).split('\n');
}

function differenceBlock(d: SchemaDifference, phase: Phase, strict: boolean): DifferenceBlock {
  const warning = isWarning(d, strict);
  const note = warning ? ' (a down script can only add a column back at the end; not a failure without --strict)' : '';
  return {
    line: `${warning ? 'warning: ' : ''}${phase.prefix}: ${d.description}${note}`,
    details: differenceDetails(d, phase),
  };
}

function blocks(result: RoundtripResult & { findings: RoundtripFindings }, strict: boolean): DifferenceBlock[] {
  const { afterDown, afterReapply, rowChanges } = result.findings;
  const phase = phases(result);
  const failure = failureLine(result);
  return [
    ...afterDown.map((d) => differenceBlock(d, phase.afterDown, strict)),
    ...rowChanges.map((c) => ({ line: rowChangeLine(result.pair.down.path, c), details: [] })),
    ...afterReapply.map((d) => differenceBlock(d, phase.afterReapply, strict)),
    ...(failure === null ? [] : [{ line: failure, details: [] }]),
  ];
}

/**
 * One line per finding, each naming the script it follows, such as
 * "after 004_add_preferences.down.sql: index … on public.user_preferences still exists";
 * a warning (column order, without `strict`) starts with "warning: ".
 */
export function findingLines(result: RoundtripResult, strict = false): string[] {
  if (result.status === 'not-tested') return [notTestedNote(result)];
  if (result.status === 'not-run') return [];
  return blocks(result, strict).map((b) => b.line);
}

/** The findings with what each line leaves out indented under it, then the failure's code frame, detail and hint. */
function detailLines(result: RoundtripResult & { findings: RoundtripFindings }, strict: boolean): string[] {
  const lines = blocks(result, strict).flatMap((b) => [b.line, ...b.details.map((l) => `  ${l}`)]);
  if (result.findings.failure === null) return lines;
  const { sql, frame } = result.findings.failure.error;
  const extra = [
    frame,
    sql.detail && `detail: ${sql.detail}`,
    sql.hint && `hint: ${sql.hint}`,
    sql.where && `where: ${sql.where}`,
  ];
  return [...lines, ...extra.filter((x): x is string => Boolean(x)).flatMap((x) => x.split('\n'))];
}

/** The human report: one row per migration, its findings under it, then the verdict. */
export function renderRoundtrip(report: RoundtripReport): string {
  if (report.database === null) return 'test: nothing to test (no migrations).';
  const width = Math.max(...report.results.map((r) => r.pair.label.length));
  const lines = [
    `Round trip (up → down → up) on throwaway database ${report.database}, template ${report.template}${report.data ? ', with row counts' : ''}:`,
  ];
  if (report.appliedFirst > 0)
    lines.push(`  (${plural(report.appliedFirst, 'earlier migration')} applied first without checking)`);
  lines.push('');
  for (const r of report.results) {
    const time = r.status === 'not-run' ? '' : `${r.durationMs} ms`;
    lines.push(`  ${STATUS[r.status].padEnd(10)}  ${r.pair.label.padEnd(width)}  ${time}`.trimEnd());
    if (r.status === 'failed' || (r.status === 'passed' && hasWarnings(r)))
      lines.push(...detailLines(r, report.strict).map((l) => `      ${l}`));
    if (r.status === 'not-tested') lines.push(`      ${notTestedNote(r)}`);
  }
  return [...lines, '', verdict(report)].join('\n');
}

function verdict(report: RoundtripReport): string {
  const s = report.summary;
  const seconds = `${(report.durationMs / 1000).toFixed(2)}s`;
  const warned = s.warnings > 0 ? `${s.warnings} with a column-order warning` : '';
  const rest = [
    s.notTested > 0 ? `${s.notTested} not round-trip tested` : '',
    s.notRun > 0 ? `${s.notRun} not run` : '',
  ].filter(Boolean);
  if (s.failed === 0)
    return `test: OK — ${plural(s.passed, 'migration')} round-trip tested${[warned, ...rest]
      .filter(Boolean)
      .map((x) => `, ${x}`)
      .join('')} (${seconds}).`;
  return `test: FAILED — ${s.failed} of ${plural(s.total, 'migration')} failed the round trip; ${[`${s.passed} passed`, warned, ...rest].filter(Boolean).join(', ')} (${seconds}).`;
}

function differenceData(d: SchemaDifference, message: string, strict: boolean) {
  return {
    severity: isWarning(d, strict) ? 'warning' : 'error',
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

function resultData(r: RoundtripResult, strict: boolean): Record<string, unknown> {
  const base = {
    version: r.pair.version.toString(),
    name: r.pair.name,
    up: r.pair.up.path,
    down: r.pair.down.path,
    status: r.status,
  };
  if (r.status === 'not-run')
    return {
      ...base,
      duration_ms: null,
      not_tested_reason: null,
      after_down: [],
      after_reapply: [],
      row_counts: [],
      failure: null,
    };
  if (r.status === 'not-tested')
    return {
      ...base,
      duration_ms: r.durationMs,
      not_tested_reason: r.reason,
      after_down: [],
      after_reapply: [],
      row_counts: [],
      failure: null,
    };
  const { afterDown, afterReapply, rowChanges, failure } = r.findings;
  return {
    ...base,
    duration_ms: r.durationMs,
    not_tested_reason: null,
    after_down: afterDown.map((d) => differenceData(d, `after ${r.pair.down.path}: ${d.description}`, strict)),
    after_reapply: afterReapply.map((d) =>
      differenceData(d, `after applying ${r.pair.up.path} again: ${d.description}`, strict),
    ),
    row_counts: rowChanges.map((c) => ({ table: `${c.schema}.${c.table}`, before: c.before, after: c.after })),
    failure: failure && {
      phase: failure.phase,
      file: failure.error.path,
      line: failure.error.sql.line,
      column: failure.error.sql.column,
      sqlstate: failure.error.sql.sqlstate,
      message: failure.error.sql.message,
      detail: failure.error.sql.detail,
      hint: failure.error.sql.hint,
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
    strict: report.strict,
    duration_ms: report.durationMs,
    summary: {
      total: s.total,
      passed: s.passed,
      warnings: s.warnings,
      failed: s.failed,
      not_tested: s.notTested,
      not_run: s.notRun,
      applied_first: report.appliedFirst,
    },
    migrations: report.results.map((r) => resultData(r, report.strict)),
  };
}
