/**
 * Canonical form: what must NOT show up as a difference (OIDs, creation
 * order, dropped-column gaps, explicit default ACLs, the ledger, extension
 * members), plus owners, which need a role of their own.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { diffSnapshots, type Snapshot, takeSnapshot } from '../../lib/db/snapshot';
import { ADMIN_URL, createTestDatabase, type TestDatabase } from '../helpers/db';

const ledger = { schema: 'public', table: 'tidemark_migrations' };
const snapshot = (c: Client): Promise<Snapshot> => takeSnapshot(c, { ignoreTables: [ledger] });

/** Runs `fn` with a fresh database and a connected client, and always cleans both up. */
async function withDatabase<T>(fn: (client: Client, db: TestDatabase) => Promise<T>): Promise<T> {
  const db = await createTestDatabase();
  const client = await db.connect();
  try {
    return await fn(client, db);
  } finally {
    await client.end();
    await db.drop();
  }
}

/** Runs each script in its own implicit transaction (a new enum label can't be used in the one that adds it). */
async function snapshotAfter(scripts: readonly string[]): Promise<Snapshot> {
  return withDatabase(async (client) => {
    for (const sql of scripts) await client.query(sql);
    return snapshot(client);
  });
}

// The same schema, built in a different order and by different routes.
const firstOrder = [`
  CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
  CREATE TABLE a (id serial PRIMARY KEY, gone int, mood mood NOT NULL DEFAULT 'ok', note text);
  ALTER TABLE a DROP COLUMN gone;
  CREATE TABLE b (a_id int REFERENCES a (id), v text);
  CREATE INDEX b_v_idx ON b (v);
  CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql IMMUTABLE AS $$SELECT x$$;
  CREATE FUNCTION g() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
  CREATE TRIGGER b_g BEFORE INSERT ON b FOR EACH ROW EXECUTE FUNCTION g();
  GRANT SELECT ON a TO PUBLIC;
  GRANT SELECT ON a TO pg_monitor;
  GRANT INSERT ON b TO PUBLIC;
  REVOKE INSERT ON b FROM PUBLIC;
  CREATE VIEW v AS SELECT id, mood FROM a;
  COMMENT ON TABLE a IS 'first';`];

const secondOrder = [`
  CREATE TYPE mood AS ENUM ('sad', 'happy');
  ALTER TYPE mood ADD VALUE 'ok' BEFORE 'happy';`, `
  CREATE FUNCTION g() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
  CREATE TABLE filler (x int);
  CREATE TABLE a (id serial PRIMARY KEY, mood mood NOT NULL DEFAULT 'ok', note text);
  COMMENT ON TABLE a IS 'first';
  GRANT SELECT ON a TO pg_monitor;
  GRANT SELECT ON a TO PUBLIC;
  CREATE VIEW v AS SELECT id, mood FROM a;
  CREATE TABLE b (a_id int, v text);
  CREATE TRIGGER b_g BEFORE INSERT ON b FOR EACH ROW EXECUTE FUNCTION g();
  ALTER TABLE b ADD CONSTRAINT b_a_id_fkey FOREIGN KEY (a_id) REFERENCES a (id);
  CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql IMMUTABLE AS $$SELECT x$$;
  CREATE INDEX b_v_idx ON b (v);
  DROP TABLE filler;`];

describe('takeSnapshot canonical form', () => {
  it('describes the same schema built in two different orders identically', async () => {
    const first = await snapshotAfter(firstOrder);
    const second = await snapshotAfter(secondOrder);
    expect(diffSnapshots(first, second)).toEqual([]);
    expect(second).toEqual(first);
  });

  it('sees an up → down → up cycle as before = after down, and after up = after up again', async () => {
    await withDatabase(async (client) => {
      await client.query('CREATE TABLE t (id int PRIMARY KEY)');
      const up = 'ALTER TABLE t ADD COLUMN note text NOT NULL DEFAULT \'\'; CREATE INDEX t_note_idx ON t (note)';
      const down = 'DROP INDEX t_note_idx; ALTER TABLE t DROP COLUMN note';
      const before = await snapshot(client);
      await client.query(up);
      const afterUp = await snapshot(client);
      await client.query(down);
      const afterDown = await snapshot(client);
      await client.query(up);
      expect(diffSnapshots(before, afterDown)).toEqual([]);
      expect(diffSnapshots(afterUp, await snapshot(client))).toEqual([]);
    });
  });

  it('leaves out the ledger table with its sequence, index, constraints and trigger', async () => {
    await withDatabase(async (client) => {
      const before = await snapshot(client);
      await client.query(`
        CREATE TABLE tidemark_migrations (version bigint PRIMARY KEY, n serial UNIQUE, at timestamptz);
        CREATE INDEX ON tidemark_migrations (at);
        COMMENT ON TABLE tidemark_migrations IS 'ledger';
        CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
        CREATE TRIGGER touch BEFORE INSERT ON tidemark_migrations FOR EACH ROW EXECUTE FUNCTION touch();`);
      const after = await snapshot(client);
      expect(diffSnapshots(before, after).map((d) => d.description)).toEqual(['function public.touch() still exists']);
      expect(JSON.stringify(after)).not.toContain('tidemark_migrations');
    });
  });

  it('lists an extension but none of its members', async () => {
    await withDatabase(async (client) => {
      const before = await snapshot(client);
      await client.query('CREATE EXTENSION pgcrypto');
      const after = await snapshot(client);
      expect(diffSnapshots(before, after).map((d) => d.description)).toEqual(['extension pgcrypto still exists']);
      expect(after.routines).toEqual([]);
      expect(after.extensions.map((e) => [e.name, e.schema])).toEqual([['pgcrypto', 'public'], ['plpgsql', 'pg_catalog']]);
    });
  });
});

describe('owners', () => {
  const role = `tidemark_owner_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const c = new Client({ connectionString: ADMIN_URL });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  beforeAll(() => admin(`CREATE ROLE ${role}`));
  afterAll(() => admin(`DROP ROLE IF EXISTS ${role}`));

  it('reports a changed owner', async () => {
    await withDatabase(async (client) => {
      await client.query('CREATE TABLE t (c int)');
      const before = await snapshot(client);
      await client.query(`ALTER TABLE t OWNER TO ${role}`);
      const descriptions = diffSnapshots(before, await snapshot(client)).map((d) => d.description);
      await client.query('ALTER TABLE t OWNER TO postgres');
      expect(descriptions).toEqual([`table public.t: owner changed from postgres to ${role}`]);
    });
  });
});
