/**
 * A statement's significant tokens as plain strings, for matching leading
 * keywords: bare words in lower case, everything else as written (so the
 * quoted identifier `"vacuum"` never matches the keyword `vacuum`).
 */
import { Scanner } from './scanner';

/** The first `limit` significant tokens of `sql`, normalised for matching. */
export function words(sql: string, limit = Infinity): string[] {
  const out: string[] = [];
  const scanner = new Scanner(sql);
  while (out.length < limit && scanner.next()) {
    if (scanner.kind === 'whitespace' || scanner.kind === 'comment') continue;
    const text = sql.slice(scanner.start, scanner.end);
    out.push(scanner.kind === 'identifier' ? asciiLower(text) : text);
  }
  return out;
}

/**
 * Lower-cases an ASCII word. Words with other characters are left as they
 * are: they never match a keyword, and `toLowerCase` would fold some of them
 * into ASCII (the Kelvin sign becomes `k`).
 */
function asciiLower(text: string): string {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return text;
  return text.toLowerCase();
}
