/**
 * Scoped snapshots (lib/db/catalog/scoped.ts) against full ones on the real
 * server: after each change, the snapshot read only for what the change log
 * says was touched must equal a full read, and the changes the log cannot
 * place must fall back to a full read.
 */
import { ScopedSnapshots, takeSnapshot } from '../../lib/db/catalog';
import { useTestDatabase } from '../helpers/db';

const db = useTestDatabase({ client: true });

/** Runs `setup`, takes the base snapshot, runs `change`, takes the next; returns it, a full one and the counts. */
async function afterChange(setup: string, change: string | string[], verify = false) {
  const snapshots = new ScopedSnapshots(db.client, [], true, verify);
  if (setup) await db.client.query(setup);
  await snapshots.take();
  for (const sql of [change].flat()) await db.client.query(sql);
  const scoped = await snapshots.take();
  const full = await takeSnapshot(db.client, { ignoreTables: [] });
  return { scoped, full, counts: snapshots.counts };
}

const TABLE = 'CREATE TABLE t (id int PRIMARY KEY, a int, b text);';
const FN = `CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;`;

describe('a scoped snapshot equals a full one', () => {
  it.each([
    ['a dropped index', `${TABLE} CREATE INDEX t_a ON t (a);`, 'DROP INDEX t_a'],
    [
      'a dropped trigger',
      `${TABLE} ${FN} CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION touch();`,
      'DROP TRIGGER tr ON t',
    ],
    ['a dropped policy', `${TABLE} CREATE POLICY p ON t USING (a > 0);`, 'DROP POLICY p ON t'],
    [
      'a dropped constraint',
      `${TABLE} ALTER TABLE t ADD CONSTRAINT pos CHECK (a > 0);`,
      'ALTER TABLE t DROP CONSTRAINT pos',
    ],
    ['a dropped default', `${TABLE} ALTER TABLE t ALTER a SET DEFAULT 1;`, 'ALTER TABLE t ALTER a DROP DEFAULT'],
    ['a dropped column', `${TABLE} CREATE INDEX t_b ON t (b);`, 'ALTER TABLE t DROP COLUMN b'],
    [
      'a renamed column used by a view and an index',
      `${TABLE} CREATE INDEX t_a ON t (a); CREATE VIEW v AS SELECT a FROM t;`,
      'ALTER TABLE t RENAME a TO aa',
    ],
    [
      'a renamed table referenced by a view and a foreign key',
      `CREATE TABLE p (id int PRIMARY KEY); CREATE TABLE c (pid int REFERENCES p); CREATE VIEW v AS SELECT id FROM p;`,
      'ALTER TABLE p RENAME TO p2',
    ],
    [
      'a renamed sequence used by a default',
      `CREATE SEQUENCE s; CREATE TABLE t (id int DEFAULT nextval('s'));`,
      'ALTER SEQUENCE s RENAME TO s2',
    ],
    [
      'a renamed type used by a column',
      `CREATE TYPE mood AS ENUM ('a'); CREATE TABLE t (m mood);`,
      'ALTER TYPE mood RENAME TO feeling',
    ],
    [
      'a renamed function used by a default',
      `CREATE FUNCTION one() RETURNS int LANGUAGE sql AS 'SELECT 1'; CREATE TABLE t (a int DEFAULT one());`,
      'ALTER FUNCTION one() RENAME TO uno',
    ],
    [
      'a renamed schema',
      `CREATE SCHEMA o; CREATE TABLE o.t (id serial PRIMARY KEY); CREATE VIEW public.v AS SELECT id FROM o.t;`,
      'ALTER SCHEMA o RENAME TO o2',
    ],
    [
      'a comment removed',
      `${TABLE} COMMENT ON COLUMN t.a IS 'x'; COMMENT ON CONSTRAINT t_pkey ON t IS 'k';`,
      ['COMMENT ON COLUMN t.a IS NULL', 'COMMENT ON CONSTRAINT t_pkey ON t IS NULL'],
    ],
    [
      'a function body replaced',
      `CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';`,
      `CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 2'`,
    ],
    [
      'a grant on a function revoked',
      `CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';`,
      'REVOKE EXECUTE ON FUNCTION f() FROM PUBLIC',
    ],
    [
      'a change in another schema',
      `CREATE SCHEMA o; CREATE TABLE o.t (a int); ${TABLE}`,
      'ALTER TABLE o.t ADD COLUMN b int NOT NULL DEFAULT 0',
    ],
    [
      'DDL inside a DO block',
      TABLE,
      `DO $$ BEGIN EXECUTE 'ALTER TABLE t ADD COLUMN z int'; EXECUTE 'DROP INDEX IF EXISTS nothing'; END $$`,
    ],
    [
      'DDL inside a function',
      `${TABLE} CREATE FUNCTION grow() RETURNS void LANGUAGE plpgsql AS $$ BEGIN ALTER TABLE t ADD COLUMN y int; CREATE INDEX t_y ON t (y); END $$;`,
      'SELECT grow()',
    ],
    ['a statement outside a transaction (CREATE INDEX CONCURRENTLY)', TABLE, 'CREATE INDEX CONCURRENTLY t_b ON t (b)'],
    [
      'CREATE EXTENSION and a column of its type',
      TABLE,
      ['CREATE EXTENSION citext', 'ALTER TABLE t ADD COLUMN e citext'],
    ],
    [
      'DROP EXTENSION … CASCADE',
      `CREATE EXTENSION citext; ${TABLE} ALTER TABLE t ADD COLUMN e citext;`,
      'DROP EXTENSION citext CASCADE',
    ],
    [
      'DDL under session_replication_role = replica',
      TABLE,
      ['SET session_replication_role = replica', 'ALTER TABLE t ADD COLUMN r int', 'RESET session_replication_role'],
    ],
    [
      'a detached partition',
      `CREATE TABLE pt (a int) PARTITION BY RANGE (a); CREATE TABLE pt1 PARTITION OF pt FOR VALUES FROM (0) TO (10);`,
      'ALTER TABLE pt DETACH PARTITION pt1',
    ],
    [
      'a dropped table with its view (CASCADE)',
      `${TABLE} CREATE VIEW v AS SELECT a FROM t; CREATE TABLE u (a int);`,
      'DROP TABLE t CASCADE',
    ],
    ['default privileges', '', 'ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC'],
    ['a rolled-back change', TABLE, ['BEGIN', 'ALTER TABLE t ADD COLUMN gone int', 'ROLLBACK']],
    [
      'a table created and a serial sequence renamed',
      '',
      ['CREATE TABLE n (id serial PRIMARY KEY)', 'ALTER SEQUENCE n_id_seq RENAME TO n_seq'],
    ],
    ['an enum value added', `CREATE TYPE mood AS ENUM ('a');`, `ALTER TYPE mood ADD VALUE 'b'`],
    ['an unused enum dropped', `CREATE TYPE mood AS ENUM ('a');`, 'DROP TYPE mood'],
    [
      'a domain constraint dropped',
      'CREATE DOMAIN pos AS int CONSTRAINT p CHECK (VALUE > 0);',
      'ALTER DOMAIN pos DROP CONSTRAINT p',
    ],
    [
      'a type used by a composite type renamed',
      `CREATE TYPE mood AS ENUM ('a'); CREATE TYPE pair AS (m mood);`,
      'ALTER TYPE mood RENAME TO feeling',
    ],
    [
      'a type used by a function renamed',
      `CREATE TYPE mood AS ENUM ('a'); CREATE FUNCTION f(mood) RETURNS int LANGUAGE sql AS 'SELECT 1';`,
      'ALTER TYPE mood RENAME TO feeling',
    ],
    [
      'a table used by a function signature renamed',
      `${TABLE} CREATE FUNCTION f(t) RETURNS int LANGUAGE sql AS 'SELECT 1';`,
      'ALTER TABLE t RENAME TO t2',
    ],
    [
      'a table used by a BEGIN ATOMIC body renamed',
      `${TABLE} CREATE FUNCTION n() RETURNS bigint LANGUAGE sql BEGIN ATOMIC SELECT count(*) FROM t; END;`,
      'ALTER TABLE t RENAME TO t2',
    ],
    ['a grant on a type', `CREATE TYPE mood AS ENUM ('a');`, 'REVOKE USAGE ON TYPE mood FROM PUBLIC'],
    [
      'a comment on a function',
      `CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';`,
      `COMMENT ON FUNCTION f() IS 'one'`,
    ],
    ['a function dropped', `CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';`, 'DROP FUNCTION f()'],
    [
      'a schema with a type and a function dropped',
      `CREATE SCHEMA o; CREATE TYPE o.mood AS ENUM ('a'); CREATE FUNCTION o.f() RETURNS int LANGUAGE sql AS 'SELECT 1';`,
      'DROP SCHEMA o CASCADE',
    ],
    [
      'a table dropped whose row type a composite type uses',
      `${TABLE} CREATE TYPE holder AS (x t);`,
      'DROP TABLE t CASCADE',
    ],
  ])('after %s, and it was scoped', async (_name, setup, change) => {
    const { scoped, full, counts } = await afterChange(setup, change);
    expect(scoped).toEqual(full);
    expect(counts).toEqual({ scoped: 1, full: 1 });
  });
});

