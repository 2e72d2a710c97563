import type { Client } from 'pg';
import { connectBeside } from '../../lib/db/connection';
import { disconnect } from '../../lib/db/disconnect';
import { failedStatementOf, observeScript, type ObservedScript } from '../../lib/db/observe';
import { judgeBudget } from '../../lib/observe/budget';
import type { MigrationObservation, RelationObservation } from '../../lib/observe/types';
import { useTestDatabase } from '../helpers/db';

const db = useTestDatabase({ client: true });

const script = (sql: string, transactional = true): ObservedScript => ({
  version: 1n,
  name: 'observed',
  path: '001_observed.up.sql',
  direction: 'up',
  transactional,
  sql,
});

const relation = (observation: MigrationObservation, name: string): RelationObservation => {
  const found = observation.relations.find((r) => r.relation === name);
  if (!found) throw new Error(`${name} not observed: ${observation.relations.map((r) => r.relation).join(', ')}`);
  return found;
};

/** A table with `rows` rows: id (int primary key), n int. */
const table = async (client: Client, name: string, rows = 100) => {
  await client.query(`CREATE TABLE ${name} (id int PRIMARY KEY, n int)`);
  await client.query(`INSERT INTO ${name} SELECT g, g FROM generate_series(1, ${rows}) g`);
};

test('ADD COLUMN takes ACCESS EXCLUSIVE on the table and does not rewrite it', async () => {
  await table(db.client, 't');
  const observed = await observeScript(db.client, script('ALTER TABLE t ADD COLUMN c int;\n'));
  expect(relation(observed, 'public.t')).toMatchObject({
    kind: 'table',
    existed: true,
    strongest: 'ACCESS EXCLUSIVE',
    blocks: 'blocks reads and writes until the transaction ends',
    rewritten: false,
    takenAt: 0,
    underAccessExclusive: [0],
  });
  expect(observed.statements).toEqual([
    expect.objectContaining({ index: 0, line: 1, text: 'ALTER TABLE t ADD COLUMN c int' }),
  ]);
  expect(observed).toMatchObject({ version: 1n, path: '001_observed.up.sql', direction: 'up', transactional: true });
  // It committed.
  expect(
    await db.query("SELECT 1 FROM information_schema.columns WHERE table_name = 't' AND column_name = 'c'"),
  ).toHaveLength(1);
});

test('ALTER COLUMN TYPE bigint on an int column rewrites the table (and its index)', async () => {
  await table(db.client, 't');
  const observed = await observeScript(db.client, script('ALTER TABLE t ALTER COLUMN n TYPE bigint;'));
  expect(relation(observed, 'public.t')).toMatchObject({ strongest: 'ACCESS EXCLUSIVE', rewritten: true });
  expect(relation(observed, 'public.t_pkey')).toMatchObject({ kind: 'index', existed: true, rewritten: true });
});

test('CREATE INDEX takes SHARE on the table; the new index did not exist', async () => {
  await table(db.client, 't');
  const observed = await observeScript(db.client, script('CREATE INDEX t_n ON t (n);'));
  expect(relation(observed, 'public.t')).toMatchObject({ strongest: 'SHARE', rewritten: false, existed: true });
  expect(relation(observed, 'public.t').blocks).toMatch(/blocks writes/);
  expect(relation(observed, 'public.t_n')).toMatchObject({ kind: 'index', existed: false });
});

test('CREATE INDEX CONCURRENTLY in a no-transaction script shows SHARE UPDATE EXCLUSIVE, seen by the watcher', async () => {
  await table(db.client, 't', 200_000);
  const sql = '-- tidemark:no-transaction\nCREATE INDEX CONCURRENTLY t_n ON t (n);\n';
  const observed = await observeScript(db.client, script(sql, false));
  expect(relation(observed, 'public.t')).toMatchObject({ strongest: 'SHARE UPDATE EXCLUSIVE', existed: true });
  expect(relation(observed, 'public.t').blocks).toMatch(/reads and writes go on/);
  expect(observed.statements).toEqual([expect.objectContaining({ index: 0, line: 2 })]);
  expect(await db.query("SELECT 1 FROM pg_indexes WHERE indexname = 't_n'")).toHaveLength(1);
});

