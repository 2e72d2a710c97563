import { splitStatements, tokens, type Statement, type TokenKind } from '../../lib/sql/lexer';

const texts = (sql: string): string[] => splitStatements(sql).map((s) => s.text);
const kinds = (sql: string): string[] =>
  [...tokens(sql)].filter((t) => t.kind !== 'whitespace').map((t) => `${t.kind} ${t.text}`);

describe('splitStatements: boundaries', () => {
  it('splits on top-level semicolons and drops empty statements', () => {
    expect(texts('select 1; ;; select 2 ;\n;')).toEqual(['select 1', 'select 2 ']);
  });

  it('returns nothing for empty, blank and comment-only scripts', () => {
    expect(splitStatements('')).toEqual([]);
    expect(splitStatements(' \n\t ')).toEqual([]);
    expect(splitStatements('-- only a comment\n/* and ; another */ ;')).toEqual([]);
  });

  it('keeps a last statement without a semicolon, to the end of the script', () => {
    expect(texts('select 1;\nselect 2 -- end\n')).toEqual(['select 1', 'select 2 -- end\n']);
  });

  it('ignores semicolons in standard strings, with doubled quotes', () => {
    expect(texts("select 'a;b', 'it''s;'; select 2")).toEqual(["select 'a;b', 'it''s;'", 'select 2']);
  });

  it("treats a backslash as plain in standard strings and as an escape in E''", () => {
    expect(texts("select 'a\\'; select 2")).toEqual(["select 'a\\'", 'select 2']);
    expect(texts("select E'a\\';b'; select 2")).toEqual(["select E'a\\';b'", 'select 2']);
    expect(texts("select e'\\\\'; select 2")).toEqual(["select e'\\\\'", 'select 2']);
    expect(texts("select E'x'';'; select 2")).toEqual(["select E'x'';'", 'select 2']);
  });

  it("handles U&'' strings, UESCAPE, and B'', X'', N'' strings", () => {
    expect(texts("select U&'\\0041;' UESCAPE '!'; select 2")).toEqual(["select U&'\\0041;' UESCAPE '!'", 'select 2']);
    expect(texts("select B'1;', X'0;', N'n;'; select 2")).toHaveLength(2);
  });

  it('ignores semicolons in quoted identifiers, with doubled quotes', () => {
    expect(texts('select 1 as "a;""b"; select 2')).toEqual(['select 1 as "a;""b"', 'select 2']);
    expect(texts('select 1 as U&"x;"; select 2')).toEqual(['select 1 as U&"x;"', 'select 2']);
  });

  it('ignores semicolons and quotes in comments, and nests block comments', () => {
    expect(texts("select 1 -- x; 'y\n; select 2")).toEqual(["select 1 -- x; 'y\n", 'select 2']);
    expect(texts('select /* a /* b; */ c; */ 1; select 2')).toEqual(['select /* a /* b; */ c; */ 1', 'select 2']);
  });

  it('ends a line comment at a carriage return', () => {
    expect(texts('select 1 -- x\r; select 2')).toEqual(['select 1 -- x\r', 'select 2']);
  });

  it('handles dollar quotes with and without tags, nested under other tags', () => {
    expect(texts('select $$a;b$$; select 2')).toEqual(['select $$a;b$$', 'select 2']);
    expect(texts('select $fn$ $$;$$ ; $fn$; select 2')).toEqual(['select $fn$ $$;$$ ; $fn$', 'select 2']);
    expect(texts('select $_1$;$_1$, $é$;$é$; x')).toEqual(['select $_1$;$_1$, $é$;$é$', 'x']);
  });

  it('does not take parameters or identifiers with $ for dollar quotes', () => {
    expect(texts('select $1; select $2$; select 3')).toEqual(['select $1', 'select $2$', 'select 3']);
    expect(texts('select a$$b; select 2')).toEqual(['select a$$b', 'select 2']);
    expect(texts('select $1a$; x$ ; select 2')).toEqual(['select $1a$', 'x$ ', 'select 2']);
  });

  it('does not split inside parentheses, as in CREATE RULE … DO ALSO (a; b)', () => {
    const sql = 'CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); NOTIFY x); select 2';
    expect(texts(sql)).toEqual([sql.slice(0, sql.indexOf('); select') + 1), 'select 2']);
  });

  it('treats an unbalanced ) as depth 0', () => {
    expect(texts('select 1); select 2')).toEqual(['select 1)', 'select 2']);
  });
});

