import { lint, where } from './rules-a-helpers';

const LATER = '-- then, in a later migration (SHARE UPDATE EXCLUSIVE: reads and writes go on while it scans):\n';

describe('require-not-valid', () => {
  it('CHECK: ACCESS EXCLUSIVE on the table while it scans; rewrite NOT VALID + VALIDATE later', async () => {
    const [f] = await lint('require-not-valid', ['ALTER TABLE orders\n  ADD CONSTRAINT positive CHECK (amount > 0);']);
    expect(where(f!)).toBe('1_m.sql:2:7 error');
    expect(f!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', relation: 'orders' });
    expect(f!.rewrite).toBe(
      `ALTER TABLE orders ADD CONSTRAINT positive CHECK (amount > 0) NOT VALID;\n${LATER}ALTER TABLE orders VALIDATE CONSTRAINT positive;`,
    );
  });

  it('FOREIGN KEY: SHARE ROW EXCLUSIVE (named on the referencing table, both in the message); an unnamed key gets a name to validate', async () => {
    const sql =
      'ALTER TABLE app."Orders" ADD CHECK (a > 0) NOT VALID, ADD FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;';
    const [f, ...more] = await lint('require-not-valid', [sql]);
    expect(more).toEqual([]);
    expect(where(f!)).toBe('1_m.sql:1:59 error');
    expect(f!.lock).toMatchObject({ mode: 'SHARE ROW EXCLUSIVE', relation: 'app."Orders"' });
    expect(f!.message).toContain('SHARE ROW EXCLUSIVE on app."Orders" and users');
    expect(f!.table).toBe('app.Orders');
    expect(f!.rewrite).toBe(
      'ALTER TABLE app."Orders" ADD CONSTRAINT "Orders_user_id_fkey" FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE NOT VALID;\n' +
        `${LATER}ALTER TABLE app."Orders" VALIDATE CONSTRAINT "Orders_user_id_fkey";`,
    );
  });

  it('ADD COLUMN … REFERENCES: the column, then the key NOT VALID, then VALIDATE later', async () => {
    const sql =
      'ALTER TABLE orders ADD COLUMN user_id bigint CONSTRAINT orders_user REFERENCES users (id) ON DELETE SET NULL DEFAULT NULL;';
    const [f] = await lint('require-not-valid', [sql]);
    expect(where(f!)).toBe('1_m.sql:1:46 error');
    expect(f!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', relation: 'orders' });
    expect(f!.rewrite).toBe(
      'ALTER TABLE orders ADD COLUMN user_id bigint DEFAULT NULL;\n' +
        'ALTER TABLE orders ADD CONSTRAINT orders_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL NOT VALID;\n' +
        `${LATER}ALTER TABLE orders VALIDATE CONSTRAINT orders_user;`,
    );
  });

  it('the safe rewrite does not trigger it, nor does a table created by an earlier pending migration', async () => {
    const safe = 'ALTER TABLE orders ADD CONSTRAINT positive CHECK (amount > 0) NOT VALID;';
    expect(await lint('require-not-valid', [safe, 'ALTER TABLE orders VALIDATE CONSTRAINT positive;'])).toEqual([]);
    const created = 'CREATE TABLE orders (id bigint PRIMARY KEY, amount int, user_id bigint);';
    const add =
      'ALTER TABLE orders ADD CONSTRAINT positive CHECK (amount > 0), ADD FOREIGN KEY (user_id) REFERENCES users;';
    expect(await lint('require-not-valid', [created, add])).toEqual([]);
  });
});

describe('validate-in-same-transaction', () => {
  const add = 'ALTER TABLE orders ADD CONSTRAINT positive CHECK (amount > 0) NOT VALID;';
  it('points at VALIDATE in the transactional file that added the constraint NOT VALID', async () => {
    const [f] = await lint('validate-in-same-transaction', [
      `${add}\n\nALTER TABLE orders VALIDATE CONSTRAINT positive;`,
    ]);
    expect(where(f!)).toBe('1_m.sql:3:20 error');
    // A CHECK's add holds ACCESS EXCLUSIVE (a foreign key's, SHARE ROW EXCLUSIVE), still held while VALIDATE scans.
    expect(f!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', relation: 'orders' });
    expect(f!.rewrite).toMatch(/ALTER TABLE orders VALIDATE CONSTRAINT positive;$/);
  });

  it('is fine in a later migration, and in a no-transaction file (each statement commits on its own)', async () => {
    expect(
      await lint('validate-in-same-transaction', [add, 'ALTER TABLE orders VALIDATE CONSTRAINT positive;']),
    ).toEqual([]);
    const own = { sql: `${add}\nALTER TABLE orders VALIDATE CONSTRAINT positive;`, transactional: false };
    expect(await lint('validate-in-same-transaction', [own])).toEqual([]);
  });

  it('is history-aware: a table the pending migrations created is not reported', async () => {
    const sql = `CREATE TABLE orders (amount int);\n${add}\nALTER TABLE orders VALIDATE CONSTRAINT positive;`;
    expect(await lint('validate-in-same-transaction', [sql])).toEqual([]);
  });
});

describe('require-unique-using-index', () => {
  it('ADD CONSTRAINT … UNIQUE: build concurrently, then attach with USING INDEX', async () => {
    const [f] = await lint('require-unique-using-index', [
      'ALTER TABLE users ADD CONSTRAINT users_email UNIQUE NULLS NOT DISTINCT (email) INCLUDE (id);',
    ]);
    expect(where(f!)).toBe('1_m.sql:1:23 error');
    expect(f!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', relation: 'users' });
    expect(f!.rewrite).toBe(
      '-- a migration of its own, marked to run outside a transaction:\n-- tidemark:no-transaction\n' +
        'CREATE UNIQUE INDEX CONCURRENTLY users_email ON users (email) INCLUDE (id) NULLS NOT DISTINCT;\n' +
        "-- then, in the next migration (a moment's ACCESS EXCLUSIVE, no build):\n" +
        'ALTER TABLE users ADD CONSTRAINT users_email UNIQUE USING INDEX users_email;',
    );
  });

  it('ADD PRIMARY KEY and ADD COLUMN … UNIQUE', async () => {
    const [pk, col] = await lint('require-unique-using-index', [
      'ALTER TABLE "Users" ADD PRIMARY KEY (id),\n  ADD COLUMN code text NOT NULL UNIQUE;',
    ]);
    expect(where(pk!)).toBe('1_m.sql:1:25 error');
    expect(pk!.rewrite).toContain('CREATE UNIQUE INDEX CONCURRENTLY "Users_pkey" ON "Users" (id);');
    expect(pk!.rewrite).toMatch(/-- PRIMARY KEY makes its columns NOT NULL/);
    expect(pk!.rewrite).toMatch(
      /ALTER TABLE "Users" ADD CONSTRAINT "Users_pkey" PRIMARY KEY USING INDEX "Users_pkey";$/,
    );
    expect(where(col!)).toBe('1_m.sql:2:33 error');
    expect(col!.rewrite).toMatch(/^ALTER TABLE "Users" ADD COLUMN code text NOT NULL;\n/);
    expect(col!.rewrite).toContain('CREATE UNIQUE INDEX CONCURRENTLY "Users_code_key" ON "Users" (code);');
  });

  it('USING INDEX does not trigger it, nor does a table created earlier in the pending set', async () => {
    const index = { sql: 'CREATE UNIQUE INDEX CONCURRENTLY users_email ON users (email);', transactional: false };
    const attach = 'ALTER TABLE users ADD CONSTRAINT users_email UNIQUE USING INDEX users_email;';
    expect(await lint('require-unique-using-index', [index, attach])).toEqual([]);
    const created = 'CREATE TABLE users (id bigint, email text);';
    expect(await lint('require-unique-using-index', [created, 'ALTER TABLE users ADD PRIMARY KEY (id);'])).toEqual([]);
  });
});
