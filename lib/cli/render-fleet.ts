/**
 * `tidemark fleet`'s report for humans and as JSON: one line per finished
 * target, the summary table, the document of `--json` and `--report
 * json=PATH`. Pure. Nothing here holds a URL: a target is shown by its
 * name, host:port/database and schema (TargetResult.host has no credentials),
 * and every text still goes through the password masking when written.
 */
import type { FleetReport, TargetResult, TargetState } from '../fleet/types';
import { table } from './columns';

const STATE_ORDER: readonly TargetState[] = ['failed', 'not-started', 'migrated', 'up-to-date', 'checked'];

export const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;

/** Where a target is: host:port/database, and its schema. */
export const whereOf = (r: Pick<TargetResult, 'host' | 'schema'>) =>
  r.schema ? `${r.host} schema ${r.schema}` : r.host;

/** The failure's message, its first line, without the location it may start with (shown apart). */
export function messageOf(r: TargetResult): string {
  const f = r.failure;
  if (!f) return '';
  const first = f.message.split('\n')[0];
  return f.location && first.startsWith(`${f.location}: `) ? first.slice(f.location.length + 2) : first;
}

/** A failure as one line: SQLSTATE, file:line:col, the message. */
export function failureLine(r: TargetResult): string {
  const f = r.failure;
  if (!f) return '';
  const parts = [f.sqlstate ? `SQLSTATE ${f.sqlstate}` : '', f.location ?? '', messageOf(r)];
  return parts.filter((p) => p !== '').join(': ');
}

/** One line as a target finishes (plain output, off a terminal). */
export function targetLine(r: TargetResult): string {
  const head = `${r.name} (${whereOf(r)})`;
  const tries = r.attempts > 1 ? `, ${r.attempts} attempts` : '';
  const time = `${seconds(r.durationMs)}${tries}`;
  switch (r.state) {
    case 'migrated':
      return `✓ ${head}: ${r.versions.length} migration${r.versions.length === 1 ? '' : 's'} (${r.versions.join(', ')}) in ${time}`;
    case 'up-to-date':
      return `✓ ${head}: up to date (${time})`;
    case 'checked':
      // plan, and apply/rollback --dry-run: what would run there.
      if (r.versions.length > 0)
        return `✓ ${head}: would run ${r.versions.length} migration${r.versions.length === 1 ? '' : 's'} (${r.versions.join(', ')}) (${time})`;
      return `${r.exitCode ? '✗' : '✓'} ${head}: checked${r.exitCode ? `, exit ${r.exitCode}` : ''} (${time})`;
    case 'not-started':
      return `- ${head}: not started`;
    case 'failed':
      return `✗ ${head}: failed after ${time}: ${failureLine(r)}`;
  }
}

const stateLabel = (s: TargetState) => s.replaceAll('-', ' ');

/** "200 targets: 180 migrated, 18 up to date, 2 failed". */
export function countsLine(report: FleetReport): string {
  const parts = STATE_ORDER.filter((s) => report.counts[s] > 0).map((s) => `${report.counts[s]} ${stateLabel(s)}`);
  const shard = report.shard ? ` (shard ${report.shard.index} of ${report.shard.count})` : '';
  return `fleet ${report.command}: ${report.results.length} target${report.results.length === 1 ? '' : 's'}${shard}: ${parts.join(', ') || 'none'} in ${seconds(report.durationMs)}`;
}

function waveRows(report: FleetReport): string[][] {
  const waves = [...new Set(report.results.map((r) => r.wave))];
  return waves.map((wave) => {
    const of = report.results.filter((r) => r.wave === wave);
    const n = (s: TargetState) => String(of.filter((r) => r.state === s).length);
    const ms = Math.max(0, ...of.map((r) => r.durationMs));
    return [wave, String(of.length), n('migrated'), n('up-to-date'), n('failed'), n('not-started'), seconds(ms)];
  });
}

/** The summary: counts, a table by wave, the failures with SQLSTATE and file:line, why the run stopped. */
export function renderFleet(report: FleetReport): string {
  const lines = [countsLine(report), ''];
  lines.push(
    ...table(['wave', 'targets', 'migrated', 'up to date', 'failed', 'not started', 'slowest'], waveRows(report)),
  );
  const failed = report.results.filter((r) => r.state === 'failed');
  if (failed.length > 0) {
    lines.push('', 'Failed:');
    const rows = failed.map((r) => [
      r.name,
      whereOf(r),
      r.failure?.sqlstate ?? '',
      r.failure?.location ?? '',
      messageOf(r),
    ]);
    lines.push(...table(['target', 'where', 'sqlstate', 'at', 'error'], rows).map((l) => `  ${l}`));
  }
  const findings = report.results.filter((r) => r.state === 'checked' && r.exitCode);
  if (findings.length > 0) {
    lines.push('', `Findings (the single-database command's exit code):`);
    lines.push(...findings.map((r) => `  ${r.name} (${whereOf(r)}): exit ${r.exitCode}`));
  }
  if (report.stoppedBy) {
    const left = report.counts['not-started'];
    lines.push('', `Stopped early: ${report.stoppedBy}; ${left} target${left === 1 ? '' : 's'} not started.`);
  }
  if (failed.length > 0 || report.stoppedBy)
    lines.push(`Rerun the failures with the same command and --only failed (run ${report.runId}).`);
  return lines.join('\n');
}

/** One target as JSON (snake_case, as every tidemark document). */
export function targetDocument(r: TargetResult): Record<string, unknown> {
  const f = r.failure;
  const s = r.status;
  return {
    name: r.name,
    host: r.host,
    ...(r.schema === undefined ? {} : { schema: r.schema }),
    labels: r.labels,
    state: r.state,
    wave: r.wave,
    attempts: r.attempts,
    duration_ms: Math.round(r.durationMs),
    versions: r.versions,
    ...(f === undefined
      ? {}
      : {
          failure: {
            message: f.message,
            sqlstate: f.sqlstate ?? null,
            location: f.location ?? null,
            version: f.version ?? null,
            exit_code: f.exitCode,
            transient: f.transient,
          },
        }),
    ...(s === undefined
      ? {}
      : {
          status: { highest_applied: s.highestApplied, pending: s.pending, drift: s.drift, failed_rows: s.failedRows },
        }),
    ...(r.exitCode === undefined ? {} : { exit_code: r.exitCode }),
  };
}

/** The whole run as JSON: `--json`, and `--report json=PATH`. */
export function fleetDocument(report: FleetReport): Record<string, unknown> {
  return {
    run_id: report.runId,
    command: report.command,
    started_at: report.startedAt,
    duration_ms: Math.round(report.durationMs),
    ...(report.shard ? { shard: report.shard } : {}),
    exit_code: report.exitCode,
    stopped_by: report.stoppedBy ?? null,
    counts: Object.fromEntries(Object.entries(report.counts).map(([k, v]) => [k.replaceAll('-', '_'), v])),
    targets: report.results.map(targetDocument),
  };
}
