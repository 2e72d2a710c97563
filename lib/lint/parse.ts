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
import { splitStatements } from '../sql/lexer';
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
 * From this size on a script is parsed a statement at a time (split by
 * tidemark's own lexer): one parse of a whole 13 MB data migration holds
 * about 0.8 GB, and the WASM heap has a ceiling.
 */
const PIECEWISE_BYTES = 1024 * 1024;

/**
 * Parses `sql` (a whole script). Call {@link loadParser} first.
 * A syntax error anywhere fails the whole parse (the grammar has no
 * recovery): the problem names the parser's message and its place.
 */
export function parseScript(sql: string): ParsedScript {
  const bytes = Buffer.from(sql, 'utf8');
  const places = new Places(bytes);
  if (bytes.length >= PIECEWISE_BYTES) return parsePieces(sql, bytes, places);
  const parsed = parseAt(sql, 0, bytes.length, places);
  if (!parsed.ok) return parsed;
  return { ok: true, statements: parsed.raws.map((raw, index) => statementOf(raw, index, bytes, places)) };
}

/** A statement found by the parser, its byte range counted from the script's start. */
interface Found {
  readonly stmt: Node;
  readonly start: number;
  readonly end: number;
}

type Raws = { readonly ok: true; readonly raws: Found[] } | { readonly ok: false; readonly problem: SyntaxProblem };

/** Parses `text`, found at byte `base` of the script: every position is shifted to count from the script's start. */
function parseAt(text: string, base: number, endOfText: number, places: Places): Raws {
  let stmts: readonly RawStatement[];
  try {
    stmts = (parseSync(text) as { stmts?: RawStatement[] }).stmts ?? [];
  } catch (err) {
    const details = (err as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
    return {
      ok: false,
      problem: { message: (err as Error).message, place: places.at(base + (details?.cursorPosition ?? 0)) },
    };
  }
  const raws: Found[] = [];
  for (const raw of stmts) {
    if (raw.stmt === undefined) continue;
    const start = base + (raw.stmt_location ?? 0);
    if (base > 0) shiftLocations(raw.stmt, base);
    raws.push({ stmt: raw.stmt, start, end: raw.stmt_len ? start + raw.stmt_len : endOfText });
  }
  return { ok: true, raws };
}

/** A big script, a statement at a time: the same statements and positions as one parse, in bounded memory. */
function parsePieces(sql: string, bytes: Buffer, places: Places): ParsedScript {
  const statements: LintStatement[] = [];
  let char = 0;
  let byte = 0;
  for (const piece of splitStatements(sql)) {
    byte += Buffer.byteLength(sql.slice(char, piece.start), 'utf8');
    char = piece.start;
    const parsed = parseAt(piece.text, byte, byte + Buffer.byteLength(piece.text, 'utf8'), places);
    if (!parsed.ok) return parsed;
    for (const raw of parsed.raws) statements.push(statementOf(raw, statements.length, bytes, places));
  }
  return { ok: true, statements };
}

/** Adds `base` to every `location` in a parse tree (they count from the start of the text parsed). */
function shiftLocations(node: unknown, base: number): void {
  if (Array.isArray(node)) {
    for (const item of node) shiftLocations(item, base);
  } else if (node !== null && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    for (const [key, value] of Object.entries(record)) {
      if (key === 'location' && typeof value === 'number' && value >= 0) record[key] = value + base;
      else shiftLocations(value, base);
    }
  }
}

function statementOf(raw: Found, index: number, bytes: Buffer, places: Places): LintStatement {
  const { start } = raw;
  const startPlace = places.at(start);
  const untrimmed = bytes.toString('utf8', start, raw.end);
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
