/** The result of comparing two snapshots: one entry per way they differ. */

export type ObjectType =
  | 'schema'
  | 'extension'
  | 'type'
  | 'enum label'
  | 'domain'
  | 'table'
  | 'column'
  | 'constraint'
  | 'index'
  | 'view'
  | 'materialized view'
  | 'sequence'
  | 'function'
  | 'procedure'
  | 'aggregate'
  | 'window function'
  | 'trigger'
  | 'policy'
  | 'default privileges'
  | 'comment'
  | 'owner'
  | 'grant';

/**
 * An extra or absent object's `subject` is what its description names,
 * without the verb (`index i on public.t`, `grant SELECT on table public.t to
 * PUBLIC`), so a caller that knows more (a down script created it) can word
 * it otherwise.
 */
interface DifferenceBase {
  readonly objectType: ObjectType;
  /**
   * Dotted name of the object, such as `public.user_preferences.user_id` or
   * `public.f(integer)`. For a comment, owner or grant: the object it is on.
   */
  readonly identity: string;
  /**
   * One line for a person, read as "expected before, found after": an extra
   * object "still exists", an absent one "is missing".
   */
  readonly description: string;
}

/**
 * One difference between an expected snapshot (`before`) and a found one
 * (`after`). `before` and `after` hold the text of the object or property
 * (a definition, a type, a comment), absent where there is nothing.
 */
export type SchemaDifference =
  | (DifferenceBase & { readonly kind: 'added'; readonly subject: string; readonly after: string })
  | (DifferenceBase & { readonly kind: 'removed'; readonly subject: string; readonly before: string })
  | (DifferenceBase & {
      readonly kind: 'changed';
      /** What changed: `type`, `default`, `definition`, `owner`, `comment`, `label order`… */
      readonly property: string;
      readonly before?: string;
      readonly after?: string;
    });

/**
 * Too long or multi-line to quote inside a one-line description: such a
 * value is left out of the description (`body changed`) and shown apart.
 */
export function isLongValue(text: string | null | undefined): boolean {
  return typeof text === 'string' && (text.includes('\n') || text.length > 80);
}
