// Every lint rule that names a lock, checked against PostgreSQL: the rule's
// trigger runs observed on a real table (test --locks' observeScript), and
// the lock lint guessed must be the lock the statement took.
import { observeScript } from '../../lib/db/observe';
import { lintSources } from '../../lib/lint/engine';
import { compareWithLint } from '../../lib/observe/lint-agreement';
import { useTestDatabase } from '../helpers/db';

const db = useTestDatabase({ client: true });

const SETUP = `
CREATE TABLE customers (id bigint PRIMARY KEY);
CREATE TABLE tags (id bigint);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, amount int, note varchar(20));
CREATE INDEX orders_amount ON orders (amount);
INSERT INTO customers SELECT g FROM generate_series(1, 100) g;
INSERT INTO orders SELECT g, g % 100 + 1, g, 'n' FROM generate_series(1, 1000) g;
CREATE TABLE events (id bigint, at date) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
`;

interface Case {
  readonly rule: string;
  readonly sql: string;
  readonly transactional?: boolean;
  /** More set-up: a statement run bare is sampled, so it must last longer than a sample takes. */
  readonly setup?: string;
}

/** One trigger per rule that names a lock, on tables that exist (so the rule fires). */
const CASES: readonly Case[] = [
  { rule: 'require-concurrent-index', sql: 'CREATE INDEX orders_customer ON orders (customer_id);' },
  { rule: 'require-concurrent-index-drop', sql: 'DROP INDEX orders_amount;' },
  { rule: 'require-concurrent-reindex', sql: 'REINDEX TABLE orders;' },
  { rule: 'require-not-valid', sql: 'ALTER TABLE orders ADD CONSTRAINT amount_positive CHECK (amount > 0);' },
  {
    rule: 'require-not-valid',
    sql: 'ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);',
  },
  {
    rule: 'validate-in-same-transaction',
    sql: 'ALTER TABLE orders ADD CONSTRAINT amount_positive CHECK (amount > 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT amount_positive;',
  },
  { rule: 'require-unique-using-index', sql: 'ALTER TABLE orders ADD CONSTRAINT orders_amount_key UNIQUE (amount);' },
  { rule: 'no-cluster', sql: 'CLUSTER orders USING orders_pkey;' },
  {
    rule: 'no-vacuum-full',
    sql: 'VACUUM FULL orders;',
    transactional: false,
    // 1,000 rows were rewritten between two samples on a server in memory (the embedded one): 300,000 are not.
    setup: "INSERT INTO orders SELECT g, g % 100 + 1, g, 'n' FROM generate_series(1001, 300000) g;",
  },
  { rule: 'require-concurrent-detach', sql: 'ALTER TABLE events DETACH PARTITION events_2026;' },
  // On a table with rows it fails (the point of the rule); an empty one shows the lock it takes.
  { rule: 'add-column-not-null-without-default', sql: 'ALTER TABLE tags ADD COLUMN code int NOT NULL;' },
  { rule: 'set-not-null-scan', sql: 'ALTER TABLE orders ALTER COLUMN amount SET NOT NULL;' },
  { rule: 'add-column-volatile-default', sql: 'ALTER TABLE orders ADD COLUMN r float8 DEFAULT random();' },
  { rule: 'add-column-serial-or-identity', sql: 'ALTER TABLE orders ADD COLUMN seq bigserial;' },
  {
    rule: 'add-column-stored-generated',
    sql: 'ALTER TABLE orders ADD COLUMN doubled int GENERATED ALWAYS AS (amount * 2) STORED;',
  },
  { rule: 'alter-column-type', sql: 'ALTER TABLE orders ALTER COLUMN amount TYPE bigint;' },
  { rule: 'rename-column', sql: 'ALTER TABLE orders RENAME COLUMN note TO remark;' },
  { rule: 'rename-table', sql: 'ALTER TABLE orders RENAME TO purchases;' },
  { rule: 'drop-column', sql: 'ALTER TABLE orders DROP COLUMN note;' },
  { rule: 'drop-table', sql: 'DROP TABLE orders;' },
  { rule: 'drop-cascade', sql: 'DROP TABLE customers CASCADE;' },
  { rule: 'truncate-cascade', sql: 'TRUNCATE customers CASCADE;' },
];

describe.each(CASES)('$rule: $sql', ({ rule, sql, transactional = true, setup = '' }) => {
  it('guesses the lock PostgreSQL takes', async () => {
    await db.client.query(SETUP + setup);
    const version = Number((await db.client.query('SHOW server_version_num')).rows[0].server_version_num);
    const path = '002_case.up.sql';
    const script = { path, version: 2n, direction: 'up' as const, transactional, runnerLockTimeout: '5s' };
    const findings = (await lintSources([{ script, sql }], { pgVersion: Math.floor(version / 10000) })).filter(
      (f) => f.rule === rule,
    );
    expect(findings.length).toBeGreaterThan(0);
    const observed = await observeScript(db.client, {
      version: 2n,
      name: 'case',
      path,
      direction: 'up',
      transactional,
      sql,
    });
    const comparisons = compareWithLint(findings, [observed]);
    expect(comparisons.length).toBeGreaterThan(0);
    expect(comparisons.filter((c) => !c.agrees).map((c) => c.message)).toEqual([]);
  });
});
