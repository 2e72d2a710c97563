/**
 * Cosmetic versus edited: the classifier on the lexer's token streams, and
 * the validator that uses it with the text the ledger kept.
 */
import { isCosmeticEdit } from '../../lib/plan/cosmetic';
import { blockingDiscrepancies, findDiscrepancies } from '../../lib/plan/validator';
import type { AppliedText } from '../../lib/types';
import { appliedRow, pair } from '../helpers/pairs';

const APPLIED = [
  '-- users and their accounts',
  'CREATE TABLE users (',
  '  id    bigint PRIMARY KEY,',
  "  email text NOT NULL DEFAULT 'a',",
  '  owner bigint REFERENCES users ON DELETE CASCADE',
  ');',
  '',
  'CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$',
  'BEGIN',
  '  NEW.updated_at := now();',
  '  RETURN NEW;',
  'END',
  '$$;',
  '',
  "SELECT '-- x' AS note, E'it\\'s' AS escaped, \"Mixed\" FROM users;",
  '',
].join('\n');

/** APPLIED with `from` replaced by `to` (which must occur exactly once). */
function edit(from: string, to: string): string {
  if (APPLIED.split(from).length !== 2) throw new Error(`"${from}" must occur exactly once`);
  return APPLIED.replace(from, () => to); // a function: `$$` in a replacement string means `$`
}

describe('isCosmeticEdit', () => {
  it('is true for the same text', () => {
    expect(isCosmeticEdit(APPLIED, APPLIED)).toBe(true);
  });

  it.each([
    ['a line comment reworded', edit('-- users and their accounts', '-- one row per account')],
    ['a line comment removed', edit('-- users and their accounts\n', '')],
    ['a block comment added', edit('CREATE TABLE users (', 'CREATE TABLE /* why */ users (')],
    ['a nested block comment added', edit('$$;\n', '$$; /* a /* nested */ comment */\n')],
    ['a comment at the end of a line', edit('  id    bigint PRIMARY KEY,', '  id    bigint PRIMARY KEY, -- the key')],
    ['reindented with tabs', APPLIED.replace(/^ {2}(id|email|owner) +/gm, '\t$1 ')],
    ['extra blank lines', edit('CREATE FUNCTION', '\n\n\nCREATE FUNCTION')],
    ['trailing whitespace', APPLIED.replace(/,$/gm, ',   ')],
    ['a statement joined onto one line', edit('users (\n  id    bigint', 'users ( id bigint')],
    ['CRLF line endings', APPLIED.replace(/\n/g, '\r\n')],
  ])('is true for %s', (_label, after) => {
    expect(after).not.toBe(APPLIED);
    expect(isCosmeticEdit(APPLIED, after)).toBe(true);
  });

  it.each([
    ['a changed string literal', edit("DEFAULT 'a'", "DEFAULT 'b'")],
    ['whitespace inside a string literal', edit("DEFAULT 'a'", "DEFAULT 'a '")],
    ['comment-looking text inside a string literal', edit("'-- x'", "'-- y'")],
    ['a changed escape string', edit("E'it\\'s'", "E'it\\'z'")],
    ['a changed identifier', edit('email text', 'e_mail text')],
    ['a changed quoted identifier', edit('"Mixed"', '"mixed"')],
    ['a changed keyword', edit('ON DELETE CASCADE', 'ON DELETE RESTRICT')],
    ['a changed number', edit('SELECT', 'SELECT 1.0,')],
    ['whitespace inside a dollar-quoted body', edit('  NEW.updated_at := now();', '    NEW.updated_at := now();')],
    ['a blank line inside a dollar-quoted body', edit('BEGIN\n', 'BEGIN\n\n')],
    ['a comment inside a dollar-quoted body', edit('  RETURN NEW;', '  RETURN NEW; -- done')],
    ['code commented out', edit("  email text NOT NULL DEFAULT 'a',", "  -- email text NOT NULL DEFAULT 'a',")],
    ['a comment turned into code', edit('-- users and their accounts', 'DROP TABLE IF EXISTS users;')],
    ['two words joined by removing a space', edit('NOT NULL', 'NOTNULL')],
    ['a word split by adding a space', edit('now()', 'no w()')],
  ])('is false for %s', (_label, after) => {
    expect(isCosmeticEdit(APPLIED, after)).toBe(false);
  });

  it('is false when the applied text is unknown (the ledger kept only the checksum)', () => {
    expect(isCosmeticEdit(null, APPLIED)).toBe(false);
    expect(isCosmeticEdit(undefined, APPLIED)).toBe(false);
  });

  it('is false when a comment adds or removes a directive that changes how the script runs', () => {
    const sql = 'CREATE INDEX CONCURRENTLY users_email ON users (email);\n';
    expect(isCosmeticEdit(sql, `-- tidemark:no-transaction\n${sql}`)).toBe(false);
    expect(isCosmeticEdit(`-- tidemark:no-transaction\n${sql}`, sql)).toBe(false);
    expect(
      isCosmeticEdit(`-- tidemark:no-transaction\n${sql}`, `-- tidemark:no-transaction\n-- why: big table\n${sql}`),
    ).toBe(true);
  });

  it('treats a CRLF checkout like LF, inside dollar quotes too, as the checksum does', () => {
    const appliedFromWindows = APPLIED.replace(/\n/g, '\r\n');
    expect(isCosmeticEdit(appliedFromWindows, edit('-- users and their accounts', '-- reworded'))).toBe(true);
    expect(isCosmeticEdit(appliedFromWindows, edit('  RETURN NEW;', '  RETURN OLD;'))).toBe(false);
  });
});

