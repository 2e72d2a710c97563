/**
 * Cosmetic edits: a change to comments or whitespace outside string
 * literals, dollar quotes and quoted identifiers. Decided on the token
 * streams of a real SQL lexer, never on regexes over text.
 */
import { readDirectives } from '../source/directives';
import { significantTokens } from '../sql/lexer';

/** CRLF → LF, as the checksum does: a checkout with other line endings is not an edit, inside literals either. */
export const toLf = (sql: string): string => sql.replace(/\r\n/g, '\n');

/**
 * True when `after` has exactly the tokens of `before`: the same keywords,
 * identifiers, literals and operators, in the same order, letter for letter.
 * An unknown `before` (the ledger kept only a checksum) is never cosmetic,
 * nor is a comment that adds or removes a `-- tidemark:` directive, since
 * that changes how the script runs.
 */
export function isCosmeticEdit(before: string | null | undefined, after: string): boolean {
  if (typeof before !== 'string') return false;
  if (JSON.stringify(readDirectives(before)) !== JSON.stringify(readDirectives(after))) return false;
  const a = significantTokens(toLf(before));
  const b = significantTokens(toLf(after));
  return a.length === b.length && a.every((t, i) => t.kind === b[i].kind && t.text === b[i].text);
}
