/**
 * A script that ends the transaction tidemark runs it in (COMMIT, ROLLBACK,
 * END…) can never leave the ledger lying. Seen by the lexer, it is refused
 * before anything runs (exit 2, file:line:col), by apply, rollback, test and
 * verify --offline. Unseen (the executor run directly, as if the lexer had
 * missed it), the ledger write is refused by the transaction-id guard and the
 * row is marked failed: never "applied", never "rolled back".
 */
import { connect } from '../../lib/db/connection';
import { disconnect } from '../../lib/db/disconnect';
import { runSteps } from '../../lib/db/executor';
import { TransactionControlError, TransactionEndedError } from '../../lib/errors';
import { apply, rollback, roundtrip, verify } from '../../lib/migrator';
import type { Pair } from '../../lib/types';
import { contextFor } from '../helpers/context';
import { useTestDatabase } from '../helpers/db';
import { migrationsDir, removeDir } from '../helpers/files';
import { existing, ledgerVersions } from '../helpers/inspect';
import { captureLogger } from '../helpers/logger';
import { pair } from '../helpers/pairs';

const db = useTestDatabase();
let dir: string | null = null;
afterEach(async () => {
  if (dir) removeDir(dir);
  dir = null;
});

const CONTROL = [
  ['COMMIT', 'COMMIT'],
  ['commit work', 'COMMIT'],
  ['END', 'END'],
  ['ROLLBACK', 'ROLLBACK'],
  ['ABORT', 'ABORT'],
  ["PREPARE TRANSACTION 'tm'", 'PREPARE TRANSACTION'],
  ['COMMIT AND CHAIN', 'COMMIT AND CHAIN'],
  ['ROLLBACK AND CHAIN', 'ROLLBACK AND CHAIN'],
  ['BEGIN', 'BEGIN'],
  ['START TRANSACTION', 'START TRANSACTION'],
] as const;

describe('refused before anything runs', () => {
  test.each(CONTROL)(
    '%s in an up script: apply throws TransactionControlError at file:line:col and sends nothing',
    async (statement, reason) => {
      dir = migrationsDir({
        '001_a.up.sql': 'CREATE TABLE a (i int);\n',
        '001_a.down.sql': 'DROP TABLE a;\n',
        '002_b.up.sql': `CREATE TABLE b (i int);\n  ${statement};\nCREATE TABLE c (i int);\n`,
        '002_b.down.sql': 'DROP TABLE c; DROP TABLE b;\n',
      });
      for (const singleTransaction of [false, true]) {
        const err = await apply(contextFor(db.url, dir), { singleTransaction }).catch((e) => e);
        expect(err).toBeInstanceOf(TransactionControlError);
        expect(err.exitCode).toBe(2);
        expect(err.message).toContain(`002_b.up.sql:2:3: ${reason}`);
        expect(err.message).toMatch(/Remove them.*-- tidemark:no-transaction/s);
      }
      expect(await ledgerVersions(db)).toBeNull(); // nothing was run: not even the ledger was created
      expect(await existing(db, ['a', 'b', 'c'])).toEqual([]);
    },
  );

  test('ROLLBACK TO SAVEPOINT, SAVEPOINT and RELEASE stay inside the transaction and are allowed', async () => {
    dir = migrationsDir({
      '001_a.up.sql':
        'CREATE TABLE a (i int);\nSAVEPOINT s;\nCREATE TABLE b (i int);\nROLLBACK TO SAVEPOINT s;\nRELEASE SAVEPOINT s;\n',
      '001_a.down.sql': 'DROP TABLE a;\n',
    });
    await apply(contextFor(db.url, dir));
    expect(await ledgerVersions(db)).toEqual(['1']);
    expect(await existing(db, ['a', 'b'])).toEqual(['a']);
  });

  test('in a down script: rollback refuses it and the migration stays applied', async () => {
    dir = migrationsDir({ '001_a.up.sql': 'CREATE TABLE a (i int);\n', '001_a.down.sql': 'DROP TABLE a;\nCOMMIT;\n' });
    await apply(contextFor(db.url, dir));
    const err = await rollback(contextFor(db.url, dir)).catch((e) => e);
    expect(err).toBeInstanceOf(TransactionControlError);
    expect(err.message).toContain('001_a.down.sql:2:1: COMMIT');
    expect(await ledgerVersions(db)).toEqual(['1']);
    expect(await existing(db, ['a'])).toEqual(['a']);
  });

  test('verify --offline and tidemark test report it too', async () => {
    dir = migrationsDir({
      '001_a.up.sql': 'CREATE TABLE a (i int);\n/* done */ END;\n',
      '001_a.down.sql': 'DROP TABLE a;\n',
    });
    const offline = await verify(contextFor(db.url, dir), { online: false }).catch((e) => e);
    expect(offline).toBeInstanceOf(TransactionControlError);
    expect(offline.message).toContain('001_a.up.sql:2:12: END');
    const tested = await roundtrip(contextFor(db.url, dir)).catch((e) => e);
    expect(tested).toBeInstanceOf(TransactionControlError);
  });

  test('a no-transaction script may hold them', async () => {
    dir = migrationsDir({
      '001_a.up.sql': '-- tidemark:no-transaction\nBEGIN;\nCREATE TABLE a (i int);\nCREATE TABLE b (i int);\nCOMMIT;\n',
      '001_a.down.sql': 'DROP TABLE b; DROP TABLE a;\n',
    });
    await apply(contextFor(db.url, dir));
    expect(await ledgerVersions(db)).toEqual(['1']);
    expect(await db.query('SELECT state, statements_done, statements_total FROM tidemark_migrations')).toEqual([
      { state: 'applied', statements_done: 4, statements_total: 4 },
    ]);
  });
});

