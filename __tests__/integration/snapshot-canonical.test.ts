/**
 * Canonical form: what must NOT show up as a difference (OIDs, creation
 * order, dropped-column gaps, explicit default ACLs, the ledger, extension
 * members), plus owners, which need a role of their own.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { takeSnapshot } from '../../lib/db/catalog';
import { diffSnapshots, type Snapshot } from '../../lib/schema';
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
const firstOrder = [
  `
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
  COMMENT ON TABLE a IS 'first';`,
];

const secondOrder = [
  `
  CREATE TYPE mood AS ENUM ('sad', 'happy');
  ALTER TYPE mood ADD VALUE 'ok' BEFORE 'happy';`,
  `
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
  DROP TABLE filler;`,
];

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
      const up = "ALTER TABLE t ADD COLUMN note text NOT NULL DEFAULT ''; CREATE INDEX t_note_idx ON t (note)";
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
      expect(after.extensions.map((e) => [e.name, e.schema])).toEqual([
        ['pgcrypto', 'public'],
        ['plpgsql', 'pg_catalog'],
      ]);
    });
  });
});

// One of every kind of object the snapshot covers, and a down that drops it all.
const everythingUp = `
  CREATE EXTENSION pgcrypto SCHEMA app;
  CREATE TYPE app.mood AS ENUM ('sad', 'ok');
  CREATE TYPE app.pair AS (a int, b text);
  CREATE TYPE app.floatrange AS RANGE (subtype = float8);
  CREATE DOMAIN app.posint AS int DEFAULT 1 CONSTRAINT positive CHECK (VALUE > 0);
  CREATE TABLE app.item (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, n app.posint NOT NULL,
    twice int GENERATED ALWAYS AS (n * 2) STORED, label text COLLATE "C" UNIQUE, mood app.mood);
  CREATE TABLE app.part (at date NOT NULL, v int) PARTITION BY RANGE (at);
  CREATE TABLE app.part_2026 PARTITION OF app.part FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
  CREATE INDEX ON app.part (v);
  CREATE UNLOGGED TABLE app.scratch (x serial) WITH (fillfactor = 70);
  CREATE SEQUENCE app.counter AS smallint INCREMENT 5 MAXVALUE 1000 CYCLE;
  CREATE VIEW app.item_names AS SELECT id, label FROM app.item WITH CHECK OPTION;
  CREATE MATERIALIZED VIEW app.item_totals AS SELECT count(*) AS n FROM app.item WITH NO DATA;
  CREATE UNIQUE INDEX ON app.item_totals (n);
  CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql SET search_path = '' AS $$BEGIN RETURN NEW; END$$;
  CREATE PROCEDURE app.noop(IN x int DEFAULT 0) LANGUAGE sql BEGIN ATOMIC SELECT x; END;
  CREATE AGGREGATE app.total(int) (SFUNC = int4pl, STYPE = int, INITCOND = '0');
  CREATE TRIGGER touch BEFORE UPDATE ON app.item FOR EACH ROW EXECUTE FUNCTION app.touch();
  ALTER TABLE app.item DISABLE TRIGGER touch;
  ALTER TABLE app.item ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
  CREATE POLICY happy ON app.item AS RESTRICTIVE FOR UPDATE TO pg_monitor USING (mood = 'ok') WITH CHECK (n > 1);
  COMMENT ON SCHEMA app IS 'the app';
  COMMENT ON CONSTRAINT positive ON DOMAIN app.posint IS 'positive';
  COMMENT ON TRIGGER touch ON app.item IS 'touch';
  GRANT USAGE ON SCHEMA app TO PUBLIC;
  GRANT SELECT (label) ON app.item TO pg_monitor;
  GRANT EXECUTE ON FUNCTION app.touch() TO pg_monitor WITH GRANT OPTION;
  ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO pg_monitor;`;

const everythingDown = `
  ALTER DEFAULT PRIVILEGES IN SCHEMA app REVOKE SELECT ON TABLES FROM pg_monitor;
  DROP SCHEMA app CASCADE;
  CREATE SCHEMA app;`;

describe('a migration with one of everything', () => {
  it('is seen whole by the snapshot, and its down leaves no difference', async () => {
    await withDatabase(async (client) => {
      await client.query('CREATE SCHEMA app');
      const before = await snapshot(client);
      await client.query(everythingUp);
      const up = await snapshot(client);
      const added = diffSnapshots(before, up);
      expect(added.map((d) => `${d.kind} ${d.objectType} ${d.identity}`)).toEqual([
        'added comment app',
        'added grant app',
        'added extension pgcrypto',
        'added type app.floatrange',
        'added type app.mood',
        'added type app.pair',
        'added domain app.posint',
        'added table app.item',
        'added table app.part',
        'added table app.part_2026',
        'added table app.scratch',
        'added view app.item_names',
        'added materialized view app.item_totals',
        'added sequence app.counter',
        'added procedure app.noop(integer)',
        'added aggregate app.total(integer)',
        'added function app.touch()',
        'added default privileges postgres in schema app on tables',
      ]);
      expect(up.triggers).toMatchObject([{ name: 'touch', enabled: 'disabled', comment: 'touch' }]);
      expect(up.policies).toMatchObject([{ mode: 'restrictive', command: 'update', roles: ['pg_monitor'] }]);
      expect(up.routines.map((r) => r.body)).toContain('BEGIN ATOMIC\n SELECT x AS x;\nEND');
      expect(up.indexes.map((i) => i.name).sort()).toEqual(['item_totals_n_idx', 'part_2026_v_idx', 'part_v_idx']);
      await client.query(everythingDown);
      expect(diffSnapshots(before, await snapshot(client))).toEqual([]);
    });
  });

  it('reports a whole new schema as one difference', async () => {
    await withDatabase(async (client) => {
      const before = await snapshot(client);
      await client.query(`CREATE SCHEMA app; ${everythingUp}`);
      expect(diffSnapshots(before, await snapshot(client)).map((d) => d.description)).toEqual([
        'schema app still exists',
      ]);
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
