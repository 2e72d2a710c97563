/** `tidemark test`'s schema snapshots (test.ts): scoped when the change log can follow the scripts, and overlapped with the next script. */
import { isDeepStrictEqual } from 'node:util';
import { relationsChangedSince, ScopedSnapshots, unscopedReason } from '../db/catalog';
import type { Throwaway } from '../db/throwaway';
import { diffSnapshots, type SchemaDifference, type Snapshot } from '../schema';
import type { Pair } from '../types';
import { ledgerOf, type RunContext } from './context';

/**
 * A snapshot, with `next` started as soon as the snapshot's reads are sent:
 * the server runs it while the client assembles the snapshot. Its result
 * (null when there was no `next`) is handled meanwhile, so that a failure is
 * not an unhandled rejection.
 */
export async function snapshotThen<T>(
  snapshots: ScopedSnapshots,
  next: (() => Promise<T>) | null,
): Promise<[Snapshot, Promise<T> | null]> {
  let started: Promise<T> | null = null;
  const taken = await snapshots.take(
    next
      ? () => {
          started = next();
          started.catch(() => undefined);
        }
      : undefined,
  );
  return [taken, started];
}

/**
 * Scoped snapshots on a database made from template0 whose scripts the
 * change log can follow (unscopedReason); full ones otherwise, or when
 * TIDEMARK_SCOPED_SNAPSHOTS=0 (the way back to full reads, and the bench's
 * comparison).
 */
export function snapshotsFor(
  db: Throwaway,
  ctx: RunContext,
  template: string,
  pairs: readonly Pair[],
): ScopedSnapshots {
  const reason =
    process.env.TIDEMARK_SCOPED_SNAPSHOTS === '0'
      ? 'TIDEMARK_SCOPED_SNAPSHOTS=0'
      : template === 'template0'
        ? unscopedReason(pairs.flatMap((p) => [p.up.body.text(), p.down.body.text()]))
        : 'a template';
  if (reason) ctx.logger.debug({ reason }, `full schema snapshots after every script (${reason})`);
  return new ScopedSnapshots(db.client, [ledgerOf(ctx.config)], reason === null);
}

/**
 * How `after` differs from `before`. When `after` was made from `before` by
 * scoped snapshots, only the relations they read again are compared (every
 * other relation's rows are the same objects on both sides). With
 * TIDEMARK_CHECK_SCOPED_SNAPSHOTS=1 the whole comparison is made too, and
 * any difference between the two throws.
 */
export function compared(before: Snapshot, after: Snapshot): SchemaDifference[] {
  const only = relationsChangedSince(before, after);
  const differences = diffSnapshots(before, after, only ? { onlyRelations: only } : {});
  if (
    only &&
    process.env.TIDEMARK_CHECK_SCOPED_SNAPSHOTS === '1' &&
    !isDeepStrictEqual(differences, diffSnapshots(before, after))
  )
    throw new Error('comparing only the relations read again differs from comparing the whole snapshots');
  return differences;
}
