/** The NOT NULL family: ADD COLUMN … NOT NULL without a default, SET NOT NULL without a validated check. */
import { lintRule, places } from './rules-b-helpers';

const ADD = 'add-column-not-null-without-default';
const SET = 'set-not-null-scan';

describe(ADD, () => {
  test('ADD COLUMN … NOT NULL without a default: an error at NOT NULL, with the lock and the rewrite', async () => {
    const findings = await lintRule(ADD, 'SELECT 1;\nALTER TABLE "Orders"\n  ADD COLUMN note text NOT NULL;');
    expect(places(findings)).toEqual(['3:24']);
    const [f] = findings;
    expect(f?.severity).toBe('error');
    expect(f?.message).toBe(
      'ADD COLUMN note text NOT NULL without a default on "Orders": fails as soon as the table has a row (each would be NULL)',
    );
    expect(f?.lock).toEqual({
      mode: 'ACCESS EXCLUSIVE',
      relation: '"Orders"',
      blocks: 'blocks reads and writes until the transaction ends',
    });
    expect(f?.table).toBe('Orders');
    expect(f?.rewrite).toContain('ALTER TABLE "Orders" ADD COLUMN note text;');
    expect(f?.rewrite).toContain(
      'ALTER TABLE "Orders" ADD CONSTRAINT "Orders_note_not_null" CHECK (note IS NOT NULL) NOT VALID;',
    );
    expect(f?.rewrite).toContain('ADD COLUMN note text NOT NULL DEFAULT <constant>');
  });

  test('a PRIMARY KEY column without a default is NOT NULL too; DEFAULT NULL is no default', async () => {
    const findings = await lintRule(
      ADD,
      'ALTER TABLE t ADD COLUMN k bigint PRIMARY KEY, ADD COLUMN n int NOT NULL DEFAULT NULL;',
    );
    expect(places(findings)).toEqual(['1:35', '1:65']);
  });

  test('the safe forms do not trigger: a constant default, a nullable column, serial, identity', async () => {
    const sql = [
      'ALTER TABLE t ADD COLUMN a int NOT NULL DEFAULT 0;',
      'ALTER TABLE t ADD COLUMN b int;',
      'ALTER TABLE t ADD COLUMN c bigserial NOT NULL;',
      'ALTER TABLE t ADD COLUMN d bigint NOT NULL GENERATED ALWAYS AS IDENTITY;',
    ].join('\n');
    expect(await lintRule(ADD, sql)).toEqual([]);
  });

  test('history-aware: a table created by an earlier pending migration has no rows yet', async () => {
    const findings = await lintRule(ADD, [
      'CREATE TABLE fresh (id bigint);',
      'ALTER TABLE fresh ADD COLUMN n int NOT NULL;',
    ]);
    expect(findings).toEqual([]);
  });

  test('version-aware: before PostgreSQL 11 the rewrite does not offer a NOT NULL DEFAULT', async () => {
    const [old] = await lintRule(ADD, 'ALTER TABLE t ADD COLUMN n int NOT NULL;', { pgVersion: 10 });
    expect(old?.rewrite).not.toContain('DEFAULT <constant>');
    expect(old?.rewrite).toContain('before PostgreSQL 12, SET NOT NULL scans');
  });
});

