/** Renames and drops that break running code (warnings), CASCADE and DROP DATABASE (errors). */
import { lint, lintRule, places } from './rules-b-helpers';

describe('renames and drops', () => {
  test('rename-column: a warning at RENAME, with an expand/contract rewrite', async () => {
    const findings = await lintRule('rename-column', 'SELECT 1;\nALTER TABLE "Users" RENAME COLUMN "eMail" TO email;');
    expect(places(findings)).toEqual(['2:21']);
    const [f] = findings;
    expect(f?.severity).toBe('warning');
    expect(f?.message).toBe(
      'RENAME COLUMN "eMail" TO email on "Users": application code still running during the deploy still uses "eMail" and fails',
    );
    expect(f?.rewrite).toContain('ALTER TABLE "Users" ADD COLUMN email <the type of "eMail">;');
    expect(f?.rewrite).toContain('ALTER TABLE "Users" DROP COLUMN "eMail";');
  });

  test('rename-table: a warning, and the rewrite (rename + a view with the old name) does not trigger it twice', async () => {
    const findings = await lintRule('rename-table', 'ALTER TABLE public.orders RENAME TO purchases;');
    expect(places(findings)).toEqual(['1:27']);
    expect(findings[0]?.rewrite).toBe(
      [
        'ALTER TABLE public.orders RENAME TO purchases;',
        'CREATE VIEW public.orders AS SELECT * FROM public.purchases; -- old code keeps reading and writing through it',
        '-- in a later migration, when no code uses the old name: DROP VIEW public.orders;',
      ].join('\n'),
    );
  });

  test('drop-column: a warning at DROP; the second step of expand/contract is the same statement, suppressed with a reason', async () => {
    const findings = await lintRule('drop-column', 'ALTER TABLE t ADD COLUMN a int, DROP COLUMN legacy;');
    expect(places(findings)).toEqual(['1:33']);
    expect(findings[0]?.severity).toBe('warning');
    const suppressed =
      '-- tidemark:lint-ignore drop-column no code reads legacy since release 4.2\nALTER TABLE t DROP COLUMN legacy;';
    expect(await lint([{ sql: suppressed, runnerLockTimeout: '5s' }])).toEqual([]);
  });

  test('drop-table: one warning per table, at its name', async () => {
    const findings = await lintRule('drop-table', 'DROP TABLE IF EXISTS a, s."B";');
    expect(places(findings)).toEqual(['1:22', '1:25']);
    expect(findings[1]?.message).toBe(
      'DROP TABLE s."B": application code still running during the deploy that uses s."B" fails, and its rows are gone',
    );
  });

  test('history-aware: renaming or dropping what the pending migrations created breaks no running code', async () => {
    const scripts = [
      'CREATE TABLE n (a int, b int);',
      'ALTER TABLE n RENAME COLUMN a TO c;\nALTER TABLE n DROP COLUMN b;\nALTER TABLE n RENAME TO m;',
      'DROP TABLE m;',
    ];
    const rules = ['rename-column', 'rename-table', 'drop-column', 'drop-table'];
    expect((await lint(scripts)).filter((f) => rules.includes(f.rule))).toEqual([]);
  });
});

describe('CASCADE and DROP DATABASE', () => {
  test('drop-cascade: an error at CASCADE, the rewrite is the statement without it', async () => {
    const findings = await lintRule('drop-cascade', 'DROP TABLE a, b\n  CASCADE;');
    expect(places(findings)).toEqual(['2:3']);
    expect(findings[0]?.severity).toBe('error');
    expect(findings[0]?.message).toBe(
      'DROP TABLE a, b CASCADE also drops every object that depends on it (views, foreign keys of other tables, …), without naming them',
    );
    expect(findings[0]?.rewrite?.split('\n')[1]).toBe('DROP TABLE a, b;');
    expect(await lintRule('drop-cascade', 'DROP TABLE a, b;')).toEqual([]);
  });

  test.each([
    ['DROP SCHEMA app CASCADE;', '1:17'],
    ['DROP TYPE mood CASCADE;', '1:16'],
    ['ALTER TABLE t DROP COLUMN c CASCADE, DROP CONSTRAINT k;', '1:29'],
    ['ALTER TABLE t DROP CONSTRAINT k CASCADE;', '1:33'],
  ])('drop-cascade: %s', async (sql, place) => {
    expect(places(await lintRule('drop-cascade', sql))).toEqual([place]);
  });

  test('truncate-cascade: an error at CASCADE', async () => {
    const findings = await lintRule('truncate-cascade', 'TRUNCATE orders, "Items" CASCADE;');
    expect(places(findings)).toEqual(['1:26']);
    expect(findings[0]?.message).toBe(
      'TRUNCATE orders, "Items" CASCADE also empties every table that references them, transitively',
    );
    expect(findings[0]?.rewrite?.split('\n')[1]).toBe('TRUNCATE orders, "Items";');
    expect(await lintRule('truncate-cascade', 'TRUNCATE orders;')).toEqual([]);
  });

  test('drop-database: an error', async () => {
    const findings = await lintRule('drop-database', 'SELECT 1;\nDROP DATABASE prod;');
    expect(places(findings)).toEqual(['2:1']);
    expect(findings[0]?.severity).toBe('error');
  });
});