describe('splitStatements: BEGIN ATOMIC bodies', () => {
  const fn = (body: string): string => `CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC ${body} END`;

  it('keeps the body whole', () => {
    expect(texts(`${fn('SELECT 1; SELECT 2;')}; select 3`)).toEqual([fn('SELECT 1; SELECT 2;'), 'select 3']);
  });

  it('does not let CASE … END close the body, nested or not', () => {
    const body = 'SELECT CASE WHEN true THEN CASE 1 WHEN 1 THEN 2 END END; SELECT (CASE WHEN 1 = 1 THEN 1 END);';
    expect(texts(`${fn(body)}; select 3`)).toEqual([fn(body), 'select 3']);
  });

  it('is case-insensitive and allows comments between BEGIN and ATOMIC', () => {
    const sql = 'create procedure p() language sql begin /* c */ atomic; insert into t values (1); end';
    expect(texts(`${sql};x`)).toEqual([sql, 'x']);
  });

  it('only looks for bodies in CREATE statements', () => {
    expect(texts('select begin atomic from t; select 2')).toEqual(['select begin atomic from t', 'select 2']);
  });

  it('does not count quoted "begin"/"end" or words inside strings', () => {
    const body = `SELECT 'end', "end", $$ end $$;`;
    expect(texts(`${fn(body)}; select 3`)).toEqual([fn(body), 'select 3']);
  });

  it.each([
    ['a column named begin', 'SELECT begin FROM periods;'],
    ['an argument of a call', 'SELECT count(begin) FROM periods;'],
    ['a qualified column and an alias', 'SELECT p.begin AS begin, p.begin begin FROM periods p;'],
    ['an INSERT column list', 'INSERT INTO periods (begin) VALUES (1);'],
    ['begin atomic as a column and its alias', 'SELECT begin atomic FROM periods;'],
    ['end as a label', 'SELECT 1 AS end, CASE WHEN true THEN 1 END AS e;'],
    ['empty statements', ';;'],
  ])('keeps the body whole when begin or end is a word in it: %s', (_name, body) => {
    const sql = `${fn(body)}; CREATE TABLE t (a int);`;
    expect(texts(sql)).toEqual([fn(body), 'CREATE TABLE t (a int)']);
  });

  it('closes an empty body', () => {
    expect(texts(`${fn('')}; select 2`)).toEqual([fn(''), 'select 2']);
  });

  it('nests the body of a CREATE FUNCTION inside a body', () => {
    const body = `${fn('SELECT begin FROM t;')}; SELECT 1;`;
    expect(texts(`${fn(body)}; select 2`)).toEqual([fn(body), 'select 2']);
  });

  it('finds a body after CREATE OR REPLACE, and after an argument or a RETURNS type named begin', () => {
    const sql = 'CREATE OR REPLACE FUNCTION f(begin int) RETURNS begin LANGUAGE sql BEGIN ATOMIC SELECT begin; END';
    expect(texts(`${sql}; select 2`)).toEqual([sql, 'select 2']);
  });

  it('looks for a body in CREATE FUNCTION and PROCEDURE only, outside parentheses', () => {
    const view = 'CREATE VIEW v AS SELECT begin atomic FROM t';
    expect(texts(`${view}; select 2`)).toEqual([view, 'select 2']);
    const rule = 'CREATE RULE r AS ON INSERT TO t DO ALSO (SELECT begin atomic; SELECT 1)';
    expect(texts(`${rule}; select 2`)).toEqual([rule, 'select 2']);
  });

  it('splits ordinary transaction BEGIN … END statements', () => {
    expect(texts('BEGIN; select 1; END;')).toEqual(['BEGIN', 'select 1', 'END']);
  });
});

describe('splitStatements: unterminated input', () => {
  it.each([
    ["select 'abc; select 2", "select 'abc; select 2"],
    ['select "abc; select 2', 'select "abc; select 2'],
    ["select E'ab\\'; select 2", "select E'ab\\'; select 2"],
    ['select $x$ abc; select 2', 'select $x$ abc; select 2'],
    ['select 1 /* abc; /* */ select 2', 'select 1 /* abc; /* */ select 2'],
    ['select (1; select 2', 'select (1; select 2'],
  ])('returns the rest as the last statement: %s', (tail, expected) => {
    expect(texts(`select 0; ${tail}`)).toEqual(['select 0', expected]);
  });
});

