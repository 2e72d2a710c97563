/**
 * lib/sql/classify.ts against a live server: each statement it reports is
 * refused inside a transaction block with SQLSTATE 25001 and the same
 * command name, and each statement it lets through is not.
 */
import type { Client } from 'pg';
import { nonTransactionalReason } from '../../lib/sql/classify';
import { NON_TRANSACTIONAL, TRANSACTIONAL } from '../helpers/classify-samples';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

const SETUP = `
  CREATE TABLE t (a int PRIMARY KEY);
  CREATE TABLE p (a int) PARTITION BY LIST (a);
  CREATE TABLE p1 PARTITION OF p FOR VALUES IN (1);
  CREATE TYPE mood AS ENUM ('ok');
  CREATE MATERIALIZED VIEW mv AS SELECT 1 AS a;
  CREATE UNIQUE INDEX mv_a ON mv (a);
  CREATE PUBLICATION p FOR TABLE t;
  CREATE SUBSCRIPTION s CONNECTION 'dbname=none' PUBLICATION p
    WITH (connect = false, enabled = false, create_slot = false, slot_name = NONE);
`;

let db: TestDatabase;
let client: Client;

beforeAll(async () => {
  db = await createTestDatabase();
  client = await db.connect();
  await client.query(SETUP);
});

afterAll(async () => {
  // A subscription keeps its database from being dropped.
  await client?.query('DROP SUBSCRIPTION IF EXISTS s');
  await client?.end();
  await db?.drop();
});

/** Runs `sql` inside BEGIN … ROLLBACK; the error it raised, if any. */
async function inTransaction(sql: string): Promise<{ code?: string; message: string } | null> {
  await client.query('BEGIN');
  try {
    await client.query(sql.replace('current_database', db.name));
    return null;
  } catch (err) {
    return err as { code?: string; message: string };
  } finally {
    await client.query('ROLLBACK');
  }
}

it.each(NON_TRANSACTIONAL)('%s is refused in a transaction, as "%s"', async (sql, reason) => {
  expect(nonTransactionalReason(sql)).toBe(reason);
  const error = await inTransaction(sql);
  expect(error?.code).toBe('25001');
  expect(error?.message).toBe(`${reason} cannot run inside a transaction block`);
});

it.each(TRANSACTIONAL)('%s is not refused in a transaction', async (sql) => {
  expect(nonTransactionalReason(sql)).toBeNull();
  const error = await inTransaction(sql);
  expect(error?.code).not.toBe('25001');
});
