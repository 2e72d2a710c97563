/**
 * History checks before apply and rollback: an edited or missing applied
 * migration, or a pending one below the highest applied, stops the run with
 * exit 3 and runs nothing; status still exits 0 and shows the state.
 */
import { appendFileSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runInProcess } from '../helpers/in-process';
import { useTestDatabase } from '../helpers/db';
import { removeDir, tempDir, useMigrationsDir, writeMigrations } from '../helpers/files';
import { copyFixture } from '../helpers/fixtures';
import { existing, ledgerVersions } from '../helpers/inspect';

const db = useTestDatabase();
const migrations = useMigrationsDir();
let dir: string;
beforeEach(async () => {
  dir = migrations.track(copyFixture('basic'));
});

const tidemark = (...args: string[]) => runInProcess([...args, '--dir', dir, '--url', db.url]);

interface StatusDoc {
  migrations: { version: string; name: string; state: string; path: string | null }[];
  summary: Record<string, number>;
}
async function statusJson(): Promise<StatusDoc> {
  const { code, stdout } = await tidemark('status', '--json');
  expect(code).toBe(0);
  return JSON.parse(stdout) as StatusDoc;
}
const states = (doc: StatusDoc) => doc.migrations.map((m) => [m.version, m.state]);

const NEW_PENDING = {
  '004_create_delta.up.sql': 'CREATE TABLE delta (id int);\n',
  '004_create_delta.down.sql': 'DROP TABLE delta;\n',
};

describe('an applied migration edited on disk', () => {
  beforeEach(async () => {
    expect((await tidemark('apply', '--target', '2')).code).toBe(0);
    appendFileSync(path.join(dir, '001_create_alpha.up.sql'), 'CREATE INDEX alpha_label_idx ON alpha (label);\n');
    writeMigrations(dir, NEW_PENDING);
  });

  test('apply exits 3 naming the file, and runs nothing (not even the new pending migration)', async () => {
    const { code, stdout, stderr } = await tidemark('apply');
    expect(code).toBe(3);
    expect(stderr).toContain('001_create_alpha.up.sql');
    expect(stderr).toMatch(
      /^ {2}modified {6}create_alpha \(version 1\): 001_create_alpha\.up\.sql changed after it was applied/m,
    );
    expect(stderr).not.toContain('002_create_beta'); // only the edited one is listed
    expect(stdout).toBe('');
    expect(await ledgerVersions(db)).toEqual(['1', '2']);
    expect(await existing(db, ['gamma', 'delta', 'alpha_label_idx'])).toEqual([]);
  });

  test('rollback exits 3 too and rolls nothing back', async () => {
    const { code, stderr } = await tidemark('rollback');
    expect(code).toBe(3);
    expect(stderr).toContain('001_create_alpha.up.sql');
    expect(await ledgerVersions(db)).toEqual(['1', '2']);
    expect(await existing(db, ['alpha', 'beta'])).toEqual(['alpha', 'beta']);
  });

  test('status exits 0 and shows it as modified', async () => {
    const human = await tidemark('status');
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^1\s+create_alpha\s+modified\s/m);
    expect(human.stdout).toMatch(/^2\s+create_beta\s+applied\s/m);
    const doc = await statusJson();
    expect(states(doc)).toEqual([
      ['1', 'modified'],
      ['2', 'applied'],
      ['3', 'pending'],
      ['4', 'pending'],
    ]);
    expect(doc.summary).toMatchObject({ modified: 1, applied: 1, pending: 2 });
  });

  test('restoring the file clears the drift', async () => {
    const original = readFileSync(path.join(__dirname, '..', 'fixtures', 'basic', '001_create_alpha.up.sql'));
    writeFileSync(path.join(dir, '001_create_alpha.up.sql'), original);
    const { code } = await tidemark('apply');
    expect(code).toBe(0);
    expect(await ledgerVersions(db)).toEqual(['1', '2', '3', '4']);
  });
});

