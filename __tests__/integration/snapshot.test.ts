import type { Duplex } from 'node:stream';
import type { Client } from 'pg';
import { takeSnapshot } from '../../lib/db/catalog';
import { connect } from '../../lib/db/connection';
import { disconnect } from '../../lib/db/disconnect';
import { captureLogger } from '../helpers/logger';
import { diffSnapshots, type Snapshot } from '../../lib/schema';
import { useTestDatabase } from '../helpers/db';

const ledger = { schema: 'public', table: 'tidemark_migrations' };

const db = useTestDatabase({ client: true });
let client: Client;

beforeEach(() => {
  client = db.client;
});

const snapshot = (c: Client = client): Promise<Snapshot> => takeSnapshot(c, { ignoreTables: [ledger] });

/** Runs `setup`, snapshots, runs `change`, snapshots, and returns the descriptions of the differences. */
async function describeChange(setup: string, change: string): Promise<string[]> {
  if (setup) await client.query(setup);
  const before = await snapshot();
  await client.query(change);
  return diffSnapshots(before, await snapshot()).map((d) => d.description);
}

describe('takeSnapshot', () => {
  it('finds no difference between two snapshots of an empty database', async () => {
    const first = await snapshot();
    expect(diffSnapshots(first, await snapshot())).toEqual([]);
    expect(first.schemas.map((s) => s.name)).toEqual(['public']);
    expect(first.tables).toEqual([]);
  });

  it('is plain JSON', async () => {
    await client.query(`CREATE TYPE mood AS ENUM ('sad', 'ok');
      CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, m mood DEFAULT 'ok');`);
    const taken = await snapshot();
    expect(JSON.parse(JSON.stringify(taken))).toEqual(taken);
  });

  it('runs the same number of catalog queries however many objects there are', async () => {
    const count = async () => {
      const spy = jest.spyOn(client, 'query');
      await snapshot();
      const calls = spy.mock.calls.length;
      spy.mockRestore();
      return calls;
    };
    await snapshot(); // the first one on a connection also asks the server's version, once
    const empty = await count();
    for (let i = 0; i < 20; i++) {
      await client.query(`CREATE TABLE t${i} (id serial PRIMARY KEY, v text); CREATE INDEX ON t${i} (v)`);
    }
    expect(await count()).toBe(empty);
    expect(empty).toBe(4); // BEGIN, the settings, the catalog, COMMIT: sent together
  });

  it("on tidemark's pipelined connection: one write, one round trip, and the same snapshot", async () => {
    await client.query(`CREATE TABLE t (id int PRIMARY KEY, v text DEFAULT 'x'); CREATE INDEX ON t (v)`);
    const piped = await connect({ url: db.url, wait: 0 }, captureLogger().logger);
    try {
      expect(piped.pipeline).toBe(true);
      await snapshot(piped); // asks the server's version first, once
      const socket = piped.connection.stream as Duplex & { _write: Duplex['_write']; _writev?: Duplex['_writev'] };
      let writes = 0;
      const write = socket._write.bind(socket);
      const writev = socket._writev?.bind(socket);
      socket._write = (chunk, encoding, cb) => (writes++, write(chunk, encoding, cb));
      socket._writev = (chunks, cb) => (writes++, writev!(chunks, cb));
      const taken = await snapshot(piped);
      expect(writes).toBe(1); // BEGIN, the settings, the catalog and COMMIT left together
      expect(piped.getTransactionStatus()).toBe('I');
      expect(taken).toEqual(await snapshot()); // the same as query by query on a plain client
      expect(taken.tables.map((t) => t.name)).toEqual(['t']);
    } finally {
      await disconnect(piped);
    }
  });

  it('leaves the session as it found it: no open transaction, search_path untouched', async () => {
    await client.query('SET search_path = public, pg_catalog');
    await snapshot();
    const [row] = (
      await client.query("SELECT current_setting('search_path') AS p, now() = statement_timestamp() AS fresh")
    ).rows;
    expect(row).toEqual({ p: 'public, pg_catalog', fresh: true });
  });

  it("spells expressions schema-qualified whatever the caller's search_path", async () => {
    await client.query('CREATE TABLE t (id serial, n numeric)');
    const qualified = await snapshot();
    await client.query('SET search_path = public');
    expect(diffSnapshots(qualified, await snapshot())).toEqual([]);
    expect(qualified.columns[0].default).toBe("nextval('public.t_id_seq'::regclass)");
  });
});

