import { codeFrame, lineColumnAt } from '../../lib/db/sql-position';

/**
 * The position PostgreSQL reports for the first `needle` in `sql`: a 1-based
 * index in code points (checked against a real server: 'é日本😀' counts 4).
 */
function serverPosition(sql: string, needle: string): number {
  const index = sql.indexOf(needle);
  if (index === -1) throw new Error(`${needle} is not in the script`);
  return Array.from(sql.slice(0, index)).length + 1;
}

const at = (sql: string, needle: string) => {
  const { line, column } = lineColumnAt(Buffer.from(sql), serverPosition(sql, needle));
  return { line, column };
};

describe('lineColumnAt', () => {
  it('maps position 1 to line 1, column 1', () => {
    expect(lineColumnAt(Buffer.from('SELECT 1;'), 1)).toEqual({ line: 1, column: 1, lineStart: 0 });
  });

  it('counts columns on the first line', () => {
    expect(at('SELECT * FROM nope;', 'nope')).toEqual({ line: 1, column: 15 });
  });

  it('counts lines and restarts the column after each LF', () => {
    const sql = 'CREATE TABLE a ();\n\nSELECT *\n  FROM nope;\n';
    expect(at(sql, 'nope')).toEqual({ line: 4, column: 8 });
    expect(lineColumnAt(Buffer.from(sql), serverPosition(sql, 'nope')).lineStart).toBe(sql.indexOf('  FROM'));
  });

  it('counts é and 日本 before the error on the same line as one column each', () => {
    expect(at("SELECT 'é' FROM nope;", 'nope')).toEqual({ line: 1, column: 17 });
    expect(at("SELECT '日本' FROM nope;", 'nope')).toEqual({ line: 1, column: 18 });
  });

  it('counts an emoji (a surrogate pair in JavaScript) as one column', () => {
    // Position 25 is what PostgreSQL 15 reports for this query.
    const sql = "SELECT 'é日本😀' AS x FROM nope;";
    expect(serverPosition(sql, 'nope')).toBe(25);
    expect(lineColumnAt(Buffer.from(sql), 25)).toEqual({ line: 1, column: 25, lineStart: 0 });
  });

  it('is not shifted by multi-byte characters on earlier lines', () => {
    const sql = "-- café, 日本語, 😀😀\nINSERT INTO t VALUES ('👍🏽');\nSELECT nope;\n";
    expect(at(sql, 'nope')).toEqual({ line: 3, column: 8 });
    expect(lineColumnAt(Buffer.from(sql), serverPosition(sql, 'nope')).lineStart).toBe(
      Buffer.byteLength(sql.slice(0, sql.indexOf('SELECT nope'))),
    );
  });

  it('handles an emoji right before the error', () => {
    expect(at("SELECT '😀'nope;", 'nope')).toEqual({ line: 1, column: 11 });
  });

  it('counts the CR of a CRLF file as part of the line ending, not a column of the next line', () => {
    const sql = "SELECT 'x'\r\nFROM nope;\r\n";
    // PostgreSQL reports 18 here: the CR is one character of the query.
    expect(serverPosition(sql, 'nope')).toBe(18);
    expect(at(sql, 'nope')).toEqual({ line: 2, column: 6 });
  });

  it('clamps a position past the end to the end of the script', () => {
    const sql = 'SELECT 1 +';
    // "syntax error at end of input" points one past the last character.
    expect(lineColumnAt(Buffer.from(sql), 11)).toEqual({ line: 1, column: 11, lineStart: 0 });
    expect(lineColumnAt(Buffer.from(sql), 500)).toEqual(lineColumnAt(Buffer.from(sql), 11));
  });

  it('clamps a position past the end of a multi-line script with emoji', () => {
    const sql = 'SELECT 1;\nSELECT 😀 +';
    expect(lineColumnAt(Buffer.from(sql), 1000)).toEqual({ line: 2, column: 11, lineStart: 10 });
  });

  it('treats a position of 0 or less as the start', () => {
    expect(lineColumnAt(Buffer.from('SELECT 1;'), 0)).toEqual({ line: 1, column: 1, lineStart: 0 });
  });
});

