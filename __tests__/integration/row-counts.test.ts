import type { Client } from 'pg';
import { rowCounts } from '../../lib/db/catalog';
import { useTestDatabase } from '../helpers/db';

const db = useTestDatabase({ client: true });
let client: Client;

beforeEach(() => {
  client = db.client;
});

describe('rowCounts', () => {
  it('counts each table exactly, in the order asked, quoting odd names', async () => {
    await client.query(`
      CREATE SCHEMA "Odd Schema";
      CREATE TABLE "Odd Schema"."Weird ""Name""" (x int);
      INSERT INTO "Odd Schema"."Weird ""Name""" SELECT generate_series(1, 3);
      CREATE TABLE empty (x int);`);
    const tables = [
      { schema: 'Odd Schema', table: 'Weird "Name"' },
      { schema: 'public', table: 'empty' },
    ];
    expect(await rowCounts(client, tables)).toEqual([
      { schema: 'Odd Schema', table: 'Weird "Name"', rows: 3 },
      { schema: 'public', table: 'empty', rows: 0 },
    ]);
  });

  it('asks nothing of the database for no tables', async () => {
    const spy = jest.spyOn(client, 'query');
    expect(await rowCounts(client, [])).toEqual([]);
    expect(spy).not.toHaveBeenCalled();
  });

  it('fails with the PostgreSQL error for a table that does not exist', async () => {
    await expect(rowCounts(client, [{ schema: 'public', table: 'nope' }])).rejects.toMatchObject({ code: '42P01' });
  });
});
