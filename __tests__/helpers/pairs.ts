/**
 * Plain values for the pure modules (validator, planner, status, render):
 * pairs and ledger rows built in memory, with real checksums and directives.
 */
import { ScriptBody } from '../../lib/source/body';
import { checksum } from '../../lib/source/checksum';
import { isBlankSql, readDirectives } from '../../lib/source/directives';
import type { Direction, LedgerRow, Pair, Script } from '../../lib/types';

export interface PairSpec {
  /** Up script text; default `SELECT <version>;`. */
  readonly up?: string;
  /** Down script text; default `SELECT -<version>;`. */
  readonly down?: string;
  /** Digits of the version as written on disk; default 3 (`001`). */
  readonly width?: number;
}

function script(file: string, sql: string): Script {
  const directives = readDirectives(sql);
  if ('problem' in directives) throw new Error(directives.problem);
  return {
    path: file,
    absolutePath: `/migrations/${file}`,
    body: ScriptBody.fromText(sql),
    checksum: checksum(Buffer.from(sql, 'utf8')),
    directives,
    isEmpty: isBlankSql(sql),
  };
}

/** A well-formed pair, as the scanner would return it. */
export function pair(version: number | bigint, name: string, spec: PairSpec = {}): Pair {
  const label = `${String(version).padStart(spec.width ?? 3, '0')}_${name}`;
  const file = (direction: Direction) => `${label}.${direction}.sql`;
  return {
    version: BigInt(version),
    name,
    label,
    up: script(file('up'), spec.up ?? `SELECT ${version};\n`),
    down: script(file('down'), spec.down ?? `SELECT -${version};\n`),
  };
}

/** The ledger row that applying `p` as it is on disk would write; override any field. */
export function appliedRow(p: Pair, overrides: Partial<LedgerRow> = {}): LedgerRow {
  return {
    version: p.version,
    name: p.name,
    upChecksum: p.up.checksum,
    downChecksum: p.down.checksum,
    appliedAt: new Date(Date.UTC(2026, 10, 24, 9, 30, Number(p.version % 60n))),
    appliedBy: 'tester',
    durationMs: 12,
    environment: 'test',
    toolVersion: '0.1.0',
    state: 'applied',
    progress: null,
    ...overrides,
  };
}

/** Versions of a plan's steps, in order, for compact assertions. */
export function versionsOf(steps: readonly { pair: Pair }[]): bigint[] {
  return steps.map((s) => s.pair.version);
}
