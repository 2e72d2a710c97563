/**
 * `tidemark fleet status`: the version matrix. Each target's highest applied
 * version, pending count, drift and failed rows, grouped by state, worst
 * first, so "which tenants are behind" is one command. Pure.
 */
import type { FleetReport, TargetResult } from '../fleet/types';
import { table } from './columns';
import { countsLine, failureLine, fleetDocument, whereOf } from './render-fleet';

export type StatusGroup = 'unreadable' | 'failed-rows' | 'drift' | 'behind' | 'up-to-date';

const GROUPS: readonly { id: StatusGroup; title: string }[] = [
  { id: 'unreadable', title: 'Could not be read' },
  { id: 'failed-rows', title: 'Failed or interrupted migrations in the ledger (tidemark repair)' },
  { id: 'drift', title: 'Drift: the ledger disagrees with the files' },
  { id: 'behind', title: 'Behind: migrations pending' },
  { id: 'up-to-date', title: 'Up to date' },
];

/** The one group a target is in: the worst that applies. */
export function groupOf(r: TargetResult): StatusGroup {
  const s = r.status;
  if (r.state === 'failed' || r.state === 'not-started' || !s) return 'unreadable';
  if (s.failedRows > 0) return 'failed-rows';
  if (s.drift > 0) return 'drift';
  return s.pending > 0 ? 'behind' : 'up-to-date';
}

/** Versions compare as numbers (they are digit strings); none sorts first. */
const byVersion = (a: TargetResult, b: TargetResult) => {
  const va = a.status?.highestApplied;
  const vb = b.status?.highestApplied;
  if (va === vb) return a.name.localeCompare(b.name);
  if (va == null) return -1;
  if (vb == null) return 1;
  return BigInt(va) < BigInt(vb) ? -1 : 1;
};

/** "0020 on 180 targets, 0019 on 15, none on 5": how far the fleet has got. */
export function versionSpread(results: readonly TargetResult[]): string {
  const counts = new Map<string, number>();
  for (const r of results) {
    if (!r.status) continue;
    const v = r.status.highestApplied ?? 'none';
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const order = [...counts.keys()].sort((a, b) =>
    a === 'none' ? 1 : b === 'none' ? -1 : BigInt(b) < BigInt(a) ? -1 : 1,
  );
  return order
    .map((v, i) => `${v} on ${counts.get(v)}${i === 0 ? ` target${counts.get(v) === 1 ? '' : 's'}` : ''}`)
    .join(', ');
}

const rowOf = (r: TargetResult): string[] => [
  r.name,
  whereOf(r),
  r.status?.highestApplied ?? (r.status ? 'none' : '?'),
  String(r.status?.pending ?? '?'),
  String(r.status?.drift ?? '?'),
  String(r.status?.failedRows ?? '?'),
];

/** The grouped matrix, worst group first; a big up-to-date group is a count. */
export function renderFleetStatus(report: FleetReport, listUpToDate = 20): string {
  const lines = [countsLine(report)];
  const spread = versionSpread(report.results);
  if (spread) lines.push(`Highest applied: ${spread}.`);
  for (const { id, title } of GROUPS) {
    const members = report.results.filter((r) => groupOf(r) === id).sort(byVersion);
    if (members.length === 0) continue;
    lines.push('', `${title}: ${members.length}`);
    if (id === 'up-to-date' && members.length > listUpToDate) {
      lines.push(`  (${members.length} targets at ${members[0].status?.highestApplied ?? 'none'}; --json lists them)`);
      continue;
    }
    if (id === 'unreadable') {
      lines.push(...members.map((r) => `  ${r.name} (${whereOf(r)}): ${failureLine(r) || r.state}`));
      continue;
    }
    lines.push(
      ...table(['target', 'where', 'applied', 'pending', 'drift', 'failed'], members.map(rowOf)).map((l) => `  ${l}`),
    );
  }
  return lines.join('\n');
}

/** `fleet status --json`: the run's document, and the names in each group. */
export function fleetStatusDocument(report: FleetReport): Record<string, unknown> {
  const groups = Object.fromEntries(
    GROUPS.map(({ id }) => [
      id.replaceAll('-', '_'),
      report.results
        .filter((r) => groupOf(r) === id)
        .sort(byVersion)
        .map((r) => r.name),
    ]),
  );
  return { ...fleetDocument(report), groups };
}

/** `tidemark fleet plan`: what each target would run, targets with work first. */
export function renderFleetPlan(report: FleetReport): string {
  const lines = [countsLine(report)];
  const busy = report.results.filter((r) => r.versions.length > 0);
  const failed = report.results.filter((r) => r.state === 'failed');
  const idle = report.results.length - busy.length - failed.length;
  if (busy.length > 0) {
    lines.push('', `Would run migrations on ${busy.length} target${busy.length === 1 ? '' : 's'}:`);
    lines.push(
      ...busy.map((r) => `  ${r.name} (${whereOf(r)}), ${r.wave}: ${r.versions.length}: ${r.versions.join(', ')}`),
    );
  }
  if (failed.length > 0)
    lines.push('', 'Could not be planned:', ...failed.map((r) => `  ${r.name} (${whereOf(r)}): ${failureLine(r)}`));
  if (idle > 0) lines.push('', `Nothing to run on ${idle} target${idle === 1 ? '' : 's'}.`);
  lines.push('Nothing was changed.');
  return lines.join('\n');
}
