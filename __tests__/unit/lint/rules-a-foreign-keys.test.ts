import { lint, where } from './rules-a-helpers';

const RULE = 'require-foreign-key-index';

describe('require-foreign-key-index', () => {
  it('CREATE TABLE: a key no index leads with is a warning, with the index to make in the same migration', async () => {
    const sql =
      'CREATE TABLE order_items (\n  order_id bigint REFERENCES orders,\n  product_id bigint,\n' +
      '  PRIMARY KEY (order_id, product_id),\n  FOREIGN KEY (product_id) REFERENCES products\n);';
    const [f, ...more] = await lint(RULE, [sql]);
    expect(more).toEqual([]); // order_id leads the primary key
    expect(where(f!)).toBe('1_m.sql:5:3 warning');
    expect(f!.message).toBe(
      'foreign key on order_items (product_id) has no index leading with its columns: a DELETE on products scans order_items',
    );
    expect(f!.lock).toBeUndefined();
    expect(f!.rewrite).toBe(
      '-- in the same migration:\nCREATE INDEX order_items_product_id_idx ON order_items (product_id);',
    );
  });

  it('an index made later in the same migration, or in an earlier pending one, counts (columns in any order)', async () => {
    const table = 'CREATE TABLE items (a bigint, b bigint, FOREIGN KEY (a, b) REFERENCES parents (x, y));';
    expect(await lint(RULE, [`${table}\nCREATE INDEX items_b_a ON items (b, a);`])).toEqual([]);
    const created =
      'CREATE TABLE items (id bigint PRIMARY KEY, parent_id bigint);\nCREATE INDEX items_parent ON items (parent_id);';
    const add =
      'ALTER TABLE items ADD CONSTRAINT items_parent_fk FOREIGN KEY (parent_id) REFERENCES parents NOT VALID;';
    expect(await lint(RULE, [created, add])).toEqual([]);
  });

  it('a partial index, or one whose leading column is another, does not count', async () => {
    const sql =
      'CREATE TABLE items (id bigint, parent_id bigint REFERENCES parents);\n' +
      'CREATE INDEX items_live ON items (parent_id) WHERE id > 0;\nCREATE INDEX items_id_parent ON items (id, parent_id);';
    expect((await lint(RULE, [sql])).map(where)).toEqual(['1_m.sql:1:49 warning']);
  });

  it('an existing table without --url cannot be checked: info, with the CONCURRENTLY rewrite', async () => {
    const [f] = await lint(RULE, ['ALTER TABLE orders ADD COLUMN user_id bigint REFERENCES users;']);
    expect(where(f!)).toBe('1_m.sql:1:46 info');
    expect(f!.message).toMatch(/^could not check .* no database \(--url\)/);
    expect(f!.rewrite).toBe(
      '-- a migration of its own, marked to run outside a transaction:\n-- tidemark:no-transaction\n' +
        'CREATE INDEX CONCURRENTLY orders_user_id_idx ON orders (user_id);',
    );
  });

  it('a table created earlier in the pending set is known: warning; an index dropped again no longer counts', async () => {
    const created =
      'CREATE TABLE items (id bigint, parent_id bigint);\nCREATE INDEX items_parent ON items (parent_id);';
    const dropped = 'DROP INDEX items_parent;';
    const add = 'ALTER TABLE items ADD FOREIGN KEY (parent_id) REFERENCES parents NOT VALID;';
    expect((await lint(RULE, [created, dropped, add])).map(where)).toEqual(['3_m.sql:1:23 warning']);
  });
});
