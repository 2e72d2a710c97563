/**
 * Branch ordering: migrations added since a git revision must sort above
 * every migration that already existed there. Pure.
 */
import type { FileAtRef } from '../source/git';
import { formatVersion } from '../source/version';
import type { Pair } from '../types';

export interface BranchConflict {
  /** The revision compared with. */
  readonly ref: string;
  /** The migration added since the revision. */
  readonly version: bigint;
  readonly name: string;
  readonly path: string;
  /** The highest migration that existed at the revision, which it sorts below (or equals). */
  readonly existing: { readonly version: bigint; readonly path: string };
  /** The next free version, padded like the directory: rename the added pair to it. */
  readonly suggestedVersion: string;
}

/** Added pairs whose version is not above the highest version at the revision. */
export function findBranchConflicts(
  pairs: readonly Pair[],
  atRef: readonly FileAtRef[],
  ref: string,
): BranchConflict[] {
  if (atRef.length === 0) return [];
  // By version, not path: a pair moved to another folder since the revision was not added.
  const existed = new Set(atRef.map((f) => f.version));
  const top = atRef.reduce((a, b) =>
    b.version > a.version || (b.version === a.version && b.path.endsWith('.up.sql')) ? b : a,
  );
  const added = pairs.filter((p) => !existed.has(p.version));
  const highest = pairs.reduce((max, p) => (p.version > max ? p.version : max), top.version);
  const width = pairs.length > 0 ? pairs[pairs.length - 1].label.indexOf('_') : 3;
  let next = highest;
  return added
    .filter((p) => p.version <= top.version)
    .map((p) => {
      next += 1n;
      return {
        ref,
        version: p.version,
        name: p.name,
        path: p.up.path,
        existing: { version: top.version, path: top.path },
        suggestedVersion: formatVersion(next, width),
      };
    });
}
