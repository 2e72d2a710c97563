import { isBlankSql, readDirectives } from '../../lib/source/directives';

describe('readDirectives', () => {
  it('finds no directive in plain SQL', () => {
    expect(readDirectives('CREATE TABLE t (id int);\n')).toEqual({ noTransaction: false, irreversible: false });
  });

  it('reads -- tidemark:irreversible on the first line of a down script', () => {
    expect(readDirectives('-- tidemark:irreversible\nSELECT 1;\n')).toEqual({
      noTransaction: false,
      irreversible: true,
    });
  });

  it('reads -- tidemark:no-transaction among the leading comment lines', () => {
    const sql =
      '-- Build the index without blocking writes.\n\n-- tidemark:no-transaction\n-- (one statement)\nCREATE INDEX CONCURRENTLY i ON t (id);\n';
    expect(readDirectives(sql)).toEqual({ noTransaction: true, irreversible: false });
  });

  it('reads both directives together', () => {
    expect(readDirectives('-- tidemark:irreversible\n-- tidemark:no-transaction\nVACUUM;\n')).toEqual({
      noTransaction: true,
      irreversible: true,
    });
  });

  it('reads directives in a CRLF file', () => {
    expect(readDirectives('-- tidemark:no-transaction\r\nVACUUM;\r\n')).toMatchObject({ noTransaction: true });
  });

  it('tolerates indentation and no space after --', () => {
    expect(readDirectives('   --tidemark:no-transaction\nVACUUM;')).toMatchObject({ noTransaction: true });
  });

  it('ignores directives after the first SQL statement', () => {
    const sql = 'CREATE TABLE t (id int);\n-- tidemark:no-transaction\n-- tidemark:irreversible\n';
    expect(readDirectives(sql)).toEqual({ noTransaction: false, irreversible: false });
  });

  it('ignores a directive that follows SQL on the same line', () => {
    expect(readDirectives('SELECT 1; -- tidemark:no-transaction\n')).toMatchObject({ noTransaction: false });
  });

  it('refuses names that only start like a directive, rather than ignoring a typo', () => {
    expect(readDirectives('-- tidemark:no-transactional\nSELECT 1;')).toEqual({
      problem: expect.stringContaining('unknown directive "-- tidemark:no-transactional"'),
    });
  });

  it('ignores a directive mentioned inside a comment sentence', () => {
    expect(readDirectives('-- do not add tidemark:no-transaction here\nSELECT 1;')).toMatchObject({
      noTransaction: false,
    });
  });

  it('reads per-script timeouts', () => {
    expect(readDirectives('-- tidemark:lock-timeout 30s\n-- tidemark:statement-timeout 10min\nSELECT 1;')).toEqual({
      noTransaction: false,
      irreversible: false,
      lockTimeout: '30s',
      statementTimeout: '10min',
    });
  });

  it.each([
    ['-- tidemark:no-transation\nVACUUM;', 'unknown directive "-- tidemark:no-transation"'],
    ['-- tidemark:lock-timeout soon\nSELECT 1;', '"-- tidemark:lock-timeout" needs a PostgreSQL duration'],
    ['-- tidemark:irreversible yes\n', '"-- tidemark:irreversible" takes no value'],
  ])('refuses %j', (sql, problem) => {
    const result = readDirectives(sql);
    expect('problem' in result && result.problem).toContain(problem);
  });
});

describe('isBlankSql', () => {
  it.each([
    ['empty', ''],
    ['whitespace only', ' \n\t\r\n  \f\v'],
    ['line comments only', '-- nothing yet\n--\n-- still nothing'],
    ['a block comment', '/* TODO */\n'],
    ['nested block comments', '/* outer /* inner */ still outer */\n-- and a line\n'],
  ])('is true for %s', (_label, sql) => {
    expect(isBlankSql(sql)).toBe(true);
  });

  it.each([
    ['a statement', 'SELECT 1;'],
    ['SQL after comments', '-- header\n/* note */\nSELECT 1;'],
    ['SQL after a nested block comment closes', '/* a /* b */ c */ SELECT 1;'],
    ['a lone semicolon', ';'],
  ])('is false for %s', (_label, sql) => {
    expect(isBlankSql(sql)).toBe(false);
  });

  it('does not end a nested comment at the first */', () => {
    // With the first "*/" taken as the end, "x */" would be SQL.
    expect(isBlankSql('/* a /* b */ x */')).toBe(true);
  });
});