describe('isCosmeticEdit: whitespace that PostgreSQL reads', () => {
  it.each([
    ['two literals on two lines (one literal) put on one line (an error)', "SELECT 'a'\n'b';", "SELECT 'a' 'b';"],
    ['a -- comment between them that keeps the line break', "SELECT 'a' -- first\n'b';", "SELECT 'a' /* first */ 'b';"],
    ['a block comment instead of the line break', "SELECT 'a'\n'b';", "SELECT 'a' /* no */ 'b';"],
    ['an E string continued, then not', "SELECT E'a\\n'\n  'b';", "SELECT E'a\\n'  'b';"],
    ["N'x' (a national string) split into a word and a string", "SELECT N'x';", "SELECT N 'x';"],
    ['a number and a keyword joined', 'SELECT 1 FROM t LIMIT 10 OFFSET 5;', 'SELECT 1 FROM t LIMIT 10OFFSET 5;'],
    ['a number and a word separated', 'SELECT 10e;', 'SELECT 10 e;'],
    ['operators spaced out (over-cautious)', 'SELECT 1 WHERE x=-1;', 'SELECT 1 WHERE x = -1;'],
    ['a word and a string joined', "SELECT x 'y';", "SELECT x'y';"],
  ])('is false for %s', (_label, before, after) => {
    expect(isCosmeticEdit(before, after)).toBe(false);
    expect(isCosmeticEdit(after, before)).toBe(false);
  });

  it.each([
    ['continued literals reindented', "SELECT 'a'\n'b';", "SELECT 'a'\n        'b';"],
    ['continued literals with a -- comment added', "SELECT 'a'\n'b';", "SELECT 'a' -- the first half\n  'b';"],
    ['continued literals over more blank lines', "SELECT 'a'\n'b';", "SELECT 'a'\n\n\t\n'b';"],
    ['literals apart, more space', "SELECT 'a', 'b';", "SELECT 'a',    'b';"],
    ['a space added or removed next to ( ) , ; [ ]', 'SELECT f(a,b)[1] ;', 'SELECT f ( a, b ) [ 1 ];'],
    ['a gap turned into a comment', 'SELECT 1 FROM t;', 'SELECT 1/* one */FROM t;'],
  ])('is true for %s', (_label, before, after) => {
    expect(isCosmeticEdit(before, after)).toBe(true);
    expect(isCosmeticEdit(after, before)).toBe(true);
  });
});

