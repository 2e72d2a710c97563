/**
 * A scoped snapshot assembled: the previous snapshot's rows, less those of
 * the relations read again (by their old and new names), plus what was read.
 */
import type { Snapshot } from '../../schema';
import { sortBy } from './take';

const key = (schema: string, name: string) => `${schema}\u0000${name}`;

/** The per-relation sections: rows named by their relation's `name`… */
const BY_NAME = ['tables', 'views', 'sequences'] as const;
/** …or by their table's. */
const BY_TABLE = ['columns', 'constraints', 'indexes', 'triggers', 'policies'] as const;

type Named = { schema: string; name: string };
type OnTable = { schema: string; table: string; name: string };

/**
 * `before` with the relations in `replaced` taken from `read` (a scoped
 * read: the relation sections hold only the relations read again, every
 * other section is complete).
 */
export function mergeSnapshot(before: Snapshot, read: Snapshot, replaced: ReadonlySet<string>): Snapshot {
  const merged: Record<string, unknown> = { ...read };
  for (const field of BY_NAME) {
    const kept = (before[field] as readonly Named[]).filter((r) => !replaced.has(key(r.schema, r.name)));
    merged[field] = sortBy([...kept, ...(read[field] as readonly Named[])], (r) => [r.schema, r.name]);
  }
  for (const field of BY_TABLE) {
    const kept = (before[field] as readonly OnTable[]).filter((r) => !replaced.has(key(r.schema, r.table)));
    const rows = [...kept, ...(read[field] as readonly OnTable[])];
    merged[field] =
      field === 'columns'
        ? sortBy(rows as unknown as Snapshot['columns'][number][], (c) => [c.schema, c.table, c.position])
        : sortBy(rows, (r) => (field === 'indexes' ? [r.schema, r.name] : [r.schema, r.table, r.name]));
  }
  return merged as unknown as Snapshot;
}
