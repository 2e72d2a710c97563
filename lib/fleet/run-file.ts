/**
 * The run file `.tidemark/runs/<runId>.json`: JSON lines, written as the run
 * goes (a header, one line per target as it finishes, an end line), so a
 * run killed with `kill -9` leaves every finished target on disk. `jq`
 * reads it as a stream. No connection strings: targets by name, host and
 * schema only. Pure: formatting and reading lines; the writer is
 * lib/migrator/fleet-run-file.ts.
 */
import { ConfigError } from '../errors';
import type { FleetCommandName, FleetReport, TargetResult } from './types';

export interface RunHeader {
  readonly kind: 'run';
  readonly runId: string;
  readonly command: FleetCommandName;
  readonly startedAt: string;
  readonly shard?: { readonly index: number; readonly count: number };
  readonly total: number;
  /** Where the targets came from: 'file <path>', 'query', 'command', 'list' (never the command's text or a URL). */
  readonly source: string;
}

export const headerLine = (h: Omit<RunHeader, 'kind'>): string => `${JSON.stringify({ kind: 'run', ...h })}\n`;

export const targetLine = (r: TargetResult): string => `${JSON.stringify({ kind: 'target', ...r })}\n`;

export const endLine = (r: Pick<FleetReport, 'durationMs' | 'exitCode' | 'stoppedBy' | 'counts'>): string =>
  `${JSON.stringify({ kind: 'end', durationMs: r.durationMs, exitCode: r.exitCode, stoppedBy: r.stoppedBy, counts: r.counts })}\n`;

/** A run id that sorts by time: `20261204T201045123Z-1a2b3c`. */
export function newRunId(now: Date, random: string): string {
  return `${now.toISOString().replace(/[-:.]/g, '')}-${random}`;
}

export interface ReadRun {
  readonly header: RunHeader;
  /** The last line per target (a retried target's final state). */
  readonly results: ReadonlyMap<string, Pick<TargetResult, 'name' | 'state'>>;
  /** False when the file has no end line (the run was killed). */
  readonly ended: boolean;
}

/**
 * Reads a run file's text. A torn last line (killed mid-write) is ignored.
 * @throws ConfigError when the first line is not a run header.
 */
export function parseRunFile(text: string, file: string): ReadRun {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const parsed = lines.map((l) => {
    try {
      return JSON.parse(l) as { kind?: string } & Record<string, unknown>;
    } catch {
      return null;
    }
  });
  const header = parsed[0];
  if (!header || header.kind !== 'run')
    throw new ConfigError(`${file} is not a tidemark run file (its first line is not a run header).`, { file });
  const results = new Map<string, Pick<TargetResult, 'name' | 'state'>>();
  for (const p of parsed) if (p?.kind === 'target') results.set(String(p.name), p as unknown as TargetResult);
  return { header: header as unknown as RunHeader, results, ended: parsed.some((p) => p?.kind === 'end') };
}

/** `--only failed`: the names that failed, or were left not started by a stop, in a run file. */
export const failedNames = (run: ReadRun): Set<string> =>
  new Set(
    [...run.results.values()].filter((r) => r.state === 'failed' || r.state === 'not-started').map((r) => r.name),
  );