describe('diffSnapshots on real schemas: the wording of each kind', () => {
  it('an index', async () => {
    expect(
      await describeChange(
        'CREATE TABLE user_preferences (user_id int, theme text)',
        'CREATE INDEX user_preferences_user_id_idx ON user_preferences (user_id)',
      ),
    ).toEqual(['index user_preferences_user_id_idx on public.user_preferences still exists']);
  });

  it('a trigger', async () => {
    expect(
      await describeChange(
        `CREATE TABLE user_preferences (user_id int, updated_at timestamptz);
       CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$`,
        `CREATE TRIGGER set_updated_at BEFORE UPDATE ON user_preferences
         FOR EACH ROW EXECUTE FUNCTION set_updated_at()`,
      ),
    ).toEqual(['trigger set_updated_at on public.user_preferences still exists']);
  });

  it('a default', async () => {
    expect(await describeChange('CREATE TABLE t (c serial)', 'ALTER TABLE t ALTER COLUMN c DROP DEFAULT')).toEqual([
      "default of column public.t.c: expected nextval('public.t_c_seq'::regclass), found none",
    ]);
  });

  it('an enum label', async () => {
    expect(await describeChange("CREATE TYPE mood AS ENUM ('sad')", "ALTER TYPE mood ADD VALUE 'ok'")).toEqual([
      "enum public.mood: label 'ok' still exists",
    ]);
  });

  it('a function, named by its argument types', async () => {
    expect(
      await describeChange(
        'CREATE FUNCTION f(x integer) RETURNS integer LANGUAGE sql AS $$SELECT x$$',
        'DROP FUNCTION f(integer)',
      ),
    ).toEqual(['function public.f(integer) is missing']);
  });

  it('a policy and row level security', async () => {
    expect(
      await describeChange(
        'CREATE TABLE t (owner text)',
        `ALTER TABLE t ENABLE ROW LEVEL SECURITY;
       CREATE POLICY own_rows ON t USING (owner = current_user)`,
      ),
    ).toEqual([
      'table public.t: row level security changed from disabled to enabled',
      'policy own_rows on public.t still exists',
    ]);
  });

  it('a column type change', async () => {
    expect(
      await describeChange(
        'CREATE TABLE molecules (mass numeric)',
        'ALTER TABLE molecules ALTER COLUMN mass TYPE double precision',
      ),
    ).toEqual(['column public.molecules.mass: type changed from numeric to double precision']);
  });

  it('a view and its definition', async () => {
    await client.query('CREATE TABLE t (a int, b int)');
    expect(await describeChange('', 'CREATE VIEW v AS SELECT a FROM t')).toEqual(['view public.v still exists']);
    const before = await snapshot();
    await client.query('CREATE OR REPLACE VIEW v AS SELECT a, b FROM t');
    const [difference] = diffSnapshots(before, await snapshot());
    expect(difference).toMatchObject({
      kind: 'changed',
      objectType: 'view',
      property: 'definition',
      description: 'view public.v: definition changed',
    });
  });

  it('a sequence', async () => {
    expect(await describeChange('', 'CREATE SEQUENCE s')).toEqual(['sequence public.s still exists']);
    expect(await describeChange('', 'ALTER SEQUENCE s INCREMENT BY 10 CYCLE')).toEqual([
      'sequence public.s: increment changed from 1 to 10',
      'sequence public.s: cycle changed from NO CYCLE to CYCLE',
    ]);
  });

  it('a domain and its constraints', async () => {
    expect(
      await describeChange(
        'CREATE DOMAIN posint AS integer',
        'ALTER DOMAIN posint ADD CONSTRAINT positive CHECK (VALUE > 0)',
      ),
    ).toEqual(['constraint positive on domain public.posint still exists']);
    expect(await describeChange('', 'DROP DOMAIN posint')).toEqual(['domain public.posint is missing']);
  });

  it('a comment', async () => {
    expect(await describeChange('CREATE TABLE t (c int)', "COMMENT ON COLUMN t.c IS 'in grams'")).toEqual([
      "comment 'in grams' on column public.t.c still exists",
    ]);
  });

  it('a grant', async () => {
    expect(await describeChange('CREATE TABLE t (c int)', 'GRANT SELECT, UPDATE (c) ON t TO PUBLIC')).toEqual([
      'grant SELECT on table public.t to PUBLIC still exists',
      'grant UPDATE on column public.t.c to PUBLIC still exists',
    ]);
  });

  it('a dropped table is one difference, not one per column, index and trigger', async () => {
    expect(
      await describeChange(
        "CREATE TABLE t (id serial PRIMARY KEY, v text CHECK (v <> '')); CREATE INDEX ON t (v)",
        'DROP TABLE t',
      ),
    ).toEqual(['table public.t is missing']);
  });

  it('a column that moved: dropped and added again', async () => {
    expect(
      await describeChange(
        'CREATE TABLE t (a int, b int)',
        'ALTER TABLE t DROP COLUMN a; ALTER TABLE t ADD COLUMN a int',
      ),
    ).toEqual(['table public.t: column order changed from a, b to b, a']);
  });
});
