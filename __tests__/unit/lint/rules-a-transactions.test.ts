import { nonTransactionalReason } from '../../../lib/sql/classify';
import { lint, where } from './rules-a-helpers';

describe('needs-no-transaction', () => {
  it("reports classify.ts's own reason at CONCURRENTLY, and moves the statement to a no-transaction migration", async () => {
    const sql = 'SET lock_timeout = 0;\nCREATE UNIQUE INDEX CONCURRENTLY orders_ref ON orders (ref);';
    const [f, ...more] = await lint('needs-no-transaction', [sql]);
    expect(more).toEqual([]);
    expect(where(f!)).toBe('1_m.sql:2:21 error');
    expect(f!.message).toBe(
      `${nonTransactionalReason('CREATE UNIQUE INDEX CONCURRENTLY orders_ref ON orders (ref)')} cannot run inside a transaction block, and this file runs in one: tidemark refuses it before running anything`,
    );
    expect(f!.rewrite).toBe(
      '-- a migration of its own, marked to run outside a transaction:\n-- tidemark:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY orders_ref ON orders (ref);',
    );
  });

  it.each([
    ['DROP INDEX CONCURRENTLY orders_ref', 'DROP INDEX CONCURRENTLY', 12],
    ['REINDEX TABLE CONCURRENTLY orders', 'REINDEX CONCURRENTLY', 15],
    ['REINDEX (CONCURRENTLY) INDEX orders_ref', 'REINDEX CONCURRENTLY', 10],
    ['ALTER TABLE m DETACH PARTITION m_2020 CONCURRENTLY', 'ALTER TABLE ... DETACH CONCURRENTLY', 39],
    ['VACUUM (ANALYZE) orders', 'VACUUM', 1],
    ['REINDEX SCHEMA app', 'REINDEX SCHEMA', 1],
    ['CLUSTER', 'CLUSTER', 1],
    ['CREATE DATABASE shop', 'CREATE DATABASE', 1],
    ['ALTER SYSTEM SET work_mem = 1', 'ALTER SYSTEM', 1],
  ])('%s: "%s" at column %i', async (sql, reason, column) => {
    const [f] = await lint('needs-no-transaction', [`${sql};`]);
    expect(f!.message.startsWith(`${reason} cannot run inside a transaction block`)).toBe(true);
    expect(nonTransactionalReason(sql)).toBe(reason);
    expect(f!.column).toBe(column);
  });

  it('is silent in a -- tidemark:no-transaction file, and for statements classify lets run in a transaction', async () => {
    const file = { sql: 'CREATE INDEX CONCURRENTLY orders_ref ON orders (ref);\nVACUUM orders;', transactional: false };
    expect(await lint('needs-no-transaction', [file])).toEqual([]);
    expect(await lint('needs-no-transaction', ['CREATE INDEX orders_ref ON orders (ref);\nCLUSTER orders;'])).toEqual(
      [],
    );
  });

  it('is not history-aware: the statement fails even on a new table', async () => {
    const sql = 'CREATE TABLE t (a int);\nCREATE INDEX CONCURRENTLY t_a ON t (a);';
    expect(await lint('needs-no-transaction', [sql])).toHaveLength(1);
  });
});