/** Runs the executor itself, as if the lexer had not seen the statement. */
async function execute(pairs: Pair[], direction: 'up' | 'down' = 'up', singleTransaction = false) {
  const client = await connect({ url: db.url, wait: 0 }, captureLogger().logger); // as a run connects: in pipeline mode
  try {
    return await runSteps(
      client,
      pairs.map((p) => ({ direction, pair: p })),
      {
        ledger: { schema: 'public', table: 'tidemark_migrations' },
        settings: { environment: 'test' },
        singleTransaction,
        logger: captureLogger().logger,
        createLedger: direction === 'up',
      },
    );
  } finally {
    await disconnect(client);
  }
}

const ledger = () =>
  db.query<{ version: string; state: string }>(
    'SELECT version::text AS version, state FROM tidemark_migrations ORDER BY version',
  );

describe('missed by the lexer: the transaction-id guard', () => {
  test('COMMIT, then a failure: the committed part is reported, never "rolled back"; the row is failed, not applied', async () => {
    const err = await execute([
      pair(1, 'a', { up: 'CREATE TABLE a (i int); COMMIT; CREATE TABLE b (i int); SELECT 1/0;' }),
    ]).catch((e) => e);
    expect(err).toBeInstanceOf(TransactionEndedError);
    expect(err.exitCode).toBe(1);
    expect(err.message).toContain('001_a.up.sql ended the transaction');
    expect(err.message).toContain('The script then failed: division by zero');
    expect(err.message).not.toMatch(/rolled back \(no changes/);
    expect(await existing(db, ['a', 'b'])).toEqual(['a']);
    expect(await ledger()).toEqual([{ version: '1', state: 'failed' }]);
  });

  test.each([
    ['ROLLBACK', []],
    ['ABORT', []],
    ['ROLLBACK AND CHAIN', []],
    ['COMMIT', ['x']],
    ['END', ['x']],
    ['COMMIT AND CHAIN', ['x']],
  ] as const)('CREATE TABLE x; %s: no applied row; the table is as the script left it', async (statement, tables) => {
    const err = await execute([pair(1, 'x', { up: `CREATE TABLE x (i int); ${statement};` })]).catch((e) => e);
    expect(err).toBeInstanceOf(TransactionEndedError);
    expect(await existing(db, ['x'])).toEqual(tables);
    expect(await ledger()).toEqual([{ version: '1', state: 'failed' }]);
  });

  test("ROLLBACK; BEGIN: the ledger write fails in the script's own transaction, which is not committed", async () => {
    const err = await execute([
      pair(1, 'x', { up: 'CREATE TABLE x (i int); ROLLBACK; BEGIN; CREATE TABLE y (i int);' }),
    ]).catch((e) => e);
    expect(err).toBeInstanceOf(TransactionEndedError);
    expect(await existing(db, ['x', 'y'])).toEqual([]);
    expect(await ledger()).toEqual([{ version: '1', state: 'failed' }]);
  });

  test('--single-transaction: a COMMIT in the second script made the first permanent, and the error says so', async () => {
    const err = await execute(
      [pair(1, 'a', { up: 'CREATE TABLE a (i int);' }), pair(2, 'b', { up: 'CREATE TABLE b (i int); COMMIT;' })],
      'up',
      true,
    ).catch((e) => e);
    expect(err).toBeInstanceOf(TransactionEndedError);
    expect(err.message).toContain('the batch was NOT rolled back as a whole; the ledger now records as applied: 1');
    expect(await existing(db, ['a', 'b'])).toEqual(['a', 'b']);
    expect(await ledger()).toEqual([
      { version: '1', state: 'applied' },
      { version: '2', state: 'failed' },
    ]);
  });

  test('a down script that ends its transaction: the row is failed (direction down), not deleted', async () => {
    const p = pair(1, 'a', { up: 'CREATE TABLE a (i int);', down: 'DROP TABLE a; COMMIT;' });
    await execute([p]);
    const err = await execute([p], 'down').catch((e) => e);
    expect(err).toBeInstanceOf(TransactionEndedError);
    expect(err.message).toContain('--not-applied');
    expect(await existing(db, ['a'])).toEqual([]);
    expect(await db.query("SELECT state, failure->>'direction' AS direction FROM tidemark_migrations")).toEqual([
      { state: 'failed', direction: 'down' },
    ]);
  });
});
