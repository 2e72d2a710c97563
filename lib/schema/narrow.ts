/**
 * A snapshot narrowed to some relations, for comparing two snapshots that
 * can differ only there (`tidemark test`'s scoped snapshots share every
 * other row with the snapshot they were made from). Pure.
 */
import type { Snapshot } from './types';

/** How a relation is named in a set of relations: its schema and name. */
export const relationKey = (schema: string, name: string): string => `${schema}\u0000${name}`;

/** The sections of a relation's own rows, named by the relation's `name`… */
export const BY_NAME = ['tables', 'views', 'sequences'] as const;
/** …and of the rows that hang off a table, named by its `table`. */
export const BY_TABLE = ['columns', 'constraints', 'indexes', 'triggers', 'policies'] as const;

/** `snapshot` with only the rows of `relations` (relationKey) in the relation sections; the other sections whole. */
export function narrowed(snapshot: Snapshot, relations: ReadonlySet<string>): Snapshot {
  const by = new Map<string, Set<string>>();
  for (const key of relations) {
    const [schema, name] = key.split('\u0000');
    let names = by.get(schema);
    if (!names) by.set(schema, (names = new Set()));
    names.add(name);
  }
  const has = (schema: string, name: string) => by.get(schema)?.has(name) === true;
  const result: Record<string, unknown> = { ...snapshot };
  for (const field of BY_NAME)
    result[field] = (snapshot[field] as readonly { schema: string; name: string }[]).filter((r) =>
      has(r.schema, r.name),
    );
  for (const field of BY_TABLE)
    result[field] = (snapshot[field] as readonly { schema: string; table: string }[]).filter((r) =>
      has(r.schema, r.table),
    );
  return result as unknown as Snapshot;
}
