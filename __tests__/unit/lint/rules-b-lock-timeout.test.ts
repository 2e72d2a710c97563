/** require-lock-timeout: once per script, satisfied by the script or by tidemark's runner. */
import { lintRule, places } from './rules-b-helpers';

const RULE = 'require-lock-timeout';

describe(RULE, () => {
  test('one warning per script, on the first lock-taking statement, naming the lock and what it blocks', async () => {
    const sql =
      'SELECT 1;\nCREATE INDEX i ON orders (placed_at);\nALTER TABLE orders ADD COLUMN note text;\nDROP TABLE old;';
    const findings = await lintRule(RULE, sql);
    expect(places(findings)).toEqual(['2:1']);
    const [f] = findings;
    expect(f?.severity).toBe('warning');
    expect(f?.message).toBe(
      'CREATE INDEX waits for SHARE on orders with no lock_timeout in force: queries that arrive meanwhile queue behind it',
    );
    expect(f?.lock).toEqual({
      mode: 'SHARE',
      relation: 'orders',
      blocks: 'blocks writes (INSERT, UPDATE, DELETE) until the transaction ends; reads go on',
    });
    expect(f?.rewrite?.split('\n')[0]).toBe("SET LOCAL lock_timeout = '5s'; -- first statement of the migration");
  });

  test('each script gets its own finding', async () => {
    const findings = await lintRule(RULE, ['ALTER TABLE a ADD COLUMN x int;', 'ALTER TABLE b ADD COLUMN y int;']);
    expect(findings.map((f) => f.path)).toEqual(['1_migration.up.sql', '2_migration.up.sql']);
  });

  test.each([
    "SET lock_timeout = '5s';",
    "SET LOCAL lock_timeout TO '5s';",
    "SELECT set_config('lock_timeout', '5s', true);",
  ])('the safe rewrite: %s earlier in the script', async (set) => {
    expect(await lintRule(RULE, `${set}\nALTER TABLE t ADD COLUMN c int;`)).toEqual([]);
  });

  test('set after the lock-taking statement is too late', async () => {
    const findings = await lintRule(RULE, "ALTER TABLE t ADD COLUMN c int;\nSET lock_timeout = '5s';");
    expect(places(findings)).toEqual(['1:1']);
  });

  test("tidemark's own lock_timeout (--lock-timeout, config, the -- tidemark:lock-timeout directive) satisfies it", async () => {
    expect(await lintRule(RULE, [{ sql: 'ALTER TABLE t ADD COLUMN c int;', runnerLockTimeout: '5s' }])).toEqual([]);
  });

  test('a no-transaction script: SET LOCAL lasts one statement, so it does not count; the rewrite says SET', async () => {
    const sql = "SET LOCAL lock_timeout = '5s';\nALTER TABLE t ADD COLUMN c int;";
    const findings = await lintRule(RULE, [{ sql, transactional: false }]);
    expect(places(findings)).toEqual(['2:1']);
    expect(findings[0]?.rewrite?.split('\n')[0]).toContain("SET lock_timeout = '5s';");
    const session = "SET lock_timeout = '5s';\nALTER TABLE t ADD COLUMN c int;";
    expect(await lintRule(RULE, [{ sql: session, transactional: false }])).toEqual([]);
  });

  test('history-aware: tables the pending migrations created lock nobody', async () => {
    const scripts = ['CREATE TABLE n (id int);', 'CREATE INDEX ON n (id);\nALTER TABLE n ADD COLUMN c int;'];
    expect(await lintRule(RULE, scripts)).toEqual([]);
  });

  test('locks that do not queue reads or writes are not reported: CONCURRENTLY, VALIDATE, plain VACUUM', async () => {
    const sql = [
      'CREATE INDEX CONCURRENTLY i ON t (c);',
      'ALTER TABLE t VALIDATE CONSTRAINT k;',
      'VACUUM t;',
      'LOCK TABLE t IN ACCESS SHARE MODE;',
    ].join('\n');
    expect(await lintRule(RULE, [{ sql, transactional: false }])).toEqual([]);
  });

  test.each([
    ['CREATE TABLE c (id int, p_id int REFERENCES p);', 'SHARE ROW EXCLUSIVE on p'],
    ['ALTER TABLE c ADD FOREIGN KEY (p_id) REFERENCES p NOT VALID;', 'SHARE ROW EXCLUSIVE on c'],
    ['TRUNCATE t;', 'ACCESS EXCLUSIVE on t'],
    ['VACUUM FULL t;', 'ACCESS EXCLUSIVE on t'],
    ['CLUSTER t USING t_pkey;', 'ACCESS EXCLUSIVE on t'],
    ['REINDEX TABLE t;', 'SHARE on t'],
    ['LOCK TABLE t;', 'ACCESS EXCLUSIVE on t'],
    ['CREATE TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION f();', 'SHARE ROW EXCLUSIVE on t'],
    ['ALTER TABLE t RENAME COLUMN a TO b;', 'ACCESS EXCLUSIVE on t'],
    ['DROP INDEX i;', 'ACCESS EXCLUSIVE with'],
  ])('%s waits for %s', async (sql, lock) => {
    const [f] = await lintRule(RULE, sql);
    expect(f?.message).toContain(`waits for ${lock}`);
  });
});
