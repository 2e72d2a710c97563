/**
 * `tidemark test --locks` and `--locks-only`: what PostgreSQL says each up
 * did, as the user sees it — the human table, the `--json` document, GitHub
 * annotations — and the budget (`--max-lock`, `--max-lock-ms`, their
 * variables and config keys): exit 6 beyond it, exit 2 for a bad value.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { useTestDatabase } from '../helpers/db';
import { useMigrationsDir } from '../helpers/files';
import { runInProcess } from '../helpers/in-process';

const TABLE = {
  '001_orders.up.sql': 'CREATE TABLE orders (id int PRIMARY KEY, customer_id int);\n',
  '001_orders.down.sql': 'DROP TABLE orders;\n',
};
const ADD_COLUMN = {
  ...TABLE,
  '002_note.up.sql': '-- a nullable column without a default: no rewrite\nALTER TABLE orders ADD COLUMN note text;\n',
  '002_note.down.sql': 'ALTER TABLE orders DROP COLUMN note;\n',
};
const ALTER_TYPE = {
  ...TABLE,
  '002_bigint.up.sql': 'ALTER TABLE orders ALTER COLUMN customer_id TYPE bigint;\n',
  '002_bigint.down.sql': 'ALTER TABLE orders ALTER COLUMN customer_id TYPE int;\n',
};

const db = useTestDatabase();
const migrations = useMigrationsDir();
const test = (dir: string, ...args: string[]) =>
  runInProcess(['test', '--dir', dir, '--url', db.url, '--quiet', ...args]);
const json = async (dir: string, ...args: string[]) => {
  const result = await test(dir, '--json', ...args);
  return { code: result.code, doc: JSON.parse(result.stdout), stderr: result.stderr };
};

describe('test --locks', () => {
  it('ADD COLUMN: ACCESS EXCLUSIVE on the existing table, not rewritten; the round trip still runs', async () => {
    const { code, doc } = await json(migrations(ADD_COLUMN), '--locks');
    expect(code).toBe(0);
    expect(doc.summary).toMatchObject({ total: 2, passed: 2, failed: 0 });
    expect(doc.locks).toMatchObject({ ok: true, with_data: false, budget: { max_lock: null, max_lock_ms: null } });
    expect(doc.locks.migrations.map((m: { path: string }) => m.path)).toEqual(['001_orders.up.sql', '002_note.up.sql']);
    const [, note] = doc.locks.migrations;
    expect(note).toMatchObject({ version: '2', name: 'note', transactional: true });
    expect(note.relations).toEqual([
      expect.objectContaining({
        relation: 'public.orders',
        kind: 'table',
        existed: true,
        strongest: 'ACCESS EXCLUSIVE',
        blocks: 'blocks reads and writes until the transaction ends',
        rewritten: false,
        taken_at: { statement: 0, line: 2 },
        held_ms: expect.any(Number),
        under_access_exclusive: [
          expect.objectContaining({ line: 2, text: expect.stringContaining('ADD COLUMN note') }),
        ],
      }),
    ]);
    expect(note.statements[0]).toMatchObject({
      line: 2,
      locks: [expect.objectContaining({ mode: 'ACCESS EXCLUSIVE' })],
    });
    expect(doc.locks.breaches).toEqual([]);
  });

  it('ALTER COLUMN TYPE: the table is rewritten', async () => {
    const { code, doc } = await json(migrations(ALTER_TYPE), '--locks');
    expect(code).toBe(0);
    const orders = doc.locks.migrations[1].relations.find((r: { relation: string }) => r.relation === 'public.orders');
    expect(orders).toMatchObject({ strongest: 'ACCESS EXCLUSIVE', rewritten: true, existed: true });
  });

  it('the human report: the table per migration, the statements under ACCESS EXCLUSIVE, the empty-schema note', async () => {
    const { code, stdout } = await test(migrations(ALTER_TYPE), '--locks');
    expect(code).toBe(0);
    expect(stdout).toContain('test: OK — 2 migrations round-trip tested');
    expect(stdout).toContain('the times are for an empty schema');
    expect(stdout).toMatch(/^ {2}002_bigint\.up\.sql {2}in one transaction, \d+ ms$/m);
    expect(stdout).toMatch(/^ {4}relation +strongest lock +blocks +rewritten +held ms$/m);
    expect(stdout).toMatch(
      /^ {4}public\.orders +ACCESS EXCLUSIVE +blocks reads and writes until the transaction ends +yes +\d+$/m,
    );
    expect(stdout).toMatch(/^ {4}under ACCESS EXCLUSIVE on public\.orders \(\d+ ms\):$/m);
    expect(stdout).toMatch(/^ {6}line 1: ALTER TABLE orders ALTER COLUMN customer_id TYPE bigint \(\d+ ms\)$/m);
    expect(stdout).toMatch(/^ {4}public\.orders \(new\) +ACCESS EXCLUSIVE/m); // 001 created it
    expect(stdout).toMatch(/^locks: OK — 2 migrations observed, no budget set\.$/m);
  });

  it('a first up that fails is reported as without --locks (file:line:col), not observed; exit 3', async () => {
    const dir = migrations({
      ...TABLE,
      '002_broken.up.sql': 'ALTER TABLE orders ADD COLUMN note text;\nALTER TABLE missing ADD COLUMN x int;\n',
      '002_broken.down.sql': 'SELECT 1;\n',
    });
    const { code, doc } = await json(dir, '--locks');
    expect(code).toBe(3);
    expect(doc.migrations[1]).toMatchObject({
      status: 'failed',
      failure: { phase: 'up', file: '002_broken.up.sql', line: 2, sqlstate: '42P01' },
    });
    expect(doc.locks.migrations.map((m: { path: string }) => m.path)).toEqual(['001_orders.up.sql']);
  });

  it('CREATE INDEX CONCURRENTLY, without a transaction: SHARE UPDATE EXCLUSIVE', async () => {
    const dir = migrations({
      ...TABLE,
      // rows, so that the index build lasts long enough for the watcher's samples of pg_locks
      '001_orders.up.sql': `${TABLE['001_orders.up.sql']}INSERT INTO orders SELECT g, g FROM generate_series(1, 200000) g;\n`,
      '002_cic.up.sql':
        '-- tidemark:no-transaction\nCREATE INDEX CONCURRENTLY orders_customer ON orders (customer_id);\n',
      '002_cic.down.sql': '-- tidemark:no-transaction\nDROP INDEX CONCURRENTLY orders_customer;\n',
    });
    const { code, doc } = await json(dir, '--locks');
    expect(code).toBe(0);
    const cic = doc.locks.migrations[1];
    expect(cic.transactional).toBe(false);
    expect(cic.relations).toContainEqual(
      expect.objectContaining({ relation: 'public.orders', strongest: 'SHARE UPDATE EXCLUSIVE', existed: true }),
    );
  });
});

describe('the lock budget', () => {
  it('--max-lock below the lock taken: exit 6 after the report, the breach on the statement that took it', async () => {
    const dir = migrations(ADD_COLUMN);
    const { code, doc } = await json(dir, '--max-lock', 'share update exclusive');
    expect(code).toBe(6); // a budget implies --locks
    expect(doc.ok).toBe(false);
    expect(doc.summary.failed).toBe(0);
    expect(doc.locks.budget).toEqual({ max_lock: 'SHARE UPDATE EXCLUSIVE', max_lock_ms: null });
    expect(doc.locks.breaches).toEqual([
      expect.objectContaining({
        path: '002_note.up.sql',
        line: 2,
        relation: 'public.orders',
        kind: 'mode',
        mode: 'ACCESS EXCLUSIVE',
      }),
    ]);
    const human = await test(dir, '--locks', '--max-lock', 'SHARE UPDATE EXCLUSIVE');
    expect(human.code).toBe(6);
    expect(human.stdout).toMatch(/^ {4}OVER BUDGET: 002_note\.up\.sql:2: /m);
    expect(human.stdout).toMatch(
      /^locks: OVER BUDGET — 1 breach of the budget \(max lock SHARE UPDATE EXCLUSIVE\) in 1 migration; 2 migrations observed\.$/m,
    );
  });

  it('a lock within --max-lock passes; a table the migration created is not judged', async () => {
    const { code, doc } = await json(migrations(TABLE), '--max-lock', 'ACCESS SHARE');
    expect(code).toBe(0);
    expect(doc.locks.breaches).toEqual([]);
  });

  it('--max-lock-ms: ACCESS EXCLUSIVE held longer than allowed is exit 6; a generous budget passes', async () => {
    const dir = migrations(ADD_COLUMN);
    const over = await json(dir, '--max-lock-ms', '0');
    expect(over.code).toBe(6);
    expect(over.doc.locks.breaches).toEqual([
      expect.objectContaining({ path: '002_note.up.sql', relation: 'public.orders', kind: 'duration' }),
    ]);
    expect((await json(dir, '--max-lock-ms', '600000')).code).toBe(0);
  });

  it('from $TIDEMARK_MAX_LOCK and from the config file', async () => {
    const dir = migrations(ADD_COLUMN);
    const env = await runInProcess(['test', '--dir', dir, '--url', db.url, '--quiet', '--json'], {
      env: { TIDEMARK_MAX_LOCK: 'share_row_exclusive' },
    });
    expect(env.code).toBe(6);
    expect(JSON.parse(env.stdout).locks.budget.max_lock).toBe('SHARE ROW EXCLUSIVE');
    const config = path.join(dir, 'tidemark.config.json');
    writeFileSync(config, JSON.stringify({ maxLock: 'ROW EXCLUSIVE', maxLockMs: 600000 }));
    const file = await test(dir, '--config', config, '--json');
    expect(file.code).toBe(6);
    expect(JSON.parse(file.stdout).locks.budget).toEqual({ max_lock: 'ROW EXCLUSIVE', max_lock_ms: 600000 });
  });

  it('a round trip that fails wins: exit 3', async () => {
    const dir = migrations({ ...ADD_COLUMN, '002_note.down.sql': 'SELECT 1;\n' });
    const { code, doc } = await json(dir, '--max-lock', 'SHARE');
    expect(code).toBe(3);
    expect(doc.locks.breaches).toHaveLength(1);
  });

  it('a bad --max-lock or --max-lock-ms: exit 2, naming the flag and the modes', async () => {
    const dir = migrations(ADD_COLUMN);
    const bad = await test(dir, '--max-lock', 'SHARE EXCLUSIVE');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      '--max-lock must be a lock mode, one of "ACCESS SHARE", "ROW SHARE", "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE", "SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE" (got "SHARE EXCLUSIVE").',
    );
    const config = path.join(dir, 'tidemark.config.json');
    writeFileSync(config, JSON.stringify({ maxLock: 'EXCLUSIVE SHARE' }));
    const file = await test(dir, '--config', config);
    expect(file.code).toBe(2);
    expect(file.stderr).toMatch(/maxLock in .*tidemark\.config\.json must be a lock mode, one of "ACCESS SHARE", /);
    const ms = await test(dir, '--max-lock-ms', '1.5s');
    expect(ms.code).toBe(2);
    expect(ms.stderr).toContain('--max-lock-ms must be a whole number, 0 or more (got "1.5s").');
  });
});

describe('test --locks-only', () => {
  it('observes each up in order, without the down: a broken down script is not run', async () => {
    const dir = migrations({ ...ADD_COLUMN, '002_note.down.sql': 'this is not SQL;\n' });
    const { code, doc } = await json(dir, '--locks-only');
    expect(code).toBe(0);
    expect(doc).toMatchObject({ ok: true, template: 'template0', applied_first: 0, total: 2, failure: null });
    expect(doc.locks.migrations.map((m: { path: string }) => m.path)).toEqual(['001_orders.up.sql', '002_note.up.sql']);
    expect(doc).not.toHaveProperty('summary');
  });

  it('--from: the earlier migrations are applied first, not observed; a failing up stops the run (exit 3)', async () => {
    const dir = migrations({
      ...ADD_COLUMN,
      '003_broken.up.sql': 'ALTER TABLE missing ADD COLUMN x int;\n',
      '003_broken.down.sql': 'SELECT 1;\n',
    });
    const { code, stdout } = await test(dir, '--locks-only', '--from', '2');
    expect(code).toBe(3);
    expect(stdout).toContain('(1 earlier migration applied first without observing)');
    expect(stdout).toMatch(/^ {2}002_note\.up\.sql {2}in one transaction/m);
    expect(stdout).toContain('FAILED  003_broken.up.sql:1:1: SQLSTATE 42P01: relation "missing" does not exist');
    expect(stdout).toMatch(/^locks: FAILED — 003_broken\.up\.sql failed on the throwaway database \(\d+\.\d\ds\)\.$/m);
  });

  it('--data and --strict belong to the round trip: exit 2', async () => {
    const { code, stderr } = await test(migrations(TABLE), '--locks-only', '--data');
    expect(code).toBe(2);
    expect(stderr).toContain('--data checks the round trip, which --locks-only leaves out: use --locks instead.');
  });
});

describe('--format github', () => {
  it('one annotation per existing relation on the statement that took the lock; an error over budget', async () => {
    const dir = migrations(ADD_COLUMN);
    const { code, stdout } = await test(dir, '--locks-only', '--format', 'github', '--max-lock', 'SHARE');
    expect(code).toBe(6);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^::error file=[^,]*002_note\.up\.sql,line=2,title=tidemark test --locks%3A ACCESS EXCLUSIVE on public\.orders::Over budget \(max lock SHARE\): .*%0AACCESS EXCLUSIVE on public\.orders held \d+ ms: blocks reads and writes until the transaction ends%0ARun under ACCESS EXCLUSIVE:%0Aline 2: ALTER TABLE orders ADD COLUMN note text$/,
    );
    expect(lines).toHaveLength(3); // the annotation, the empty-schema note, the verdict (001's table was new)
    expect(lines[2]).toMatch(/^locks: OVER BUDGET — 1 breach/);
  });

  it('with the round trip: its report, then a warning on a lock that blocks writes', async () => {
    const dir = migrations({
      ...TABLE,
      '002_index.up.sql': 'SELECT 1;\n\nCREATE INDEX orders_customer ON orders (customer_id);\n',
      '002_index.down.sql': 'DROP INDEX orders_customer;\n',
    });
    const { code, stdout } = await test(dir, '--locks', '--format', 'github');
    expect(code).toBe(0);
    expect(stdout).toContain('test: OK — 2 migrations round-trip tested');
    expect(stdout).toMatch(
      /^::warning file=[^,]*002_index\.up\.sql,line=3,title=tidemark test --locks%3A SHARE on public\.orders::SHARE on public\.orders held \d+ ms: blocks writes/m,
    );
    expect(stdout).toMatch(/^locks: OK — 2 migrations observed, no budget set\.$/m);
  });

  it('without --locks: exit 2', async () => {
    const { code, stderr } = await test(migrations(TABLE), '--format', 'github');
    expect(code).toBe(2);
    expect(stderr).toContain('--format github annotates the observed locks: add --locks or --locks-only.');
  });
});

describe('test --locks with lint beside the observation', () => {
  const INDEX = {
    ...TABLE,
    '002_index.up.sql': '-- tidemark:lock-timeout 5s\nCREATE INDEX orders_customer ON orders (customer_id);\n',
    '002_index.down.sql': 'DROP INDEX orders_customer;\n',
  };

  it("sets lint's guessed lock beside the observed one, and counts the agreement in the verdict", async () => {
    // --from 2: orders exists before the observed migration, so lint's rule fires on it.
    const { code, doc } = await json(migrations(INDEX), '--locks-only', '--from', '2');
    expect(code).toBe(0);
    expect(doc.locks.lint).toEqual([
      expect.objectContaining({
        path: '002_index.up.sql',
        line: 2,
        rule: 'require-concurrent-index',
        relation: 'orders',
        guessed: 'SHARE',
        observed: 'SHARE',
        agrees: true,
      }),
    ]);
    const human = await test(migrations(INDEX), '--locks-only', '--from', '2');
    expect(human.stdout).toContain('lint require-concurrent-index (line 2): SHARE on orders — observed');
    expect(human.stdout).toMatch(/locks: OK — 1 migration observed, no budget set; lint agrees on 1 lock/);
  });
});