test('an edited down script of an applied migration is drift too', async () => {
  expect((await tidemark('apply')).code).toBe(0);
  appendFileSync(path.join(dir, '003_create_gamma.down.sql'), 'SELECT 1; -- changed\n');
  const { code, stderr } = await tidemark('rollback');
  expect(code).toBe(3);
  expect(stderr).toContain('003_create_gamma.down.sql');
  expect(await existing(db, ['gamma'])).toEqual(['gamma']);
});

describe('an applied migration deleted from disk', () => {
  beforeEach(async () => {
    expect((await tidemark('apply')).code).toBe(0);
    rmSync(path.join(dir, '002_create_beta.up.sql'));
    rmSync(path.join(dir, '002_create_beta.down.sql'));
    writeMigrations(dir, NEW_PENDING);
  });

  test('apply exits 3 saying it is missing, and applies nothing', async () => {
    const { code, stderr } = await tidemark('apply');
    expect(code).toBe(3);
    expect(stderr).toMatch(/missing/);
    expect(stderr).toMatch(/create_beta \(version 2\)/);
    expect(await existing(db, ['delta'])).toEqual([]);
    expect(await ledgerVersions(db)).toEqual(['1', '2', '3']);
  });

  test('status exits 0 and lists it as missing, from the ledger', async () => {
    const doc = await statusJson();
    expect(states(doc)).toEqual([
      ['1', 'applied'],
      ['2', 'missing'],
      ['3', 'applied'],
      ['4', 'pending'],
    ]);
    expect(doc.migrations[1]).toMatchObject({ name: 'create_beta', path: null });
    const human = await tidemark('status');
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^2\s+create_beta\s+missing\s/m);
  });
});

describe('a pending migration below the highest applied one', () => {
  beforeEach(async () => {
    const aside = tempDir();
    try {
      for (const f of ['002_create_beta.up.sql', '002_create_beta.down.sql'])
        renameSync(path.join(dir, f), path.join(aside, f));
      expect((await tidemark('apply')).code).toBe(0);
      expect(await ledgerVersions(db)).toEqual(['1', '3']);
      for (const f of readdirSync(aside)) renameSync(path.join(aside, f), path.join(dir, f));
    } finally {
      removeDir(aside);
    }
  });

  test('apply exits 3 naming it; status shows it pending and exits 0', async () => {
    const { code, stderr } = await tidemark('apply');
    expect(code).toBe(3);
    expect(stderr).toMatch(/out-of-order/);
    expect(stderr).toMatch(/create_beta \(version 2\)/);
    expect(await existing(db, ['beta'])).toEqual([]);
    expect(states(await statusJson())).toEqual([
      ['1', 'applied'],
      ['2', 'pending'],
      ['3', 'applied'],
    ]);
  });

  test('apply --out-of-order applies it', async () => {
    const { code, stdout } = await tidemark('apply', '--out-of-order');
    expect(code).toBe(0);
    expect(stdout).toMatch(/Applied 1 migration\b/);
    expect(await existing(db, ['beta'])).toEqual(['beta']);
    expect(await ledgerVersions(db)).toEqual(['1', '2', '3']);
  });
});

test('a CRLF (and BOM) copy of applied files is not drift', async () => {
  expect((await tidemark('apply')).code).toBe(0);
  for (const file of readdirSync(dir)) {
    const target = path.join(dir, file);
    const crlf = Buffer.from(readFileSync(target, 'utf8').replace(/\n/g, '\r\n'));
    writeFileSync(target, file.startsWith('001_') ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), crlf]) : crlf);
  }
  expect(readFileSync(path.join(dir, '002_create_beta.up.sql'), 'utf8')).toContain('\r\n');

  const doc = await statusJson();
  expect(doc.summary).toMatchObject({ applied: 3, modified: 0 });
  const apply = await tidemark('apply');
  expect(apply.code).toBe(0);
  expect(apply.stdout).toMatch(/up to date/);
  const rollback = await tidemark('rollback', '--target', '0');
  expect(rollback.code).toBe(0);
  expect(await ledgerVersions(db)).toEqual([]);
  expect(await existing(db, ['alpha', 'beta', 'gamma'])).toEqual([]);
});
