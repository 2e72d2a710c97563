/**
 * The splitter and the tokenizer against the real PostgreSQL parser
 * (libpg-query, PostgreSQL 18, compiled to WASM): for every script of the
 * corpus, the same statements at the same offsets, and the same tokens.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadModule, parseSync, scanSync } from 'libpg-query';
import { splitStatements, tokens, type Token } from '../../lib/sql/lexer';

const CORPUS = path.join(__dirname, '..', 'fixtures', 'lexer-corpus');
const files = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.sql'))
  .sort();
const read = (file: string): string => readFileSync(path.join(CORPUS, file), 'utf8');

beforeAll(() => loadModule());

/** libpg-query reports UTF-8 byte offsets; the lexer reports UTF-16 offsets. */
function byteToUtf16(sql: string): (byte: number) => number {
  const map = new Map<number, number>();
  let byte = 0;
  let unit = 0;
  for (const ch of sql) {
    map.set(byte, unit);
    byte += Buffer.byteLength(ch, 'utf8');
    unit += ch.length;
  }
  map.set(byte, unit);
  return (b) => {
    const offset = map.get(b);
    if (offset === undefined) throw new Error(`byte offset ${b} is inside a character`);
    return offset;
  };
}

/** [start, end) of each statement as PostgreSQL's parser reports them. */
function parserStatements(sql: string): [number, number][] {
  const toUtf16 = byteToUtf16(sql);
  return (parseSync(sql).stmts ?? []).map((s) => {
    const start = s.stmt_location ?? 0;
    // stmt_len 0 (absent) means "to the end of the string".
    return [toUtf16(start), s.stmt_len ? toUtf16(start + s.stmt_len) : sql.length];
  });
}

/** Non-whitespace token spans as PostgreSQL's scanner reports them (comments included). */
function scannerSpans(sql: string): string[] {
  const toUtf16 = byteToUtf16(sql);
  return scanSync(sql).tokens.map((t) => `${toUtf16(t.start)}-${toUtf16(t.end)}`);
}

/**
 * The lexer's non-whitespace token spans. PostgreSQL's scanner merges string
 * constants separated by whitespace holding a newline ('a'\n'b' is one
 * literal); the lexer keeps them apart, so merge them here.
 */
function lexerSpans(sql: string): string[] {
  const spans: [number, number][] = [];
  let previous: Token | undefined;
  let gap = '';
  for (const token of tokens(sql)) {
    if (token.kind === 'whitespace') {
      gap = token.text;
      continue;
    }
    const last = spans[spans.length - 1];
    const continues = previous?.kind === 'string' && token.text.startsWith("'") && /[\n\r]/.test(gap);
    if (continues && last) last[1] = token.start + token.text.length;
    else spans.push([token.start, token.start + token.text.length]);
    previous = token;
    gap = '';
  }
  return spans.map(([s, e]) => `${s}-${e}`);
}

const ours = (sql: string): [number, number][] => splitStatements(sql).map((s) => [s.start, s.end]);

describe.each(files)('%s', (file) => {
  const sql = read(file);

  it('splits where PostgreSQL does', () => {
    expect(ours(sql)).toEqual(parserStatements(sql));
  });

  it('splits the CRLF variant where PostgreSQL does, on the same lines', () => {
    const crlf = sql.replace(/\n/g, '\r\n');
    expect(ours(crlf)).toEqual(parserStatements(crlf));
    const lines = (s: string): number[] => splitStatements(s).map((st) => st.line);
    expect(lines(crlf)).toEqual(lines(sql));
  });

  it('tokenizes as PostgreSQL does', () => {
    expect(lexerSpans(sql)).toEqual(scannerSpans(sql));
  });

  it('reports each statement at its line and code-point column', () => {
    for (const statement of splitStatements(sql)) {
      const before = sql.slice(0, statement.start).split('\n');
      expect(statement.line).toBe(before.length);
      expect(statement.column).toBe([...(before[before.length - 1] ?? '')].length + 1);
      expect(statement.text).toBe(sql.slice(statement.start, statement.end));
    }
  });
});

describe('the corpus', () => {
  it('covers the cases the lexer exists for', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'begin-atomic.sql',
        'comments.sql',
        'dollar-quotes.sql',
        'multibyte.sql',
        'no-trailing-semicolon.sql',
        'plpgsql.sql',
        'rules.sql',
        'strings.sql',
      ]),
    );
  });

  it('has multi-byte characters before statements, so byte and UTF-16 offsets differ', () => {
    const sql = read('multibyte.sql');
    const last = splitStatements(sql).at(-1);
    expect(Buffer.byteLength(sql.slice(0, last?.start))).toBeGreaterThan(last?.start ?? 0);
    expect(splitStatements(sql).map((s) => [s.line, s.column])).toEqual([
      [3, 17],
      [4, 1],
      [4, 46],
      [6, 1],
      [7, 1],
      [8, 1],
    ]);
  });
});
