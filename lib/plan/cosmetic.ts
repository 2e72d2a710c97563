/**
 * Cosmetic edits: a change to comments or whitespace that PostgreSQL reads
 * past, leaving the same tokens. Decided on the token streams of a real SQL
 * lexer, never on regexes over text.
 */
import { readDirectives } from '../source/directives';
import { isSignificant, tokens, type Token } from '../sql/lexer';

/** CRLF → LF, as the checksum does: a checkout with other line endings is not an edit, inside literals either. */
export const toLf = (sql: string): string => sql.replace(/\r\n/g, '\n');

/**
 * True when PostgreSQL reads `after` as it read `before`: the same keywords,
 * identifiers, literals and operators, in the same order, letter for letter,
 * with the same gaps where a gap matters (see {@link gapBetween}). An
 * unknown `before` (the ledger kept only a checksum) is never cosmetic, nor
 * is a comment that adds or removes a `-- tidemark:` directive, since that
 * changes how the script runs.
 */
export function isCosmeticEdit(before: string | null | undefined, after: string): boolean {
  if (typeof before !== 'string') return false;
  if (JSON.stringify(readDirectives(before)) !== JSON.stringify(readDirectives(after))) return false;
  const a = reading(toLf(before));
  const b = reading(toLf(after));
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

/** The significant tokens of `sql` as `kind text`, with what matters of the gap between two of them in between. */
function reading(sql: string): string[] {
  const out: string[] = [];
  let previous: Token | null = null;
  let gap = '';
  for (const token of tokens(sql)) {
    if (!isSignificant(token)) {
      gap += token.text;
      continue;
    }
    if (previous !== null) out.push(gapBetween(previous, gap, token));
    out.push(`${token.kind} ${token.text}`);
    previous = token;
    gap = '';
  }
  return out;
}

/** `( ) , ; [ ]`: PostgreSQL's scanner never reads one of them together with a neighbour. */
const SELF_DELIMITING = new Set(['(', ')', ',', ';', '[', ']']);

/**
 * What of the whitespace and comments between two tokens PostgreSQL reads:
 * - between a string and a plain `'…'` string, whether the gap continues the
 *   first (`'a'⏎'b'` is the one literal `'ab'`; `'a' 'b'` is an error);
 * - elsewhere, whether there is a gap at all: `N'x'` is a national string
 *   and `N 'x'` a word and a string; `10OFFSET` is an error where
 *   `10 OFFSET` is not; `x=-1` and `x = -1` count as different (over-cautious
 *   for operators) — except next to `( ) , ; [ ]`.
 * How much whitespace, and which comments, never matter otherwise.
 */
function gapBetween(before: Token, gap: string, after: Token): string {
  if (before.kind === 'string' && after.kind === 'string' && after.text.startsWith("'")) {
    return continuesString(gap) ? 'continued' : 'apart';
  }
  if (gap !== '' || SELF_DELIMITING.has(before.text) || SELF_DELIMITING.has(after.text)) return 'apart';
  return 'adjacent';
}

/**
 * scan.l's `quotecontinue` between two quotes: whitespace and `--` comments
 * with at least one line break. A `/* … *\/` comment, or no line break, ends
 * the literal; so does a vertical tab here (over-cautious: whitespace only
 * after the first line break, and only since PostgreSQL 16).
 * (A `--` comment in a gap always ends at a line break: it would otherwise
 * have swallowed the next quote.)
 */
function continuesString(gap: string): boolean {
  let newline = false;
  for (let i = 0; i < gap.length; i++) {
    const c = gap.charCodeAt(i);
    if (c === 0x0a || c === 0x0d) newline = true;
    else if (c === 0x2d && gap.charCodeAt(i + 1) === 0x2d) i = endOfComment(gap, i) - 1;
    else if (c !== 0x20 && c !== 0x09 && c !== 0x0c) return false; // a block comment; or a vertical tab, not whitespace before PostgreSQL 16
  }
  return newline;
}

function endOfComment(gap: string, start: number): number {
  let i = start + 2;
  while (i < gap.length && gap.charCodeAt(i) !== 0x0a && gap.charCodeAt(i) !== 0x0d) i++;
  return i;
}
