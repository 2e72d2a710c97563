/**
 * Unified diffs between a script as applied and the file today. Pure.
 */
import { createTwoFilesPatch, structuredPatch } from 'diff';
import { toLf } from '../plan/cosmetic';
import type { Direction, Discrepancy, Pair } from '../types';

export interface ScriptDiff {
  readonly path: string;
  /** The unified diff, or null when the ledger kept only the checksum. */
  readonly patch: string | null;
  /** First changed line in today's file (1-based), for annotations. */
  readonly firstChangedLine: number;
}

/**
 * First line of `after` that differs from `before`; for lines only deleted,
 * the line that now follows them (the last line when they were at the end).
 */
export function firstChangedLine(before: string, after: string): number {
  const patch = structuredPatch('a', 'b', before, after, '', '', { context: 0 });
  const hunk = patch.hunks[0];
  if (!hunk) return 1;
  // jsdiff gives the 1-based line where the hunk starts even when it is empty (a pure deletion).
  const lines = after.split('\n').length - (after.endsWith('\n') ? 1 : 0);
  return Math.max(1, Math.min(hunk.newStart, lines));
}

/**
 * A unified diff of two texts (a definition, a function body), without the
 * `Index:` header jsdiff adds: `--- from`, `+++ to`, then the hunks.
 */
export function textDiff(fromLabel: string, toLabel: string, before: string, after: string): string {
  const eol = (text: string) => (text.endsWith('\n') ? text : `${text}\n`); // no "\ No newline at end of file" noise
  const patch = createTwoFilesPatch(fromLabel, toLabel, eol(toLf(before)), eol(toLf(after)), undefined, undefined, {
    context: 3,
  });
  return patch
    .split('\n')
    .filter((l) => !l.startsWith('Index: ') && !/^={10,}$/.test(l))
    .join('\n')
    .trimEnd();
}

/** The diffs of an edited or cosmetic discrepancy, one per changed script. */
export function discrepancyDiffs(d: Discrepancy, pair: Pair | undefined): ScriptDiff[] {
  if ((d.kind !== 'edited' && d.kind !== 'cosmetic') || pair === undefined) return [];
  return d.scripts.map((direction: Direction) => {
    const script = pair[direction];
    const applied = d.applied?.[direction];
    if (typeof applied !== 'string') return { path: script.path, patch: null, firstChangedLine: 1 };
    const [before, after] = [toLf(applied), toLf(script.body.text())];
    const patch = createTwoFilesPatch(
      `${script.path} (applied)`,
      `${script.path} (on disk)`,
      before,
      after,
      undefined,
      undefined,
      { context: 3 },
    );
    const body = patch.split('\n').filter((l) => !l.startsWith('Index: ') && !/^={10,}$/.test(l));
    return { path: script.path, patch: body.join('\n').trimEnd(), firstChangedLine: firstChangedLine(before, after) };
  });
}
