import type { Client } from 'pg';
import { readLiveFacts, serverMajorVersion } from '../../lib/db/lint-facts';
import type { RelationName } from '../../lib/lint/types';
import { useTestDatabase } from '../helpers/db';

const db = useTestDatabase({ client: true });
let client: Client;

beforeEach(() => {
  client = db.client;
});

const t = (name: string, schema?: string): RelationName => (schema ? { schema, name } : { name });

describe('readLiveFacts: sizes', () => {
  it('reads reltuples and the total size of an analysed table with rows, and 0 rows for an empty one', async () => {
    await client.query(`
      CREATE TABLE big_table (id bigint PRIMARY KEY, col text);
      INSERT INTO big_table SELECT g, 'row ' || g FROM generate_series(1, 100000) g;
      ANALYZE big_table;
      CREATE TABLE empty_table (id int);`);
    const facts = await readLiveFacts(client, [t('big_table'), t('empty_table', 'public')]);
    const [{ bytes }] = await db.query<{ bytes: string }>("SELECT pg_total_relation_size('big_table')::text AS bytes");
    expect(facts.sizeOf(t('big_table'))).toEqual({ rows: 100000, bytes: Number(bytes) });
    expect(facts.sizeOf(t('big_table'))?.bytes).toBeGreaterThan(4 * 2 ** 20); // heap + primary key
    expect(facts.sizeOf(t('empty_table', 'public'))).toEqual({ rows: 0, bytes: 0 });
  });

  it('says "never analysed" (-1) for a table with rows that ANALYZE has not seen yet', async () => {
    await client.query(`
      CREATE TABLE fresh (id int) WITH (autovacuum_enabled = off);
      INSERT INTO fresh SELECT generate_series(1, 1000);`);
    const size = (await readLiveFacts(client, [t('fresh')])).sizeOf(t('fresh'));
    expect(size?.rows).toBe(-1);
    expect(size?.bytes).toBeGreaterThan(0);
  });

  it('adds up the partitions of a partitioned table', async () => {
    await client.query(`
      CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);
      CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
      CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
      INSERT INTO events SELECT g, DATE '2024-06-01' + (g % 400) FROM generate_series(1, 20000) g;
      ANALYZE events;`);
    const facts = await readLiveFacts(client, [t('events'), t('events_2024')]);
    const [{ bytes }] = await db.query<{ bytes: string }>(
      "SELECT (pg_total_relation_size('events_2024') + pg_total_relation_size('events_2025'))::text AS bytes",
    );
    expect(facts.sizeOf(t('events'))).toEqual({ rows: 20000, bytes: Number(bytes) });
    expect(facts.sizeOf(t('events_2024'))?.rows).toBeLessThan(20000);
  });
});

describe('readLiveFacts: indexes', () => {
  beforeEach(async () => {
    await client.query(`
      CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, region text, placed_at timestamptz, note text);
      CREATE INDEX orders_customer_region ON orders (customer_id, region) INCLUDE (note);
      CREATE INDEX orders_lower_region ON orders (lower(region), placed_at);
      CREATE INDEX orders_recent ON orders (placed_at) WHERE placed_at > '2024-01-01';`);
  });

  it('knows the leading columns of each index, in order, the primary key included', async () => {
    const facts = await readLiveFacts(client, [t('orders')]);
    expect(facts.hasIndexLeading(t('orders'), ['id'])).toBe(true);
    expect(facts.hasIndexLeading(t('orders'), ['customer_id'])).toBe(true);
    expect(facts.hasIndexLeading(t('orders'), ['customer_id', 'region'])).toBe(true);
    expect(facts.hasIndexLeading(t('orders'), ['region'])).toBe(false); // second, not leading
    expect(facts.hasIndexLeading(t('orders'), ['region', 'customer_id'])).toBe(false);
    expect(facts.hasIndexLeading(t('orders'), ['customer_id', 'region', 'note'])).toBe(false); // INCLUDE is no key
  });

  it('gives an expression no column, and leaves partial indexes out', async () => {
    const facts = await readLiveFacts(client, [t('orders')]);
    expect(facts.hasIndexLeading(t('orders'), ['region'])).toBe(false);
    expect(facts.hasIndexLeading(t('orders'), ['lower'])).toBe(false);
    expect(facts.hasIndexLeading(t('orders'), ['placed_at'])).toBe(false); // only as second, or partial
  });

  it('leaves out an index that is not valid (a failed CREATE INDEX CONCURRENTLY)', async () => {
    await client.query(`
      CREATE TABLE dupes (k int);
      INSERT INTO dupes VALUES (1), (1);`);
    await expect(client.query('CREATE UNIQUE INDEX CONCURRENTLY dupes_k ON dupes (k)')).rejects.toMatchObject({
      code: '23505',
    });
    const [{ valid }] = await db.query<{ valid: boolean }>(
      "SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'dupes_k'::regclass",
    );
    expect(valid).toBe(false);
    expect((await readLiveFacts(client, [t('dupes')])).hasIndexLeading(t('dupes'), ['k'])).toBe(false);
  });
});