test('a given watcher is used and left open', async () => {
  await table(db.client, 't', 200_000);
  const watcher = await db.connect();
  const observed = await observeScript(db.client, script('CREATE INDEX CONCURRENTLY t_n ON t (n)', false), {
    watcher,
  });
  expect(relation(observed, 'public.t').strongest).toBe('SHARE UPDATE EXCLUSIVE');
  expect((await watcher.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
});

test('ADD CONSTRAINT … NOT VALID takes ACCESS EXCLUSIVE; VALIDATE CONSTRAINT only SHARE UPDATE EXCLUSIVE', async () => {
  await table(db.client, 't');
  const add = await observeScript(db.client, script('ALTER TABLE t ADD CONSTRAINT n_pos CHECK (n > 0) NOT VALID'));
  expect(relation(add, 'public.t').strongest).toBe('ACCESS EXCLUSIVE');
  const validate = await observeScript(db.client, script('ALTER TABLE t VALIDATE CONSTRAINT n_pos'));
  expect(relation(validate, 'public.t')).toMatchObject({
    strongest: 'SHARE UPDATE EXCLUSIVE',
    underAccessExclusive: [],
  });
});

test('a foreign key takes SHARE ROW EXCLUSIVE on both tables', async () => {
  await table(db.client, 'parent');
  await table(db.client, 'child');
  const observed = await observeScript(
    db.client,
    script('ALTER TABLE child ADD CONSTRAINT child_parent FOREIGN KEY (n) REFERENCES parent (id);'),
  );
  expect(relation(observed, 'public.child').strongest).toBe('SHARE ROW EXCLUSIVE');
  expect(relation(observed, 'public.parent').strongest).toBe('SHARE ROW EXCLUSIVE');
});

test('a new table: created, and no lock on any relation that existed', async () => {
  await table(db.client, 't');
  const observed = await observeScript(db.client, script('CREATE TABLE fresh (id bigint PRIMARY KEY, note text);'));
  expect(relation(observed, 'public.fresh')).toMatchObject({ existed: false, strongest: 'ACCESS EXCLUSIVE' });
  expect(observed.relations.filter((r) => r.existed)).toEqual([]);
});

test('the statements under ACCESS EXCLUSIVE: from the one that took it to the end, held to the COMMIT', async () => {
  await table(db.client, 't');
  const sql =
    'CREATE TABLE other (id int);\nALTER TABLE t ADD COLUMN c int;\nUPDATE t SET c = n;\nINSERT INTO other VALUES (1);\n';
  const observed = await observeScript(db.client, script(sql));
  const t = relation(observed, 'public.t');
  expect(t).toMatchObject({ strongest: 'ACCESS EXCLUSIVE', takenAt: 1, underAccessExclusive: [1, 2, 3] });
  expect(observed.statements.map((s) => s.line)).toEqual([1, 2, 3, 4]);
  expect(observed.statements[0].locks.map((l) => l.relation)).toEqual(['public.other']);
  // Locks last until COMMIT: the reading after the UPDATE still holds ACCESS EXCLUSIVE on t.
  expect(observed.statements[2].locks).toContainEqual(
    expect.objectContaining({ relation: 'public.t', mode: 'ACCESS EXCLUSIVE', existed: true }),
  );
  const fromTaken = observed.statements.slice(1).reduce((sum, s) => sum + s.ms, 0);
  expect(t.heldMs).toBeGreaterThanOrEqual(fromTaken);
  expect(t.heldMs).toBeLessThanOrEqual(observed.totalMs);
});

test('a dropped and a renamed table keep the name they had before', async () => {
  await table(db.client, 'gone');
  await table(db.client, 'old');
  const observed = await observeScript(db.client, script('DROP TABLE gone;\nALTER TABLE old RENAME TO renamed;'));
  expect(relation(observed, 'public.gone')).toMatchObject({ existed: true, strongest: 'ACCESS EXCLUSIVE' });
  expect(relation(observed, 'public.old')).toMatchObject({ existed: true, strongest: 'ACCESS EXCLUSIVE' });
  expect(observed.relations.map((r) => r.relation)).not.toContain('public.renamed');
});

test('settings run first, in the transaction', async () => {
  await observeScript(db.client, {
    ...script("CREATE TABLE seen AS SELECT current_setting('lock_timeout') AS lock_timeout"),
    settings: { text: "SET LOCAL lock_timeout = '3s'", values: [] },
  });
  expect(await db.query('SELECT lock_timeout FROM seen')).toEqual([{ lock_timeout: '3s' }]);
  expect((await db.client.query('SHOW lock_timeout')).rows).toEqual([{ lock_timeout: '0' }]);
});

test('a failing statement: rolled back, pg error rethrown unchanged, the statement named', async () => {
  await table(db.client, 't');
  const failure = await observeScript(db.client, script('ALTER TABLE t ADD COLUMN c int;\nSELECT 1/0;')).catch(
    (err: unknown) => err,
  );
  expect(failure).toMatchObject({ code: '22012', message: 'division by zero' });
  expect(failedStatementOf(failure)).toMatchObject({ index: 1, line: 2 });
  expect(Object.keys(failure as object)).not.toContain('statement');
  expect(db.client.getTransactionStatus()).toBe('I');
  expect(
    await db.query("SELECT 1 FROM information_schema.columns WHERE table_name = 't' AND column_name = 'c'"),
  ).toEqual([]);
});

test('a failing statement of a no-transaction script: earlier statements stay, the error is pg’s', async () => {
  await table(db.client, 't');
  const sql = 'CREATE INDEX CONCURRENTLY t_n ON t (n);\nCREATE INDEX CONCURRENTLY t_n ON t (n);';
  const failure = await observeScript(db.client, script(sql, false)).catch((err: unknown) => err);
  expect(failure).toMatchObject({ code: '42P07' });
  expect(failedStatementOf(failure)).toMatchObject({ index: 1 });
  expect(await db.query("SELECT 1 FROM pg_indexes WHERE indexname = 't_n'")).toHaveLength(1);
});

test('CREATE INDEX breaks a SHARE UPDATE EXCLUSIVE budget on the table; CREATE INDEX CONCURRENTLY does not', async () => {
  await table(db.client, 't', 200_000);
  const plain = await observeScript(db.client, script('SELECT 1;\nCREATE INDEX t_n ON t (n);'));
  const concurrent = await observeScript(db.client, script('CREATE INDEX CONCURRENTLY t_n2 ON t (n)', false));
  const budget = { maxLock: 'SHARE UPDATE EXCLUSIVE' } as const;
  expect(judgeBudget([plain, concurrent], budget)).toEqual([
    expect.objectContaining({
      path: '001_observed.up.sql',
      relation: 'public.t',
      kind: 'mode',
      mode: 'SHARE',
      line: 2,
    }),
  ]);
});

describe('a no-transaction script', () => {
  test('DDL that may run in a block is observed exactly, every time (each in a block of its own)', async () => {
    await table(db.client, 't');
    for (let i = 0; i < 20; i++) {
      const observed = await observeScript(db.client, script(`ALTER TABLE t ADD COLUMN c${i} int`, false));
      expect(relation(observed, 'public.t')).toMatchObject({
        strongest: 'ACCESS EXCLUSIVE',
        underAccessExclusive: [0],
      });
    }
  });

  test('ACCESS EXCLUSIVE then CREATE INDEX CONCURRENTLY: each statement its own locks, held by it alone', async () => {
    await table(db.client, 't', 200_000);
    const sql = 'ALTER TABLE t ADD COLUMN c int;\nCREATE INDEX CONCURRENTLY t_n ON t (n);\nSELECT 1;\n';
    const observed = await observeScript(db.client, script(sql, false));
    expect(relation(observed, 'public.t')).toMatchObject({
      strongest: 'ACCESS EXCLUSIVE',
      takenAt: 0,
      heldMs: observed.statements[0].ms,
      underAccessExclusive: [0],
    });
    expect(observed.statements[1].locks).toContainEqual(
      expect.objectContaining({ relation: 'public.t', mode: 'SHARE UPDATE EXCLUSIVE' }),
    );
    expect(observed.statements[2].locks).toEqual([]);
  });

  test('a transaction block of its own: the statements inside it are read as in a transaction', async () => {
    await table(db.client, 't');
    const sql =
      'BEGIN;\nALTER TABLE t ADD COLUMN c int;\nUPDATE t SET c = n;\nCOMMIT;\nBEGIN;\nLOCK TABLE t IN SHARE MODE;\nCOMMIT;\n';
    const observed = await observeScript(db.client, script(sql, false));
    expect(observed.statements.map((s) => s.locks.map((l) => `${l.relation} ${l.mode}`))).toEqual([
      [],
      ['public.t ACCESS EXCLUSIVE'],
      ['public.t ACCESS EXCLUSIVE', 'public.t_pkey ROW EXCLUSIVE'],
      [],
      [],
      ['public.t SHARE'],
      [],
    ]);
    expect(db.client.getTransactionStatus()).toBe('I');
  });

  test('a failure inside a block of its own leaves no block open', async () => {
    await table(db.client, 't');
    const failure = await observeScript(db.client, script('BEGIN;\nSELECT 1/0;\nCOMMIT;', false)).catch(
      (err: unknown) => err,
    );
    expect(failure).toMatchObject({ code: '22012' });
    expect(db.client.getTransactionStatus()).toBe('I');
  });

  test('LOCK outside a block fails as it would in a real run', async () => {
    await table(db.client, 't');
    const failure = await observeScript(db.client, script('LOCK TABLE t', false)).catch((err: unknown) => err);
    expect(failure).toMatchObject({ code: '25P01' });
  });

  test('a procedure that commits runs as in a real run (watched, not wrapped)', async () => {
    await table(db.client, 't', 200_000);
    await db.client.query(
      'CREATE PROCEDURE fill() LANGUAGE plpgsql AS $$ BEGIN UPDATE t SET n = n + 1; COMMIT; UPDATE t SET n = n + 1; END $$',
    );
    const observed = await observeScript(db.client, script('CALL fill()', false));
    expect(relation(observed, 'public.t').strongest).toBe('ROW EXCLUSIVE');
  });

  test('no watcher is opened when no statement needs one', async () => {
    await table(db.client, 't');
    const closed = await db.connect();
    await closed.end();
    const observed = await observeScript(db.client, script('ALTER TABLE t ADD COLUMN c int', false), {
      watcher: closed,
    });
    expect(relation(observed, 'public.t').strongest).toBe('ACCESS EXCLUSIVE');
  });
});

test('on a pipelining client (as tidemark connects): readings go out behind their statement, a failure is the statement’s', async () => {
  await table(db.client, 't');
  const client = await connectBeside(db.client, db.name);
  try {
    const observed = await observeScript(client, script('ALTER TABLE t ADD COLUMN c int;\nUPDATE t SET c = n;'));
    expect(relation(observed, 'public.t')).toMatchObject({
      strongest: 'ACCESS EXCLUSIVE',
      underAccessExclusive: [0, 1],
    });
    const failure = await observeScript(
      client,
      script('ALTER TABLE t ADD COLUMN d int;\nSELECT 1/0;\nSELECT 2;'),
    ).catch((err: unknown) => err);
    expect(failure).toMatchObject({ code: '22012' });
    expect(failedStatementOf(failure)).toMatchObject({ index: 1 });
    expect((await client.query('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 100 }]);
  } finally {
    await disconnect(client);
  }
});