describe('findDiscrepancies with the applied text', () => {
  const before = pair(1, 'users', { up: APPLIED, down: 'DROP TABLE users;\n' });
  const row = appliedRow(before);
  const kept = (text: AppliedText) => new Map([[1n, text]]);

  it('classes a comment-only edit of the up script as cosmetic, carrying the applied text', () => {
    const after = pair(1, 'users', {
      up: edit('-- users and their accounts', '-- reworded'),
      down: before.down.body.text(),
    });
    expect(findDiscrepancies([after], [row], kept({ up: APPLIED }))).toEqual([
      {
        kind: 'cosmetic',
        version: 1n,
        name: 'users',
        scripts: ['up'],
        paths: ['001_users.up.sql', '001_users.down.sql'],
        applied: { up: APPLIED },
      },
    ]);
  });

  it('classes a changed literal as edited', () => {
    const after = pair(1, 'users', { up: edit("DEFAULT 'a'", "DEFAULT 'b'"), down: before.down.body.text() });
    expect(findDiscrepancies([after], [row], kept({ up: APPLIED }))).toMatchObject([
      { kind: 'edited', scripts: ['up'], applied: { up: APPLIED } },
    ]);
  });

  it('finds nothing for a CRLF checkout of the applied files', () => {
    const crlf = pair(1, 'users', { up: APPLIED.replace(/\n/g, '\r\n'), down: 'DROP TABLE users;\r\n' });
    expect(crlf.up.body.text()).not.toBe(APPLIED);
    expect(findDiscrepancies([crlf], [row], kept({ up: APPLIED }))).toEqual([]);
  });

  it('is edited when one script is cosmetic and the other really changed', () => {
    const after = pair(1, 'users', {
      up: edit('-- users and their accounts', '-- reworded'),
      down: 'DROP TABLE users CASCADE;\n',
    });
    expect(findDiscrepancies([after], [row], kept({ up: APPLIED, down: before.down.body.text() }))).toMatchObject([
      { kind: 'edited', scripts: ['up', 'down'] },
    ]);
  });

  it('is cosmetic when both scripts only changed comments', () => {
    const after = pair(1, 'users', { up: `${APPLIED}-- end\n`, down: '-- undo\nDROP TABLE users;\n' });
    expect(findDiscrepancies([after], [row], kept({ up: APPLIED, down: before.down.body.text() }))).toMatchObject([
      { kind: 'cosmetic', scripts: ['up', 'down'] },
    ]);
  });

  it('is edited, with a null applied text, when the ledger kept only the checksum', () => {
    const after = pair(1, 'users', {
      up: edit('-- users and their accounts', '-- reworded'),
      down: before.down.body.text(),
    });
    expect(findDiscrepancies([after], [row], kept({ up: null, down: null }))).toMatchObject([
      { kind: 'edited', applied: { up: null } },
    ]);
  });

  it('is edited when no applied text was read at all', () => {
    const after = pair(1, 'users', { up: `${APPLIED}-- end\n`, down: before.down.body.text() });
    const [found] = findDiscrepancies([after], [row]);
    expect(found.kind).toBe('edited');
    expect(found).not.toHaveProperty('applied');
  });
});

describe('blockingDiscrepancies and cosmetic edits', () => {
  const cosmetic = {
    kind: 'cosmetic' as const,
    version: 1n,
    name: 'a',
    scripts: ['up' as const],
    paths: ['001_a.up.sql', '001_a.down.sql'],
  };
  const edited = { ...cosmetic, kind: 'edited' as const, version: 2n };

  it('lets cosmetic edits through unless strict', () => {
    expect(blockingDiscrepancies([cosmetic, edited], { allowOutOfOrder: false, strict: false })).toEqual([edited]);
    expect(blockingDiscrepancies([cosmetic, edited], { allowOutOfOrder: false, strict: true })).toEqual([
      cosmetic,
      edited,
    ]);
  });
});
