/**
 * A scoped snapshot assembled: the previous snapshot's rows, less those of
 * the relations read again (by their old and new names), plus what was read.
 */
import { BY_NAME, BY_TABLE, relationKey as key, type Snapshot } from '../../schema';
import type { Scope } from './scope';
import { compareKeys } from './take';

type Named = { schema: string; name: string };
type OnTable = { schema: string; table: string; name: string };
type Key<T> = (row: T) => readonly (string | number)[];

/** Each section's order (assemble's, in take.ts). */
const named: Key<Named> = (r) => [r.schema, r.name];
const onTable: Key<OnTable> = (r) => [r.schema, r.table, r.name];
const byPosition = ((c: Snapshot['columns'][number]) => [c.schema, c.table, c.position]) as unknown as Key<OnTable>;
const tableOrder = (field: (typeof BY_TABLE)[number]): Key<OnTable> =>
  field === 'columns' ? byPosition : field === 'indexes' ? named : onTable;

/**
 * `before` with the relations in `scope.replaced` taken from `read` (a
 * scoped read: the relation sections hold only the relations read again;
 * types and routines are complete when the scope says they were read, and
 * taken from `before` otherwise; every other section is complete).
 */
export function mergeSnapshot(before: Snapshot, read: Snapshot, scope: Scope): Snapshot {
  const { replaced } = scope;
  const merged: Record<string, unknown> = {
    ...read,
    types: scope.types ? read.types : before.types,
    routines: scope.routines ? read.routines : before.routines,
  };
  for (const field of BY_NAME) {
    const kept = (before[field] as readonly Named[]).filter((r) => !replaced.has(key(r.schema, r.name)));
    merged[field] = mergeSorted(kept, read[field] as readonly Named[], named);
  }
  for (const field of BY_TABLE) {
    const kept = (before[field] as readonly OnTable[]).filter((r) => !replaced.has(key(r.schema, r.table)));
    merged[field] = mergeSorted(kept, read[field] as readonly OnTable[], tableOrder(field));
  }
  return merged as unknown as Snapshot;
}

/**
 * Two lists sorted by `order` as one, as sortBy would sort them together
 * (stable: of equal keys, `kept`'s first): each of the few read rows finds
 * its place in `kept` by binary search.
 */
function mergeSorted<T>(kept: readonly T[], read: readonly T[], order: Key<T>): T[] {
  if (read.length === 0) return kept as T[];
  const out: T[] = [];
  let i = 0;
  for (const row of read) {
    const k = order(row);
    let lo = i;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareKeys(order(kept[mid]), k) <= 0) lo = mid + 1;
      else hi = mid;
    }
    while (i < lo) out.push(kept[i++]);
    out.push(row);
  }
  while (i < kept.length) out.push(kept[i++]);
  return out;
}
