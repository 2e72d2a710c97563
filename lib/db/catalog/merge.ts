/**
 * A scoped snapshot assembled: the previous snapshot's rows, less those of
 * the relations read again (by their old and new names), plus what was read.
 */
import type { Snapshot } from '../../schema';
import type { Scope } from './scope';
import { sortBy } from './take';

const key = (schema: string, name: string) => `${schema}\u0000${name}`;

/** The per-relation sections: rows named by their relation's `name`… */
const BY_NAME = ['tables', 'views', 'sequences'] as const;
/** …or by their table's. */
const BY_TABLE = ['columns', 'constraints', 'indexes', 'triggers', 'policies'] as const;

type Named = { schema: string; name: string };
type OnTable = { schema: string; table: string; name: string };

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
