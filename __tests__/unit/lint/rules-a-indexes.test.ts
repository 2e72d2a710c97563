import { lint, where } from './rules-a-helpers';

const OWN = '-- a migration of its own, marked to run outside a transaction:\n-- tidemark:no-transaction\n';

describe('require-concurrent-index', () => {
  it('points at the table of a CREATE INDEX without CONCURRENTLY, with the SHARE lock and the rewrite', async () => {
    const [f, ...more] = await lint('require-concurrent-index', [
      'SELECT 1;\n  CREATE INDEX orders_at ON orders (created_at);',
    ]);
    expect(more).toEqual([]);
    expect(where(f!)).toBe('1_m.sql:2:29 error');
    expect(f!.lock).toEqual({ mode: 'SHARE', relation: 'orders', blocks: expect.stringMatching(/^blocks writes/) });
    expect(f!.table).toBe('orders');
    expect(f!.rewrite).toBe(`${OWN}CREATE INDEX CONCURRENTLY orders_at ON orders (created_at);`);
  });

  it('rewrites UNIQUE, IF NOT EXISTS and a quoted, schema-qualified table correctly (and drops a trailing comment)', async () => {
    const [f] = await lint('require-concurrent-index', [
      'create unique index if not exists "Uniq" on app."Orders" (lower(email)) where deleted_at is null -- why\n;',
    ]);
    expect(f!.message).toBe(
      'CREATE UNIQUE INDEX "Uniq" on app."Orders" without CONCURRENTLY: writes to app."Orders" wait for the whole build',
    );
    expect(f!.table).toBe('app.Orders');
    expect(f!.rewrite).toBe(
      `${OWN}create unique index CONCURRENTLY if not exists "Uniq" on app."Orders" (lower(email)) where deleted_at is null;`,
    );
  });

  it('quotes a reserved word as a name, and counts columns in characters after multi-byte text', async () => {
    const [f] = await lint('require-concurrent-index', ['SELECT \'café\';  CREATE INDEX ON "order" (placed_at);']);
    expect(where(f!)).toBe('1_m.sql:1:33 error');
    expect(f!.message).toBe('CREATE INDEX on "order" without CONCURRENTLY: writes to "order" wait for the whole build');
    expect(f!.rewrite).toMatch(/\nCREATE INDEX CONCURRENTLY ON "order" \(placed_at\);$/);
  });

  it('does not fire with CONCURRENTLY, nor for CREATE INDEX ON ONLY a partitioned parent', async () => {
    const safe = { sql: 'CREATE INDEX CONCURRENTLY orders_at ON orders (created_at);', transactional: false };
    expect(await lint('require-concurrent-index', [safe])).toEqual([]);
    expect(await lint('require-concurrent-index', ['CREATE INDEX m_at ON ONLY measurements (at);'])).toEqual([]);
  });

  it('is history-aware: a table created by an earlier pending migration, or earlier in the file, is not reported', async () => {
    const created = 'CREATE TABLE orders (id bigint PRIMARY KEY, created_at timestamptz);';
    const index = 'CREATE INDEX orders_at ON orders (created_at);';
    expect(await lint('require-concurrent-index', [created, index])).toEqual([]);
    expect(await lint('require-concurrent-index', [`${created}\n${index}`])).toEqual([]);
  });
});

