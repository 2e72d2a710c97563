/**
 * SQL-standard function bodies (`BEGIN ATOMIC … END`) against the real
 * PostgreSQL parser (libpg-query, PostgreSQL 18): random scripts of
 * functions whose bodies use `begin` as a word (a column, an argument, an
 * alias), `end` as a label, CASE … END, empty statements and nested
 * functions, between ordinary statements. Both splitters must find the
 * parser's statements: splitStatements in UTF-16 offsets, statementsInBytes
 * (at any window) in UTF-8 bytes, as libpg-query reports them.
 */
import { loadModule, parseSync } from 'libpg-query';
import { splitStatements, statementsInBytes } from '../../lib/sql/lexer';

beforeAll(() => loadModule());

let seed = 13;
const random = (n: number): number => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};
const pick = <T>(items: readonly T[]): T => items[random(items.length)] as T;

/** Spelled in a random case: the lexer folds ASCII case as the server does. */
const anyCase = (word: string): string => pick([word, word.toUpperCase(), word[0].toUpperCase() + word.slice(1)]);
/** What separates two tokens: whitespace, line breaks, comments. */
const gap = (): string => pick([' ', ' ', '\n', '\r\n', '\t', ' /* ; end */ ', ' -- end;\n', '\n  ']);

const BODY_STATEMENTS: readonly (() => string)[] = [
  () => `SELECT ${anyCase('begin')} FROM periods`,
  () => `SELECT count(${anyCase('begin')})${gap()}FROM periods`,
  () => `SELECT p.${anyCase('begin')} AS ${anyCase('begin')}, p.${anyCase('begin')} ${anyCase('begin')} FROM periods p`,
  () => `SELECT ${anyCase('begin')}${gap()}${anyCase('atomic')} FROM periods`,
  () => `SELECT 1 AS ${anyCase('end')}`,
  () =>
    `SELECT ${anyCase('case')} WHEN ${anyCase('begin')} > 0 THEN ${anyCase('case')} 1 WHEN 1 THEN 2 ${anyCase('end')} ${anyCase('end')} FROM periods`,
  () => `SELECT (${anyCase('case')} ${anyCase('begin')} WHEN 1 THEN 'é;' ${anyCase('end')})${gap()}FROM periods`,
  () => `INSERT INTO periods (${anyCase('begin')}, "end") VALUES (1, 2)`,
  () => `UPDATE periods SET ${anyCase('begin')} = ${anyCase('begin')} + 1 WHERE "é" = ';'`,
  () => '',
];

function body(depth: number): string {
  const statements = Array.from({ length: random(4) }, () =>
    depth < 2 && random(6) === 0 ? routine(depth + 1) : pick(BODY_STATEMENTS)(),
  );
  return statements.map((s) => `${gap()}${s};`).join('');
}

/** A CREATE FUNCTION or PROCEDURE with a BEGIN ATOMIC body. */
function routine(depth = 0): string {
  const kind = pick(['function', 'procedure']);
  const create = random(2) === 0 ? anyCase('create') : `${anyCase('create')} ${anyCase('or')} ${anyCase('replace')}`;
  const args = pick(['', 'begin int', 'x int DEFAULT 1']);
  const returns = kind === 'function' ? ` RETURNS ${pick(['int', 'SETOF periods'])}` : '';
  return `${create} ${anyCase(kind)} f${random(1000)}(${args})${returns} LANGUAGE sql${gap()}${anyCase('begin')}${gap()}${anyCase('atomic')}${body(depth)}${gap()}${anyCase('end')}`;
}

const TOP_LEVEL: readonly (() => string)[] = [
  () => routine(),
  () => routine(),
  () => 'CREATE TABLE t (a int)',
  () => `CREATE INDEX ${anyCase('concurrently')} i ON periods (${anyCase('begin')})`,
  () => `SELECT ${anyCase('begin')} FROM periods`,
  () => `CREATE VIEW v AS SELECT ${anyCase('begin')} ${anyCase('atomic')} FROM periods`,
  () => 'CREATE RULE r AS ON INSERT TO t DO ALSO (SELECT begin atomic; SELECT 1)',
  () => anyCase('begin'),
  () => anyCase('end'),
];

function script(): string {
  const statements = Array.from({ length: 1 + random(5) }, () => pick(TOP_LEVEL)());
  return statements.map((s) => `${s};${gap()}`).join('') + (random(2) === 0 ? pick(TOP_LEVEL)() : '');
}

/** [start, end) of each statement in UTF-8 bytes, as the parser reports them. */
function parserStatements(sql: string): [number, number][] {
  const length = Buffer.byteLength(sql);
  return (parseSync(sql).stmts ?? []).map((s) => {
    const start = s.stmt_location ?? 0;
    return [start, s.stmt_len ? start + s.stmt_len : length];
  });
}

it('splits 2,000 random scripts of BEGIN ATOMIC bodies where PostgreSQL does, at every window', () => {
  for (let round = 0; round < 2000; round++) {
    const sql = script();
    const want = parserStatements(sql);
    const bytes = (utf16: number) => Buffer.byteLength(sql.slice(0, utf16));
    const split = splitStatements(sql).map((s): [number, number] => [bytes(s.start), bytes(s.end)]);
    if (JSON.stringify(split) !== JSON.stringify(want)) expect({ sql, split }).toEqual({ sql, split: want });
    for (const window of [1, 3, 8, undefined]) {
      const windowed = [...statementsInBytes(Buffer.from(sql), window)].map((s): [number, number] => [s.start, s.end]);
      if (JSON.stringify(windowed) !== JSON.stringify(want))
        expect({ sql, window, windowed }).toEqual({ sql, window, windowed: want });
    }
  }
});

it('the example from the issue: two statements, not one', () => {
  const sql =
    'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT begin FROM periods; END; CREATE TABLE t(a int);';
  expect(parserStatements(sql)).toHaveLength(2);
  expect(splitStatements(sql).map((s) => s.text)).toEqual([
    sql.slice(0, sql.indexOf('; CREATE TABLE')),
    'CREATE TABLE t(a int)',
  ]);
});