it('stays equal to a full snapshot over a series of changes, each verified', async () => {
  const snapshots = new ScopedSnapshots(db.client, [], true, true);
  const steps = [
    `${TABLE} CREATE INDEX t_a ON t (a); CREATE TYPE mood AS ENUM ('a')`,
    'ALTER TABLE t ADD COLUMN m mood',
    'DROP TYPE mood CASCADE',
    'ALTER INDEX t_a RENAME TO t_a2',
    'CREATE TABLE pt (a int) PARTITION BY RANGE (a); CREATE TABLE pt1 (a int)',
    'ALTER TABLE pt ATTACH PARTITION pt1 FOR VALUES FROM (0) TO (10)',
    'ALTER TABLE pt DETACH PARTITION pt1',
    'ALTER TABLE pt1 RENAME TO pt_old',
    'DROP INDEX t_a2',
    'ALTER TABLE t RENAME TO t2',
    'CREATE VIEW v AS SELECT a FROM t2',
    'DROP TABLE t2 CASCADE',
  ];
  await snapshots.take();
  for (const step of steps) {
    await db.client.query(step);
    await snapshots.take();
  }
  expect(snapshots.counts).toEqual({ scoped: steps.length, full: 1 });
});

describe('what the change log cannot place gives a full snapshot', () => {
  it.each([
    ['a grant on a table (GRANT names no object)', TABLE, 'GRANT SELECT ON t TO PUBLIC'],
    ['a revoked grant on a table', `${TABLE} GRANT SELECT ON t TO PUBLIC;`, 'REVOKE SELECT ON t FROM PUBLIC'],
    [
      'ALTER EXTENSION … DROP (membership)',
      'CREATE EXTENSION citext;',
      'ALTER EXTENSION citext DROP FUNCTION citext(boolean)',
    ],
    [
      'a disabled event trigger',
      TABLE,
      ['ALTER EVENT TRIGGER _tidemark_rt_end DISABLE', 'ALTER TABLE t ADD COLUMN q int'],
    ],
    ['a log that is gone', TABLE, ['DROP SCHEMA _tidemark_rt CASCADE', 'ALTER TABLE t ADD COLUMN q int']],
  ])('after %s', async (_name, setup, change) => {
    const { scoped, full, counts } = await afterChange(setup, change);
    expect(scoped).toEqual(full);
    expect(counts.scoped).toBe(0);
    expect(counts.full).toBe(2);
  });
});

