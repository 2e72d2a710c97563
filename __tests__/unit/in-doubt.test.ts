import { ConfigError } from '../../lib/errors';
import { decideInDoubt, indexQuestion } from '../../lib/plan/in-doubt';
import type { IndexFacts } from '../../lib/types';

describe('indexQuestion', () => {
  it.each([
    ['CREATE INDEX CONCURRENTLY i ON t (a)', { kind: 'create', index: 'i', table: 't' }],
    [
      'create unique index concurrently if not exists "I x" on only s.t using btree (a)',
      { kind: 'create', index: '"I x"', table: 's.t' },
    ],
    ['CREATE INDEX CONCURRENTLY i ON "S"."T" (a)', { kind: 'create', index: 'i', table: '"S"."T"' }],
    ['DROP INDEX CONCURRENTLY IF EXISTS s.i', { kind: 'drop', index: 's.i' }],
    ['drop index concurrently i', { kind: 'drop', index: 'i' }],
    ['REINDEX INDEX CONCURRENTLY i', { kind: 'reindex' }],
    ['REINDEX (VERBOSE, CONCURRENTLY) TABLE t', { kind: 'reindex' }],
  ])('%s', (sql, question) => {
    expect(indexQuestion(sql)).toEqual(question);
  });

  it.each([
    'CREATE INDEX CONCURRENTLY ON t (a)',
    'CREATE INDEX i ON t (a)',
    'DROP INDEX CONCURRENTLY a, b',
    'REINDEX TABLE t',
    'INSERT INTO t VALUES (1)',
  ])('%s → null (the catalog cannot tell, or it is not a concurrent index statement)', (sql) => {
    expect(indexQuestion(sql)).toBeNull();
  });
});

describe('decideInDoubt', () => {
  const doubt = (text: string) => ({
    statement: 2,
    line: 5,
    text,
    path: '004_x.up.sql',
    version: 4n,
    direction: 'up' as const,
  });
  const create = (state: 'valid' | 'invalid' | 'absent'): IndexFacts => ({
    kind: 'create',
    index: '"public"."i"',
    state,
  });

  it('a concurrent build: valid → done, absent → not done, invalid → refused with the DROP command', () => {
    expect(decideInDoubt(doubt('CREATE INDEX CONCURRENTLY i ON t (a)'), create('valid'), undefined)).toBe(true);
    expect(decideInDoubt(doubt('CREATE INDEX CONCURRENTLY i ON t (a)'), create('absent'), undefined)).toBe(false);
    expect(() => decideInDoubt(doubt('CREATE INDEX CONCURRENTLY i ON t (a)'), create('invalid'), 'done')).toThrow(
      /DROP INDEX CONCURRENTLY IF EXISTS "public"."i";/,
    );
  });

  it('a concurrent drop: absent → done, present → not done', () => {
    expect(
      decideInDoubt(doubt('DROP INDEX CONCURRENTLY i'), { kind: 'drop', index: 'i', state: 'absent' }, undefined),
    ).toBe(true);
    expect(
      decideInDoubt(doubt('DROP INDEX CONCURRENTLY i'), { kind: 'drop', index: 'i', state: 'invalid' }, undefined),
    ).toBe(false);
  });

  it('a concurrent reindex: leftovers are refused with their DROP commands; none → run it again', () => {
    expect(() =>
      decideInDoubt(
        doubt('REINDEX INDEX CONCURRENTLY i'),
        { kind: 'reindex', leftovers: ['"public"."i_ccnew"'] },
        undefined,
      ),
    ).toThrow(/DROP INDEX CONCURRENTLY IF EXISTS "public"."i_ccnew";/);
    expect(decideInDoubt(doubt('REINDEX INDEX CONCURRENTLY i'), { kind: 'reindex', leftovers: [] }, undefined)).toBe(
      false,
    );
  });

  it("the script's own BEGIN never committed; its COMMIT did", () => {
    expect(decideInDoubt(doubt('BEGIN'), null, undefined)).toBe(false);
    expect(decideInDoubt(doubt('COMMIT'), null, undefined)).toBe(true);
  });

  it("anything else needs the user's word, and the message says what to check and which flag", () => {
    let err: unknown;
    try {
      decideInDoubt(doubt('UPDATE t SET a = a + 1'), null, undefined);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain('004_x.up.sql:5, statement 2: UPDATE t SET a = a + 1');
    expect((err as Error).message).toContain('tidemark apply --resume --assume-done');
    expect((err as Error).message).toContain('tidemark apply --resume --assume-not-done');
    expect(decideInDoubt(doubt('UPDATE t SET a = a + 1'), null, 'done')).toBe(true);
    expect(decideInDoubt(doubt('UPDATE t SET a = a + 1'), null, 'not-done')).toBe(false);
  });
});
