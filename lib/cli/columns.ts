/** Plain-text tables for the human reports: one place for how columns line up. */

/**
 * Rows as lines, each cell padded to its column's widest (missing cells are
 * empty), two spaces apart, no trailing spaces. With `rule`, a line of
 * dashes under the first row (the header).
 */
export function columns(rows: readonly (readonly string[])[], options: { readonly rule?: boolean } = {}): string[] {
  const count = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: count }, (_, i) => Math.max(0, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    widths
      .map((w, i) => (i === widths.length - 1 ? (cells[i] ?? '') : (cells[i] ?? '').padEnd(w)))
      .join('  ')
      .trimEnd();
  const lines = rows.map(line);
  if (options.rule && lines.length > 0) lines.splice(1, 0, line(widths.map((w) => '-'.repeat(w))));
  return lines;
}

/** A header and its rows (columns with the header first). */
export const table = (header: readonly string[], rows: readonly (readonly string[])[]): string[] =>
  columns([header, ...rows]);
