/**
 * rollback: one by default, --steps, --target, --dry-run, and the refusals
 * (irreversible) and failures (a down script that errors).
 */
import { runInProcess } from '../helpers/in-process';
import { useTestDatabase } from '../helpers/db';
import { fixture } from '../helpers/fixtures';
import { existing, ledgerVersions } from '../helpers/inspect';

const db = useTestDatabase();

const tidemark = (dir: string, ...args: string[]) => runInProcess([...args, '--dir', dir, '--url', db.url]);
const TABLES = ['alpha', 'beta', 'gamma'];

describe('rollback on the basic fixture', () => {
  const dir = fixture('basic');
  beforeEach(async () => {
    expect((await tidemark(dir, 'apply')).code).toBe(0);
  });

  test('by default rolls back only the most recent migration', async () => {
    const { code, stdout, stderr } = await tidemark(dir, 'rollback');
    expect(code).toBe(0);
    expect(stdout).toMatch(/Rolled back 1 migration\b/);
    expect(stderr).toContain('003_create_gamma');
    expect(await ledgerVersions(db)).toEqual(['1', '2']);
    expect(await existing(db, TABLES)).toEqual(['alpha', 'beta']);
  });

  test('--steps 2 rolls back the two most recent', async () => {
    const { code, stdout } = await tidemark(dir, 'rollback', '--steps', '2');
    expect(code).toBe(0);
    expect(stdout).toMatch(/Rolled back 2 migrations/);
    expect(await ledgerVersions(db)).toEqual(['1']);
    expect(await existing(db, TABLES)).toEqual(['alpha']);
  });

  test('--target 1 rolls back everything above 1 and keeps 1', async () => {
    expect((await tidemark(dir, 'rollback', '--target', '1')).code).toBe(0);
    expect(await ledgerVersions(db)).toEqual(['1']);
    expect(await existing(db, TABLES)).toEqual(['alpha']);
  });

  test('--dry-run prints the plan, highest first, and changes nothing', async () => {
    const { code, stdout } = await tidemark(dir, 'rollback', '--steps', '2', '--dry-run');
    expect(code).toBe(0);
    const gamma = stdout.indexOf('003_create_gamma.down.sql');
    const beta = stdout.indexOf('002_create_beta.down.sql');
    expect(gamma).toBeGreaterThanOrEqual(0);
    expect(beta).toBeGreaterThan(gamma);
    expect(stdout).not.toContain('001_create_alpha');
    expect(await ledgerVersions(db)).toEqual(['1', '2', '3']);
    expect(await existing(db, TABLES)).toEqual(TABLES);
  });

  test('--steps larger than the history rolls back all of it', async () => {
    expect((await tidemark(dir, 'rollback', '--steps', '10')).code).toBe(0);
    expect(await ledgerVersions(db)).toEqual([]);
    expect(await existing(db, TABLES)).toEqual([]);
    const nothing = await tidemark(dir, 'rollback');
    expect(nothing.code).toBe(0);
    expect(nothing.stdout).toMatch(/Nothing to roll back/);
  });
});

test('with nothing applied exits 0 and does not create the ledger', async () => {
  const { code, stdout } = await tidemark(fixture('basic'), 'rollback');
  expect(code).toBe(0);
  expect(stdout).toMatch(/Nothing to roll back/);
  expect(await ledgerVersions(db)).toBeNull();
});

describe('an irreversible migration', () => {
  const dir = fixture('irreversible');
  beforeEach(async () => {
    expect((await tidemark(dir, 'apply')).code).toBe(0);
  });

  test.each([[[]], [['--target', '0']], [['--steps', '2']]])(
    'rollback %j is refused with exit 2 and nothing changes',
    async (extra) => {
      const { code, stdout, stderr } = await tidemark(dir, 'rollback', ...extra);
      expect(code).toBe(2);
      expect(stderr).toContain('002_backfill_alpha.down.sql');
      expect(stderr).toMatch(/irreversible/);
      expect(stderr).not.toMatch(/^\s+at /m);
      expect(stdout).toBe('');
      expect(await ledgerVersions(db)).toEqual(['1', '2']);
      expect(await db.query('SELECT id, label FROM alpha ORDER BY id')).toEqual([
        { id: 1, label: 'one' },
        { id: 2, label: 'two' },
      ]);
    },
  );
});

describe('a down script that fails', () => {
  const dir = fixture('failing-down');
  beforeEach(async () => {
    expect((await tidemark(dir, 'apply')).code).toBe(0);
  });

  test('exits 1 with the file and SQLSTATE, and leaves the migration applied', async () => {
    const { code, stderr } = await tidemark(dir, 'rollback');
    expect(code).toBe(1);
    expect(stderr).toContain('002_create_beta.down.sql');
    expect(stderr).toContain('42P01');
    expect(stderr).toMatch(/rolling back/);
    expect(await ledgerVersions(db)).toEqual(['1', '2']);
    // Its first statement (DROP TABLE beta) was rolled back with the rest.
    expect(await existing(db, ['alpha', 'beta'])).toEqual(['alpha', 'beta']);
  });

  test('rollback --target 0 stops there: nothing below it is rolled back either', async () => {
    const { code } = await tidemark(dir, 'rollback', '--target', '0');
    expect(code).toBe(1);
    expect(await ledgerVersions(db)).toEqual(['1', '2']);
    expect(await existing(db, ['alpha', 'beta'])).toEqual(['alpha', 'beta']);
  });
});
