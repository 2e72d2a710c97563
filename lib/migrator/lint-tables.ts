/**
 * The relations the scripts name, for the live facts to look up before the
 * rules run (the rules ask synchronously): every `RangeVar` in the parse
 * trees (ALTER TABLE's, CREATE INDEX's, a foreign key's referenced table,
 * TRUNCATE's…) and the tables and indexes a DROP names.
 */
import type { LintSource } from '../lint/engine';
import type { RelationName } from '../lint/types';

const DROPPED = new Set(['OBJECT_TABLE', 'OBJECT_INDEX', 'OBJECT_MATVIEW']);

/** Every relation named in `sources`; scripts that do not parse add none. */
export async function relationsNamed(sources: readonly LintSource[]): Promise<RelationName[]> {
  const { loadParser, parseScript } = await import('../lint/parse');
  await loadParser();
  const found = new Map<string, RelationName>();
  const add = (r: RelationName) => found.set(`${r.schema ?? ''}.${r.name}`, r);
  for (const source of sources) {
    const parsed = parseScript(source.sql);
    if (parsed.ok) for (const statement of parsed.statements) walk(statement.node, add);
  }
  return [...found.values()];
}

function walk(node: unknown, add: (r: RelationName) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, add);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const o = node as Record<string, unknown>;
  if (typeof o.relname === 'string')
    add(typeof o.schemaname === 'string' ? { schema: o.schemaname, name: o.relname } : { name: o.relname });
  if (typeof o.removeType === 'string' && DROPPED.has(o.removeType))
    for (const name of droppedNames(o.objects)) add(name);
  for (const value of Object.values(o)) if (typeof value === 'object') walk(value, add);
}

function droppedNames(objects: unknown): RelationName[] {
  if (!Array.isArray(objects)) return [];
  return objects.flatMap((object) => {
    const items = (object as { List?: { items?: { String?: { sval?: string } }[] } }).List?.items ?? [];
    const names = items.map((i) => i.String?.sval).filter((s): s is string => s !== undefined);
    if (names.length === 1) return [{ name: names[0] as string }];
    if (names.length === 2) return [{ schema: names[0] as string, name: names[1] as string }];
    return [];
  });
}
