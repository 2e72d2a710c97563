/** ALTER TYPE … ADD VALUE before PostgreSQL 12 in a transaction; the hygiene rules (off by default). */
import { lint, lintRule, places } from './rules-b-helpers';

const ENUM = 'add-enum-value-in-transaction';

describe(ENUM, () => {
  const sql = "SELECT 1;\nALTER TYPE mood ADD VALUE 'meh' AFTER 'ok';";

  test('version-aware: an error on PostgreSQL 11 in a transactional script, at ADD VALUE', async () => {
    const findings = await lintRule(ENUM, sql, { pgVersion: 11 });
    expect(places(findings)).toEqual(['2:17']);
    expect(findings[0]?.severity).toBe('error');
    expect(findings[0]?.message).toBe(
      'ALTER TYPE … ADD VALUE cannot run inside a transaction block before PostgreSQL 12 (running 11), and this migration runs in one',
    );
    expect(findings[0]?.rewrite).toBe(
      "-- in a migration of its own, whose first line is \"-- tidemark:no-transaction\":\nALTER TYPE mood ADD VALUE 'meh' AFTER 'ok';",
    );
  });

  test('nothing on PostgreSQL 12, nor in a no-transaction script on 11 (the rewrite)', async () => {
    expect(await lintRule(ENUM, sql, { pgVersion: 12 })).toEqual([]);
    expect(await lintRule(ENUM, [{ sql, transactional: false }], { pgVersion: 11 })).toEqual([]);
  });

  test('renaming a value is not adding one', async () => {
    expect(await lintRule(ENUM, "ALTER TYPE mood RENAME VALUE 'a' TO 'b';", { pgVersion: 11 })).toEqual([]);
  });
});

describe('hygiene (info, off by default)', () => {
  const table = [
    'CREATE TABLE t (',
    '  id serial PRIMARY KEY,',
    '  at timestamp,',
    '  name varchar(80),',
    '  code char(2),',
    '  note text,',
    '  seen timestamptz',
    ');',
  ].join('\n');
  const on = {
    rules: { 'prefer-timestamptz': 'on', 'prefer-text': 'on', 'prefer-bigint-key': 'on', 'prefer-identity': 'on' },
  } as const;

  test('off by default', async () => {
    expect((await lint(table)).filter((f) => f.rule.startsWith('prefer-'))).toEqual([]);
  });

  test('turned on: each at the column type, as info, with the column as it should be written', async () => {
    const findings = (await lint(table, on)).filter((f) => f.rule.startsWith('prefer-'));
    expect(findings.map((f) => `${f.rule} ${f.line}:${f.column} ${f.severity}`)).toEqual([
      'prefer-bigint-key 2:6 info',
      'prefer-identity 2:6 info',
      'prefer-timestamptz 3:6 info',
      'prefer-text 4:8 info',
      'prefer-text 5:8 info',
    ]);
    expect(findings.map((f) => f.rewrite)).toEqual([
      'id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
      'id bigint GENERATED ALWAYS AS IDENTITY',
      'at timestamptz',
      'name text CHECK (char_length(name) <= 80)',
      'code text',
    ]);
  });

  test('a table-level PRIMARY KEY, ADD COLUMN and ALTER COLUMN TYPE are read too', async () => {
    const sql =
      'CREATE TABLE k (n int, PRIMARY KEY (n));\nALTER TABLE k ADD COLUMN at timestamp, ALTER COLUMN n TYPE varchar(5);';
    const findings = (await lint(sql, on)).filter((f) => f.rule.startsWith('prefer-'));
    expect(findings.map((f) => `${f.rule} ${f.line}:${f.column}`)).toEqual([
      'prefer-bigint-key 1:19',
      'prefer-timestamptz 2:29',
      'prefer-text 2:60',
    ]);
  });
});
