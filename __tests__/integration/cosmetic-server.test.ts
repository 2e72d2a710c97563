/**
 * Which gaps between two string literals continue the first one ('a'⏎'b' is
 * the literal 'ab'), as the cosmetic-edit check decides it, against a live
 * server: random gaps of spaces, tabs, line breaks and comments.
 */
import type { Client } from 'pg';
import { isCosmeticEdit } from '../../lib/plan/cosmetic';
import { createTestDatabase, type TestDatabase } from '../helpers/db';

let db: TestDatabase;
let client: Client;

beforeAll(async () => {
  db = await createTestDatabase();
  client = await db.connect();
});

afterAll(async () => {
  await client?.end();
  await db?.drop();
});

/** True when the server reads `'a'<gap>'b'` as the one literal 'ab', false when it refuses the two literals. */
async function serverContinues(gap: string): Promise<boolean> {
  try {
    const { rows } = await client.query<{ x: string }>(`SELECT 'a'${gap}'b' AS x`);
    return rows[0]?.x === 'ab';
  } catch (err) {
    if ((err as { code?: string }).code === '42601') return false; // syntax error at or near "'b'"
    throw err;
  }
}

it('agrees with PostgreSQL on 400 random gaps between two literals', async () => {
  const pieces = [' ', '\t', '\f', '\n', '\r', '\r\n', '-- c\n', "-- 'x'\r", '/* c */', '/*\n*/', '\n\n  '];
  let seed = 7;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let round = 0; round < 400; round++) {
    const gap = Array.from({ length: 1 + random(4) }, () => pieces[random(pieces.length)]).join('');
    const continued = await serverContinues(gap);
    const sql = `SELECT 'a'${gap}'b';`;
    const got = {
      gap,
      sameAsOneLiteral: isCosmeticEdit("SELECT 'a'\n'b';", sql),
      sameAsTwo: isCosmeticEdit("SELECT 'a' 'b';", sql),
    };
    expect(got).toEqual({ gap, sameAsOneLiteral: continued, sameAsTwo: !continued });
  }
});