describe(SET, () => {
  test('SET NOT NULL on an existing table: an error at SET NOT NULL', async () => {
    const findings = await lintRule(SET, 'ALTER TABLE public.orders\n  ALTER COLUMN paid_at SET NOT NULL;');
    expect(places(findings)).toEqual(['2:24']);
    const [f] = findings;
    expect(f?.severity).toBe('error');
    expect(f?.message).toBe(
      'SET NOT NULL on public.orders.paid_at scans the whole table under ACCESS EXCLUSIVE: no validated CHECK (paid_at IS NOT NULL) on it was found',
    );
    expect(f?.lock?.mode).toBe('ACCESS EXCLUSIVE');
    expect(f?.rewrite).toBe(
      [
        'ALTER TABLE public.orders ADD CONSTRAINT orders_paid_at_not_null CHECK (paid_at IS NOT NULL) NOT VALID;',
        '-- in a later migration (VALIDATE takes SHARE UPDATE EXCLUSIVE: reads and writes go on):',
        'ALTER TABLE public.orders VALIDATE CONSTRAINT orders_paid_at_not_null;',
        'ALTER TABLE public.orders ALTER COLUMN paid_at SET NOT NULL; -- PostgreSQL 12+ sees the valid check: no scan',
        'ALTER TABLE public.orders DROP CONSTRAINT orders_paid_at_not_null;',
      ].join('\n'),
    );
  });

  test('the rewrite, split where it says, lints clean of this rule', async () => {
    const [f] = await lintRule(SET, 'ALTER TABLE orders ALTER COLUMN paid_at SET NOT NULL;');
    const [first, later] = (f?.rewrite ?? '').split('-- in a later migration');
    expect(await lintRule(SET, [first ?? '', `--${later ?? ''}`])).toEqual([]);
  });

  test('a validated CHECK (col IS NOT NULL) earlier in the script: no scan on PostgreSQL 12+', async () => {
    const sql = 'ALTER TABLE t ADD CONSTRAINT c CHECK (a IS NOT NULL);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;';
    expect(await lintRule(SET, sql, { pgVersion: 12 })).toEqual([]);
  });

  test('history-aware: NOT VALID in one pending migration, VALIDATE in a later one, SET NOT NULL after', async () => {
    const scripts = [
      'ALTER TABLE t ADD CONSTRAINT a_nn CHECK (a IS NOT NULL) NOT VALID;',
      'ALTER TABLE t VALIDATE CONSTRAINT a_nn;',
      'ALTER TABLE t ALTER COLUMN a SET NOT NULL;',
    ];
    expect(await lintRule(SET, scripts)).toEqual([]);
  });

  test('an unnamed NOT VALID check is validated by the name PostgreSQL gives it (table_column_check)', async () => {
    const scripts = [
      'ALTER TABLE t ADD CHECK (a IS NOT NULL) NOT VALID;',
      'ALTER TABLE t VALIDATE CONSTRAINT t_a_check;\nALTER TABLE t ALTER a SET NOT NULL;',
    ];
    expect(await lintRule(SET, scripts)).toEqual([]);
  });

  test('a NOT VALID check never validated, or one on another column, does not count', async () => {
    const notValidated = [
      'ALTER TABLE t ADD CONSTRAINT a_nn CHECK (a IS NOT NULL) NOT VALID;',
      'ALTER TABLE t ALTER a SET NOT NULL;',
    ];
    const unvalidated = await lintRule(SET, notValidated);
    expect(unvalidated.map((f) => `${f.path}:${f.line}:${f.column}`)).toEqual(['2_migration.up.sql:1:23']);
    const other = 'ALTER TABLE t ADD CONSTRAINT b_nn CHECK (b IS NOT NULL);\nALTER TABLE t ALTER a SET NOT NULL;';
    expect(places(await lintRule(SET, other))).toEqual(['2:23']);
  });

  test('version-aware: with a validated check, PostgreSQL 11 still scans, 12 does not', async () => {
    const sql = 'ALTER TABLE t ADD CONSTRAINT c CHECK (a IS NOT NULL);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;';
    const [on11] = await lintRule(SET, sql, { pgVersion: 11 });
    expect(on11?.message).toContain(
      'before PostgreSQL 12 (running 11) it scans even with the validated CHECK (a IS NOT NULL)',
    );
    expect(on11?.rewrite).toContain('keep the validated CHECK as the guarantee');
    expect(await lintRule(SET, sql, { pgVersion: 12 })).toEqual([]);
  });

  test('PostgreSQL 18: the rewrite mentions NOT NULL … NOT VALID, and such a constraint validated later counts', async () => {
    const [f] = await lintRule(SET, 'ALTER TABLE t ALTER a SET NOT NULL;', { pgVersion: 18 });
    expect(f?.rewrite).toContain('ADD CONSTRAINT t_a_not_null NOT NULL a NOT VALID;');
    const scripts = [
      'ALTER TABLE t ADD CONSTRAINT a_nn NOT NULL a NOT VALID;',
      'ALTER TABLE t VALIDATE CONSTRAINT a_nn;',
      'ALTER TABLE t ALTER a SET NOT NULL;',
    ];
    expect(await lintRule(SET, scripts, { pgVersion: 18 })).toEqual([]);
  });

  test('history-aware: a table created by the pending migrations is not reported', async () => {
    expect(await lintRule(SET, 'CREATE TABLE n (a int);\nALTER TABLE n ALTER a SET NOT NULL;')).toEqual([]);
  });
});
