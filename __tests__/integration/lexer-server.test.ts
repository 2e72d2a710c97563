/**
 * The lexer corpus on a live server: every script runs statement by
 * statement, and the server's own count of statements in a multi-statement
 * query matches the splitter's.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { QueryResult } from 'pg';
import { splitStatements } from '../../lib/sql/lexer';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

const CORPUS = path.join(__dirname, '..', 'fixtures', 'lexer-corpus');
const files = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.sql'))
  .sort();

async function withDatabase<T>(fn: (db: TestDatabase) => Promise<T>): Promise<T> {
  const db = await createTestDatabase();
  try {
    return await fn(db);
  } finally {
    await db.drop();
  }
}

describe.each(files)('%s', (file) => {
  const sql = readFileSync(path.join(CORPUS, file), 'utf8');

  it('runs statement by statement, and the server counts as many statements', async () => {
    const statements = splitStatements(sql);
    await withDatabase(async (db) => {
      const client = await db.connect();
      try {
        for (const statement of statements) await client.query(statement.text);
      } finally {
        await client.end();
      }
    });
    const serverCount = await withDatabase(async (db) => {
      const client = await db.connect();
      try {
        // The simple query protocol returns one result per statement it ran.
        const result = (await client.query(sql)) as unknown as QueryResult | QueryResult[];
        return Array.isArray(result) ? result.length : 1;
      } finally {
        await client.end();
      }
    });
    expect(statements.length).toBe(serverCount);
  });
});
