/** `tidemark test`'s schema snapshots (test.ts): scoped when the change log can follow the scripts, and overlapped with the next script. */
import { ScopedSnapshots, unscopedReason } from '../db/catalog';
import type { Throwaway } from '../db/throwaway';
import type { Snapshot } from '../schema';
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