describe('splitStatements: positions', () => {
  const at = (s: Statement): [number, number, number, number] => [s.start, s.end, s.line, s.column];

  it('reports offsets, 1-based lines and columns, and indexes', () => {
    const sql = '-- c\n  select 1;  select 2;\n\nselect 3';
    expect(splitStatements(sql).map(at)).toEqual([
      [7, 15, 2, 3],
      [18, 26, 2, 14],
      [29, 37, 4, 1],
    ]);
    expect(splitStatements(sql).map((s) => s.index)).toEqual([0, 1, 2]);
  });

  it('counts CRLF as one line break and a lone CR as a line break', () => {
    expect(splitStatements('select 1;\r\n  select 2;\r  select 3').map((s) => [s.line, s.column])).toEqual([
      [1, 1],
      [2, 3],
      [3, 3],
    ]);
  });

  it('counts columns in code points and offsets in UTF-16 units', () => {
    const sql = "select 'é😀'; select 2";
    const [, second] = splitStatements(sql);
    expect(second?.start).toBe(sql.indexOf('select 2'));
    expect(second?.column).toBe(14);
  });
});

describe('tokens', () => {
  it('covers the input exactly, whitespace and comments included', () => {
    const sql = "select /* a /* b */ */ 'x''y', E'\\'', $t$ $$ $t$, \"q\"\"\", 1.5e-3, $1 -- end\r\n;";
    expect([...tokens(sql)].map((t) => t.text).join('')).toBe(sql);
    for (const token of tokens(sql)) expect(sql.startsWith(token.text, token.start)).toBe(true);
  });

  it('labels every kind', () => {
    const all: TokenKind[] = [...tokens(`SELECT x, "Y", 'z', $$d$$, 1, +, $1 /* c */ `)].map((t) => t.kind);
    expect(new Set(all)).toEqual(
      new Set([
        'keyword',
        'identifier',
        'quoted-identifier',
        'string',
        'dollar-string',
        'number',
        'operator',
        'punctuation',
        'comment',
        'whitespace',
        'parameter',
      ]),
    );
  });

  it('tells keywords from identifiers, case-insensitively; quoted words are identifiers', () => {
    expect(kinds('Select atomic, foo, "select"')).toEqual([
      'keyword Select',
      'keyword atomic',
      'punctuation ,',
      'identifier foo',
      'punctuation ,',
      'quoted-identifier "select"',
    ]);
  });

  it('scans numbers as PostgreSQL does', () => {
    expect(kinds('1..10 .5 1e-3 1_000 0xFF 0b1 0o7 1.e5 2e')).toEqual([
      'number 1',
      'punctuation ..',
      'number 10',
      'number .5',
      'number 1e-3',
      'number 1_000',
      'number 0xFF',
      'number 0b1',
      'number 0o7',
      'number 1.e5',
      'number 2',
      'identifier e',
    ]);
  });

  it('stops operators where a comment starts', () => {
    expect(kinds('a+--c\n*/*d*/b <>= ::int := 1')).toEqual([
      'identifier a',
      'operator +',
      'comment --c',
      'operator *',
      'comment /*d*/',
      'identifier b',
      'operator <>=',
      'punctuation ::',
      'keyword int',
      'operator :=',
      'number 1',
    ]);
  });

  it('scans a lone $ and prefixed strings', () => {
    expect(kinds("$ $a x'1f' n'x' u&'y' U&\"z\"")).toEqual([
      'punctuation $',
      'punctuation $',
      'identifier a',
      "string x'1f'",
      'identifier n',
      "string 'x'",
      "string u&'y'",
      'quoted-identifier U&"z"',
    ]);
  });
});

describe('performance shape', () => {
  it('handles a large script without quadratic behaviour (no \\r anywhere, long comments)', () => {
    const sql = `-- comment\nselect 1, 'x;y', $$ ; $$; /* c */\n`.repeat(20000);
    expect(splitStatements(sql)).toHaveLength(20000);
  });
});