describe('codeFrame', () => {
  it('quotes the line, numbered, with a caret under the column', () => {
    const sql = 'CREATE TABLE a ();\nSELECT * FROM nope;\n';
    expect(codeFrame(Buffer.from(sql), lineColumnAt(Buffer.from(sql), serverPosition(sql, 'nope')))).toBe(
      ['  |', '2 | SELECT * FROM nope;', '  |               ^'].join('\n'),
    );
  });

  it('keeps tabs before the column so the caret lines up', () => {
    const sql = 'SELECT\n\tid,\t\tnope\nFROM t;';
    expect(codeFrame(Buffer.from(sql), lineColumnAt(Buffer.from(sql), serverPosition(sql, 'nope')))).toBe(
      ['  |', '2 | \tid,\t\tnope', '  | \t   \t\t^'].join('\n'),
    );
  });

  it('puts two spaces under a wide character (emoji, CJK), none under a combining mark, and drops the CR', () => {
    const sql = "SELECT '😀日e\u0301' FROM nope;\r\n"; // e + U+0301: one é on screen
    expect(codeFrame(Buffer.from(sql), lineColumnAt(Buffer.from(sql), serverPosition(sql, 'nope')))).toBe(
      ['  |', "1 | SELECT '😀日e\u0301' FROM nope;", `  | ${' '.repeat(8 + 2 + 2 + 1 + 7)}^`].join('\n'),
    );
  });

  it('widens the gutter for line numbers of several digits', () => {
    const sql = `${'SELECT 1;\n'.repeat(11)}SELECT nope;`;
    expect(codeFrame(Buffer.from(sql), lineColumnAt(Buffer.from(sql), serverPosition(sql, 'nope')))).toBe(
      ['   |', '12 | SELECT nope;', '   |        ^'].join('\n'),
    );
  });
});

describe('codeFrame of a long line', () => {
  const row = (i: number) => `(${String(i).padStart(3, '0')}, 'x')`; // 10 characters
  const rows = Array.from({ length: 100 }, (_, i) => row(i)).join(', ');
  const sql = `INSERT INTO t VALUES ${rows};\nSELECT 1;\n`;

  it('shows 60 characters before the column and 160 in all, marking both cut ends', () => {
    const column = 500; // 1-based
    const frame = codeFrame(Buffer.from(sql), lineColumnAt(Buffer.from(sql), column));
    const shown = sql.slice(column - 1 - 60, column - 1 - 60 + 160);
    expect(frame).toBe(['  |', `1 | …${shown}…`, `  | ${' '.repeat(61)}^`].join('\n'));
  });

  it('does not cut the start when the column is near it', () => {
    const frame = codeFrame(Buffer.from(sql), lineColumnAt(Buffer.from(sql), 5));
    expect(frame).toBe(['  |', `1 | ${sql.slice(0, 160)}…`, '  |     ^'].join('\n'));
  });

  it('shows a line of exactly 160 characters whole, and drops its CR', () => {
    const line = `SELECT ${'x'.repeat(153)}`;
    expect(line).toHaveLength(160);
    const frame = codeFrame(Buffer.from(`${line}\r\n`), lineColumnAt(Buffer.from(`${line}\r\n`), 150));
    expect(frame).toBe(['  |', `1 | ${line}`, `  | ${' '.repeat(149)}^`].join('\n'));
  });
});

describe('lineColumnAt over UTF-8 bytes, against the decoded text', () => {
  const scripts = [
    'SELECT 1;',
    '-- é comment\nCREATE TABLE b (\n  id int,\n  v numerc\n);\n',
    "SELECT 'é日本😀', \tnope\r\nFROM t;\r\n\n😀😀 x",
    '\n\n\t\tSELECT nope',
    `SELECT 1;\n-- ${'é日😀x'.repeat(60)}\r\nSELECT ${"'日本', ".repeat(50)}nope;`, // lines longer than the frame shows
  ];

  /** The line, column and line start (in code points) of a 1-based position, counted in the text. */
  function inText(sql: string, position: number) {
    const points = Array.from(sql);
    let [line, column, lineStart] = [1, 1, 0];
    for (let i = 0; i < Math.min(position - 1, points.length); i++) {
      if (points[i] === '\n') [line, column, lineStart] = [line + 1, 1, i + 1];
      else column++;
    }
    return { line, column, lineStart: Buffer.byteLength(points.slice(0, lineStart).join('')) };
  }

  it.each(scripts)('gives the line, column and frame of the text for every position of %j', (sql) => {
    const bytes = Buffer.from(sql);
    const points = Array.from(sql).length;
    for (let position = 0; position <= points + 2; position++) {
      const text = inText(sql, position);
      const fromBytes = lineColumnAt(bytes, position);
      expect({ position, ...fromBytes }).toEqual({
        position,
        line: text.line,
        column: text.column,
        lineStart: text.lineStart,
      });
      const shown = codeFrame(bytes, fromBytes).split('\n')[1];
      const lineText = sql.split('\n')[text.line - 1].replace(/\r$/, '');
      if (Array.from(lineText).length <= 160) expect(shown).toBe(`${text.line} | ${lineText}`);
    }
  });

  it('frames a line as long as the script without splitting it into characters', () => {
    const sql = `SELECT ${"'x', ".repeat(2_000_000)}nope;`;
    const at = lineColumnAt(Buffer.from(sql), serverPosition(sql, 'nope'));
    expect(at).toEqual({ line: 1, column: 10_000_008, lineStart: 0 });
    // 60 code points before the column, and the rest of the line (under 160): cut at the start only.
    expect(codeFrame(Buffer.from(sql), at)).toBe(
      ['  |', `1 | …${sql.slice(10_000_007 - 60)}`, `  | ${' '.repeat(61)}^`].join('\n'),
    );
  });
});