describe('readLiveFacts: CHECK (col IS NOT NULL)', () => {
  it('counts a validated check, not a NOT VALID one, nor a check of another shape', async () => {
    await client.query(`
      CREATE TABLE accounts (id int, email text, "Name" text, plan text, score int);
      ALTER TABLE accounts ADD CONSTRAINT email_nn CHECK (email IS NOT NULL);
      ALTER TABLE accounts ADD CONSTRAINT name_nn CHECK ("Name" IS NOT NULL);
      ALTER TABLE accounts ADD CONSTRAINT plan_nn CHECK (plan IS NOT NULL) NOT VALID;
      ALTER TABLE accounts ADD CONSTRAINT score_nn CHECK (score IS NOT NULL AND score > 0);`);
    const facts = await readLiveFacts(client, [t('accounts')]);
    expect(facts.hasNotNullCheck(t('accounts'), 'email')).toBe(true);
    expect(facts.hasNotNullCheck(t('accounts'), 'Name')).toBe(true);
    expect(facts.hasNotNullCheck(t('accounts'), 'plan')).toBe(false);
    expect(facts.hasNotNullCheck(t('accounts'), 'score')).toBe(false);
    expect(facts.hasNotNullCheck(t('accounts'), 'id')).toBe(false);

    await client.query('ALTER TABLE accounts VALIDATE CONSTRAINT plan_nn');
    expect((await readLiveFacts(client, [t('accounts')])).hasNotNullCheck(t('accounts'), 'plan')).toBe(true);
  });
});

describe('readLiveFacts: names', () => {
  beforeEach(async () => {
    await client.query(`
      CREATE SCHEMA app;
      CREATE TABLE app.items (id int PRIMARY KEY);
      INSERT INTO app.items SELECT generate_series(1, 10);
      ANALYZE app.items;
      CREATE TABLE public.items (id int);`);
  });

  it("resolves an unqualified name through the session's search_path", async () => {
    await client.query('SET search_path = app, public');
    const facts = await readLiveFacts(client, [t('items')]);
    expect(facts.sizeOf(t('items'))?.rows).toBe(10);
    expect(facts.hasIndexLeading(t('items'), ['id'])).toBe(true);

    await client.query('SET search_path = public');
    const other = await readLiveFacts(client, [t('items')]);
    expect(other.sizeOf(t('items'))?.rows).toBe(0);
    expect(other.hasIndexLeading(t('items'), ['id'])).toBe(false);
  });

  it('reads a qualified name in its schema, whatever the search_path', async () => {
    await client.query('SET search_path = public');
    const facts = await readLiveFacts(client, [t('items', 'app')]);
    expect(facts.sizeOf(t('items', 'app'))?.rows).toBe(10);
  });

  it('knows nothing of a table that does not exist, or of a view', async () => {
    await client.query('CREATE VIEW item_view AS SELECT * FROM app.items');
    const facts = await readLiveFacts(client, [t('nope'), t('nope', 'app'), t('item_view'), t('x', 'no_schema')]);
    for (const name of [t('nope'), t('nope', 'app'), t('item_view'), t('x', 'no_schema'), t('never_asked')]) {
      expect(facts.sizeOf(name)).toBeUndefined();
      expect(facts.hasIndexLeading(name, ['id'])).toBe(false);
      expect(facts.hasNotNullCheck(name, 'id')).toBe(false);
    }
  });
});

describe('serverMajorVersion', () => {
  it("is server_version_num's major part", async () => {
    const [{ num }] = await db.query<{ num: string }>("SELECT current_setting('server_version_num') AS num");
    expect(await serverMajorVersion(client)).toBe(Math.floor(Number(num) / 10000));
    expect(await serverMajorVersion(client)).toBeGreaterThanOrEqual(12);
  });
});
