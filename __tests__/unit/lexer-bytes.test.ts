/**
 * statementsInBytes (the windowed splitter for big scripts) against
 * splitStatements: the same statements, lines, columns and first words for
 * every script, wherever the windows end. Tiny windows put an edge inside
 * every token; the corpus and random scripts built from the tokens the
 * scanner finds hardest (quotes, dollar tags, comments, numbers with
 * exponents, multi-byte characters, line breaks) cover the rest.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCursor, splitStatements, statementsInBytes } from '../../lib/sql/lexer';
import { Scanner } from '../../lib/sql/scanner';

const CORPUS = path.join(__dirname, '..', 'fixtures', 'lexer-corpus');
const corpus = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.sql'))
  .sort();

/** What splitStatements says, with offsets in UTF-8 bytes and the first word as statementsInBytes gives it. */
function expected(sql: string) {
  const byteOffset = (utf16: number) => Buffer.byteLength(sql.slice(0, utf16));
  return splitStatements(sql).map((s) => {
    const scanner = new Scanner(s.text);
    scanner.next();
    const first = s.text.slice(scanner.start, scanner.end);
    const firstWord = scanner.kind === 'identifier' && /^[\x00-\x7f]{1,64}$/.test(first) ? first.toLowerCase() : null; // longer: no keyword
    return {
      index: s.index,
      start: byteOffset(s.start),
      end: byteOffset(s.end),
      line: s.line,
      column: s.column,
      firstWord,
    };
  });
}

function actual(sql: string, window?: number) {
  const bytes = Buffer.from(sql);
  const cursor = LineCursor.ofBytes(bytes);
  return [...statementsInBytes(bytes, window)].map((s) => ({ ...s, ...cursor.moveTo(s.start) }));
}

const WINDOWS = [1, 2, 3, 4, 5, 7, 16, 100, undefined];

describe('statementsInBytes: the same statements as splitStatements', () => {
  it.each(corpus)('%s, whatever the window', (file) => {
    const sql = readFileSync(path.join(CORPUS, file), 'utf8');
    const want = expected(sql);
    expect(want.length).toBeGreaterThan(0);
    for (const window of WINDOWS)
      expect({ window, statements: actual(sql, window) }).toEqual({ window, statements: want });
  });

  it.each([
    ['empty', ''],
    ['blank and comments only', '  -- x\n/* y */\n'],
    ['stray semicolons', ';;  ;\nSELECT 1;;'],
    ['no trailing semicolon', 'SELECT 1; SELECT 2'],
    ['exponents cut by the window', 'SELECT 1e+x; SELECT 1e-5, 1E5, 1.5e, 1..2, .5e+;'],
    ['a $ that opens no dollar quote', 'SELECT $abcdefghij + $1, a$b$c; SELECT $ab$ x;y $ab$;'],
    ['dollar quotes with multi-byte tags', 'DO $é😀$ BEGIN; END $é😀$; SELECT 1;'],
    ['unterminated string', "SELECT 1; SELECT 'abc;"],
    ['unterminated comment', 'SELECT 1; /* a /* b */ ; SELECT 2;'],
    ['unterminated dollar quote', 'SELECT 1; SELECT $x$ ; ;'],
    ['escape strings and U& strings', "SELECT E'a\\';b', U&'d;\\0061', u&\"x;y\", e'', X'1;'; SELECT 2;"],
    ['line breaks', 'SELECT 1;\r\nSELECT 2;\rSELECT 3;\n\r\n  SELECT 4;'],
    ['multi-byte characters before statements', "SELECT 'é😀';  é😀 ; \t😀x;\nVACUUM;"],
    [
      'BEGIN ATOMIC bodies',
      'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END; SELECT 3;',
    ],
    ['parentheses', 'CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); NOTIFY t); ) ; SELECT 1;'],
    ['operators next to comments', 'SELECT 1 +-- c\n2; SELECT 3 */* c */ 4;'],
    ['quoted and long first words', `"VACUUM"; ${'w'.repeat(100)}; Vacuum; (SELECT 1);`],
  ])('%s', (_name, sql) => {
    const want = expected(sql);
    for (const window of WINDOWS)
      expect({ window, statements: actual(sql, window) }).toEqual({ window, statements: want });
  });

  it('on random scripts of hard tokens', () => {
    const pieces = [
      ';',
      ';',
      ' ',
      '\n',
      '\r',
      '\r\n',
      '\t',
      '(',
      ')',
      "'",
      "''",
      '"',
      '$',
      '$$',
      '$t$',
      '$t',
      't$',
      '$1',
      '--',
      '/*',
      '*/',
      '*',
      '/',
      '-',
      '+',
      '1',
      '1e',
      'e+',
      '5',
      '.',
      '..',
      ':',
      '::',
      '=',
      'E',
      "E'",
      "\\'",
      '\\',
      'U&',
      'x',
      'é',
      '😀',
      '€',
      'begin',
      'atomic',
      'end',
      'case',
      'create',
      'CREATE',
      'vacuum',
      'select',
      ' BEGIN ATOMIC ',
    ];
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 1500; round++) {
      const sql = Array.from({ length: 1 + random(40) }, () => pieces[random(pieces.length)]).join('');
      const want = expected(sql);
      for (const window of [1, 2, 3, 5, 8]) {
        const got = actual(sql, window);
        if (JSON.stringify(got) !== JSON.stringify(want))
          expect({ sql, window, got }).toEqual({ sql, window, got: want });
      }
    }
  });

  it('is linear: one token bigger than many windows is read again only while the window doubles', () => {
    const sql = `SELECT '${'x'.repeat(100_000)}'; VACUUM;`;
    expect(actual(sql, 64).map((s) => s.firstWord)).toEqual(['select', 'vacuum']);
  });
});
