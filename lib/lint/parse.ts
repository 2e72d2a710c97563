/**
 * Scripts parsed by PostgreSQL's own grammar (libpg-query: the server's
 * parser compiled to WASM, PostgreSQL 18's grammar). Loaded on first use, so
 * only `tidemark lint` pays for it.
 *
 * libpg-query reports positions as UTF-8 byte offsets into the whole text
 * (`stmt_location`, each node's `location`, an error's `cursorPosition`);
 * they are turned into 1-based lines and columns (counted in characters)
 * here, once, for every rule.
 */
import { loadModule, parseSync, type Node } from 'libpg-query';
import type { LintStatement, Place } from './types';

let loading: Promise<void> | undefined;

/** Loads the parser (about 30 ms the first time); safe to call often. */
export function loadParser(): Promise<void> {
  loading ??= loadModule();
  return loading;
}

/** A script the parser refused: its message and where. */
export interface SyntaxProblem {
  readonly message: string;
  readonly place: Place;
}

export type ParsedScript =
  | { readonly ok: true; readonly statements: readonly LintStatement[] }
  | { readonly ok: false; readonly problem: SyntaxProblem };

interface RawStatement {
  readonly stmt?: Node;
  readonly stmt_location?: number;
  readonly stmt_len?: number;
}

/**
 * Parses `sql` (a whole script). Call {@link loadParser} first.
 * A syntax error anywhere fails the whole parse (the grammar has no
 * recovery): the problem names the parser's message and its place.
 */
export function parseScript(sql: string): ParsedScript {
  const bytes = Buffer.from(sql, 'utf8');
  const places = new Places(bytes);
  let stmts: readonly RawStatement[];
  try {
    stmts = (parseSync(sql) as { stmts?: RawStatement[] }).stmts ?? [];
  } catch (err) {
    const details = (err as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
    const at = details?.cursorPosition ?? 0;
    return { ok: false, problem: { message: (err as Error).message, place: places.at(at) } };
  }
  const statements = stmts
    .filter((raw): raw is RawStatement & { stmt: Node } => raw.stmt !== undefined)
    .map((raw, index) => statementOf(raw, index, bytes, places));
  return { ok: true, statements };
}

function statementOf(raw: RawStatement & { stmt: Node }, index: number, bytes: Buffer, places: Places): LintStatement {
  const start = raw.stmt_location ?? 0;
  const end = raw.stmt_len ? start + raw.stmt_len : bytes.length;
  const startPlace = places.at(start);
  const untrimmed = bytes.toString('utf8', start, end);
  const text = untrimmed.trim();
  const leading = untrimmed.slice(0, untrimmed.length - untrimmed.trimStart().length);
  return {
    node: raw.stmt,
    kind: Object.keys(raw.stmt)[0] ?? 'Unknown',
    index,
    text,
    offset: start + Buffer.byteLength(leading, 'utf8'),
    start: startPlace,
    placeOf: (location) => (location === undefined || location < 0 ? startPlace : places.at(location)),
  };
}

/** UTF-8 byte offsets → 1-based line and column (in characters). */
class Places {
  private readonly lineStarts: number[] = [0];

  constructor(private readonly bytes: Buffer) {
    for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) this.lineStarts.push(i + 1);
  }

  at(offset: number): Place {
    const at = Math.max(0, Math.min(offset, this.bytes.length));
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.lineStarts[mid] as number) <= at) low = mid;
      else high = mid - 1;
    }
    let column = 1;
    // A continuation byte (10xxxxxx) belongs to the character before it.
    for (let i = this.lineStarts[low] as number; i < at; i++) if (((this.bytes[i] as number) & 0xc0) !== 0x80) column++;
    return { line: low + 1, column };
  }
}