describe('roles are cluster-wide: only a renamed role forces a full read', () => {
  const role = (what: string) => `tm_scoped_${what}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;

  it('a role created or dropped meanwhile (another test, another database) leaves the snapshot scoped', async () => {
    const [gone, added] = [role('gone'), role('added')];
    try {
      const { scoped, full, counts } = await afterChange(`CREATE ROLE ${gone}; ${TABLE}`, [
        `DROP ROLE ${gone}`,
        `CREATE ROLE ${added}`,
        'ALTER TABLE t ADD COLUMN q int',
      ]);
      expect(scoped).toEqual(full);
      expect(counts).toEqual({ scoped: 1, full: 1 });
    } finally {
      for (const r of [gone, added]) await db.client.query(`DROP ROLE IF EXISTS ${r}`);
    }
  });

  it('a role renamed: owners and grants read differently, so the snapshot is full', async () => {
    const [owner, renamed] = [role('owner'), role('renamed')];
    try {
      const { scoped, full, counts } = await afterChange(
        `CREATE ROLE ${owner}; ${TABLE} ALTER TABLE t OWNER TO ${owner}; GRANT SELECT ON t TO ${owner};`,
        `ALTER ROLE ${owner} RENAME TO ${renamed}`,
      );
      expect(scoped).toEqual(full);
      expect(full.tables.find((t) => t.name === 't')?.owner).toBe(renamed);
      expect(counts).toEqual({ scoped: 0, full: 2 });
    } finally {
      for (const r of [owner, renamed])
        await db.client.query(`DROP OWNED BY ${r}; DROP ROLE ${r}`).catch(() => undefined);
    }
  });
});

it('a failed CREATE INDEX CONCURRENTLY leaves an invalid index no event reports: invalidate() makes the next snapshot full', async () => {
  // Never verified (even with TIDEMARK_CHECK_SCOPED_SNAPSHOTS=1): the second snapshot misses the index on purpose.
  const snapshots = new ScopedSnapshots(db.client, [], true, false);
  await db.client.query(`${TABLE} INSERT INTO t VALUES (1, 1, 'x'), (2, 1, 'x')`);
  await snapshots.take();
  await expect(db.client.query('CREATE UNIQUE INDEX CONCURRENTLY t_b ON t (b)')).rejects.toThrow(
    /could not create unique index/,
  );
  const full = await takeSnapshot(db.client, { ignoreTables: [] });
  expect(full.indexes.find((i) => i.name === 't_b')?.valid).toBe(false);
  // Without invalidate() the scoped snapshot would not know of it:
  expect((await snapshots.take()).indexes.find((i) => i.name === 't_b')).toBeUndefined();
  snapshots.invalidate();
  expect(await snapshots.take()).toEqual(full);
  expect(snapshots.counts).toEqual({ scoped: 1, full: 2 });
});

describe('take(then): the next statement goes out with the snapshot', () => {
  it('what `then` sends runs after the snapshot is read: this snapshot does not see it, the next one does', async () => {
    const snapshots = new ScopedSnapshots(db.client, [], true, false);
    await db.client.query(TABLE);
    await snapshots.take();
    await db.client.query('CREATE TABLE before_snapshot (id int)');
    let calls = 0;
    let later: Promise<unknown> = Promise.resolve();
    const taken = await snapshots.take(() => {
      calls++;
      later = db.client.query('CREATE TABLE after_snapshot (id int)');
    });
    await later;
    expect(calls).toBe(1);
    expect(taken.tables.map((t) => t.name).sort()).toEqual(['before_snapshot', 't']);
    const next = await snapshots.take();
    expect(next.tables.map((t) => t.name).sort()).toEqual(['after_snapshot', 'before_snapshot', 't']);
    expect(next).toEqual(await takeSnapshot(db.client, { ignoreTables: [] }));
    expect(snapshots.counts).toEqual({ scoped: 2, full: 1 });
  });

  it('invalidate() from a script started by `then` makes the next snapshot full, however the two finish', async () => {
    const snapshots = new ScopedSnapshots(db.client, [], true, false);
    await db.client.query(TABLE);
    await snapshots.take();
    let failed: Promise<unknown> = Promise.resolve();
    await snapshots.take(() => {
      // Fails at once: invalidate() runs as soon as its answer is handled, which may be before take() ends.
      failed = db.client.query('SELECT 1/0').catch(() => snapshots.invalidate());
    });
    await failed;
    await snapshots.take();
    expect(snapshots.counts).toEqual({ scoped: 1, full: 2 });
  });

  it('with nothing to follow, `then` is still called once, after a full snapshot too', async () => {
    const snapshots = new ScopedSnapshots(db.client, [], false, false);
    let calls = 0;
    await snapshots.take(() => calls++);
    expect(calls).toBe(1);
    expect(snapshots.counts).toEqual({ scoped: 0, full: 1 });
  });
});

describe('verification mode (TIDEMARK_CHECK_SCOPED_SNAPSHOTS=1)', () => {
  it('throws when a scoped snapshot missed a change (its event deleted from the log)', async () => {
    const change = [`COMMENT ON COLUMN t.a IS 'missed'`, 'DELETE FROM _tidemark_rt.log'];
    await expect(afterChange(TABLE, change, true)).rejects.toThrow(
      /scoped snapshot differs from the full one in: columns/,
    );
  });

  it('passes when nothing was missed', async () => {
    const { counts } = await afterChange(TABLE, `COMMENT ON COLUMN t.a IS 'seen'`, true);
    expect(counts).toEqual({ scoped: 1, full: 1 });
  });
});