describe('require-concurrent-index-drop', () => {
  it('points at each index name, with the table when the pending migrations made the index', async () => {
    const made = { sql: 'CREATE INDEX CONCURRENTLY orders_at ON app.orders (created_at);', transactional: false };
    const found = await lint('require-concurrent-index-drop', [made, 'DROP INDEX IF EXISTS app.orders_at, "Old";']);
    expect(found.map(where)).toEqual(['2_m.sql:1:22 warning', '2_m.sql:1:37 warning']);
    expect(found[0]!.lock).toEqual({
      mode: 'ACCESS EXCLUSIVE',
      relation: 'app.orders',
      blocks: 'blocks reads and writes until the transaction ends',
    });
    expect(found[0]!.table).toBe('app.orders');
    // Its table unknown: the index itself is named (it is locked ACCESS EXCLUSIVE too).
    expect(found[1]!.lock?.relation).toBe('"Old"');
    expect(found[0]!.rewrite).toBe(
      `${OWN}-- CONCURRENTLY drops one index per statement.\nDROP INDEX CONCURRENTLY IF EXISTS app.orders_at;\nDROP INDEX CONCURRENTLY IF EXISTS "Old";`,
    );
  });

  it('says that CONCURRENTLY cannot CASCADE', async () => {
    const [f] = await lint('require-concurrent-index-drop', ['DROP INDEX orders_at CASCADE;']);
    expect(f!.rewrite).toContain('-- CONCURRENTLY cannot CASCADE');
    expect(f!.rewrite).toMatch(/DROP INDEX CONCURRENTLY orders_at;$/);
  });

  it('does not fire with CONCURRENTLY, nor for an index on a table the pending migrations created', async () => {
    const drop = { sql: 'DROP INDEX CONCURRENTLY orders_at;', transactional: false };
    expect(await lint('require-concurrent-index-drop', [drop])).toEqual([]);
    const created = 'CREATE TABLE orders (id bigint, at timestamptz);\nCREATE INDEX orders_at ON orders (at);';
    expect(await lint('require-concurrent-index-drop', [created, 'DROP INDEX orders_at;'])).toEqual([]);
  });
});

describe('require-concurrent-reindex', () => {
  it('PostgreSQL 12+: REINDEX … CONCURRENTLY in its own migration', async () => {
    const [t, i] = await lint('require-concurrent-reindex', [
      'REINDEX (VERBOSE) TABLE app.orders;\nREINDEX INDEX orders_pkey;',
    ]);
    expect(where(t!)).toBe('1_m.sql:1:25 error');
    // The table's SHARE (its indexes are ACCESS EXCLUSIVE): what blocks writes.
    expect(t!.lock).toMatchObject({ mode: 'SHARE', relation: 'app.orders' });
    expect(t!.table).toBe('app.orders');
    expect(t!.rewrite).toBe(`${OWN}REINDEX (VERBOSE) TABLE CONCURRENTLY app.orders;`);
    expect(where(i!)).toBe('1_m.sql:2:15 error');
    expect(i!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', relation: 'orders_pkey' });
    expect(i!.rewrite).toBe(`${OWN}REINDEX INDEX CONCURRENTLY orders_pkey;`);
  });

  it('before PostgreSQL 12: build a copy concurrently and swap it in', async () => {
    const made = { sql: 'CREATE INDEX CONCURRENTLY orders_at ON orders (at);', transactional: false };
    const [f] = await lint('require-concurrent-reindex', [made, 'REINDEX INDEX orders_at;'], 11);
    expect(f!.rewrite).toContain('CREATE INDEX CONCURRENTLY orders_at_new ON orders (the_same_columns);');
    expect(f!.rewrite).toContain("pg_get_indexdef('orders_at'::regclass)");
    expect(f!.rewrite).toContain('DROP INDEX CONCURRENTLY orders_at;\nALTER INDEX orders_at_new RENAME TO orders_at;');
    expect(f!.rewrite).not.toMatch(/^REINDEX/m);
  });

  it('does not fire with CONCURRENTLY (keyword or option), for REINDEX SYSTEM, or on a new table', async () => {
    for (const sql of ['REINDEX TABLE CONCURRENTLY orders;', 'REINDEX (CONCURRENTLY) INDEX i;', 'REINDEX SYSTEM;'])
      expect(await lint('require-concurrent-reindex', [{ sql, transactional: false }])).toEqual([]);
    expect(await lint('require-concurrent-reindex', ['CREATE TABLE t (a int);', 'REINDEX TABLE t;'])).toEqual([]);
  });

  it('an explicit CONCURRENTLY false is still a plain REINDEX', async () => {
    expect(await lint('require-concurrent-reindex', ['REINDEX (CONCURRENTLY false) TABLE orders;'])).toHaveLength(1);
  });
});
