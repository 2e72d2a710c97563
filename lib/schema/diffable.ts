/**
 * The uniform shape the diff works on: every snapshot entry becomes a
 * Diffable with an identity, a human label, a summary and a list of named
 * properties rendered as text. Pure: no database.
 */
import type { ObjectType } from './difference';
import type { Grant } from './types';

/** One property compared between snapshots: a name for people and its text (null: none). */
export type Property = readonly [name: string, value: string | null];

export interface Diffable {
  readonly objectType: ObjectType;
  readonly identity: string;
  /** How a description names it: `index i on public.t`, `column public.t.c`. */
  readonly label: string;
  /**
   * The object in the catalog's own namespaces (`relation:public.t`,
   * `type:public.mood`, `column:public.t.c`…). When an object is missing or
   * extra, differences of the objects whose `parentKey` names it are not
   * reported: a dropped table is one difference, not one per column.
   */
  readonly key: string;
  readonly parentKey: string | null;
  /** The object as a whole, shown when it is missing or extra. */
  readonly summary: string;
  readonly properties: readonly Property[];
  readonly owner?: string;
  readonly comment?: string | null;
  /** Rendered grant phrases, `SELECT on table public.t to alice`. */
  readonly grants?: readonly string[];
  /**
   * Children whose order matters (a table's columns, an enum's labels). The
   * diff compares the relative order of those present on both sides, so one
   * missing column is not also reported as every later column moving.
   */
  readonly ordered?: { readonly property: string; readonly items: readonly string[] };
}

/** `a.b.c`: how identities are spelled. */
export function dotted(...parts: readonly string[]): string {
  return parts.join('.');
}

/** A boolean as one of two words. */
export function either(value: boolean, yes: string, no: string): string {
  return value ? yes : no;
}

/** A list as `a, b`, or null when empty. */
export function listOrNone(values: readonly string[]): string | null {
  return values.length > 0 ? values.join(', ') : null;
}

/**
 * Grants as phrases. Relative to the owner: the owner's own privileges read
 * "to the owner" (they follow ownership, so a new owner is one difference,
 * not one per privilege), and the grantor is named only when it is not the
 * owner, as it usually is.
 */
export function grantPhrases(grants: readonly Grant[], target: string, owner: string | null): string[] {
  return grants.map((g) => {
    const option = g.grantable ? ' WITH GRANT OPTION' : '';
    const grantee = g.grantee === owner ? 'the owner' : g.grantee;
    const grantor = owner !== null && g.grantor !== owner ? ` (granted by ${g.grantor})` : '';
    return `${g.privilege}${option} on ${target} to ${grantee}${grantor}`;
  });
}

/** Owner, comment and grants of an owned object, as Diffable fields. */
export function ownedFields(
  o: { readonly owner: string; readonly comment: string | null; readonly grants: readonly Grant[] },
  label: string,
): Pick<Diffable, 'owner' | 'comment' | 'grants'> {
  return { owner: o.owner, comment: o.comment, grants: grantPhrases(o.grants, label, o.owner) };
}
