import { writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { apply, rollback, status } from '../../lib/migrator';
import { DriftError, IrreversibleError } from '../../lib/errors';
import { useTestDatabase } from '../helpers/db';
import { contextFor } from '../helpers/context';
import { migrationsDir, removeDir, useMigrationsDir, writeMigrations } from '../helpers/files';

const pairs = (n: number) =>
  Object.fromEntries(
    Array.from({ length: n }, (_, i) => {
      const v = String(i + 1).padStart(3, '0');
      return [
        [`${v}_t${i + 1}.up.sql`, `CREATE TABLE t${i + 1} (id int);`],
        [`${v}_t${i + 1}.down.sql`, `DROP TABLE t${i + 1};`],
      ];
    }).flat(),
  );

const db = useTestDatabase();
const migrations = useMigrationsDir();
let dir: string;

const versions = async () =>
  (await db.query<{ version: string }>('SELECT version FROM tidemark_migrations ORDER BY version')).map(
    (r) => r.version,
  );
const tableCount = async () =>
  Number(
    (
      await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 't%' AND tablename <> 'tidemark_migrations'`,
      )
    )[0].n,
  );

describe('rollback', () => {
  beforeEach(async () => {
    dir = migrations(pairs(4));
    await apply(contextFor(db.url, dir));
  });

  test('rolls back the most recent migration by default', async () => {
    const result = await rollback(contextFor(db.url, dir));
    expect(result.completed.map((o) => o.step.pair.label)).toEqual(['004_t4']);
    expect(await versions()).toEqual(['1', '2', '3']);
    expect(await tableCount()).toBe(3);
  });

  test('--steps N rolls back N, most recent first', async () => {
    const result = await rollback(contextFor(db.url, dir), { steps: 3 });
    expect(result.completed.map((o) => o.step.pair.label)).toEqual(['004_t4', '003_t3', '002_t2']);
    expect(await versions()).toEqual(['1']);
  });

  test('--target V keeps V; --target 0 rolls back all', async () => {
    await rollback(contextFor(db.url, dir), { target: 2n });
    expect(await versions()).toEqual(['1', '2']);
    await rollback(contextFor(db.url, dir), { target: 0n });
    expect(await versions()).toEqual([]);
    expect(await tableCount()).toBe(0);
  });

  test('--dry-run changes nothing', async () => {
    const result = await rollback(contextFor(db.url, dir), { target: 0n, dryRun: true });
    expect(result.plan.steps).toHaveLength(4);
    expect(await versions()).toEqual(['1', '2', '3', '4']);
  });

  test('an irreversible down is refused before anything runs', async () => {
    const marked = migrationsDir({
      ...pairs(4),
      '003_t3.down.sql': '-- tidemark:irreversible\n-- the data cannot come back\n',
    });
    await rollback(contextFor(db.url, dir), { target: 0n });
    await apply(contextFor(db.url, marked));
    const refused = await rollback(contextFor(db.url, marked), { target: 0n }).catch((e) => e);
    removeDir(marked);
    expect(refused).toBeInstanceOf(IrreversibleError);
    expect(refused.exitCode).toBe(2);
    expect(refused.refused).toEqual([{ version: 3n, name: 't3', path: '003_t3.down.sql', reason: 'marked' }]);
    expect(await versions()).toEqual(['1', '2', '3', '4']);
  });

  test('a failing down leaves the migration applied', async () => {
    await db.query('DROP TABLE t4');
    const err = await rollback(contextFor(db.url, dir)).catch((e) => e);
    expect(err).toMatchObject({ code: 'migration-failed', exitCode: 1 });
    expect(await versions()).toEqual(['1', '2', '3', '4']);
  });

  test('nothing applied is a success', async () => {
    await rollback(contextFor(db.url, dir), { target: 0n });
    const result = await rollback(contextFor(db.url, dir));
    expect(result.completed).toEqual([]);
  });
});

describe('the history guard', () => {
  beforeEach(async () => {
    dir = migrations(pairs(3));
    await apply(contextFor(db.url, dir));
  });

  test('an edited applied migration stops apply with exit 3; nothing runs', async () => {
    writeMigrations(dir, {
      '002_t2.up.sql': 'CREATE TABLE t2 (id bigint);',
      '004_t4.up.sql': 'CREATE TABLE t4 (id int);',
      '004_t4.down.sql': 'DROP TABLE t4;',
    });
    const err = await apply(contextFor(db.url, dir)).catch((e) => e);
    expect(err).toBeInstanceOf(DriftError);
    expect(err.exitCode).toBe(3);
    expect(err.discrepancies).toEqual([
      {
        kind: 'edited',
        version: 2n,
        name: 't2',
        scripts: ['up'],
        paths: ['002_t2.up.sql', '002_t2.down.sql'],
        applied: { up: 'CREATE TABLE t2 (id int);' },
      },
    ]);
    expect(await versions()).toEqual(['1', '2', '3']);
  });

  test('line endings and a BOM are not edits', async () => {
    writeMigrations(dir, {
      '002_t2.up.sql': Buffer.from('\ufeffCREATE TABLE t2 (id int);', 'utf8'),
      '003_t3.down.sql': 'DROP TABLE t3;\r\n',
    });
    await db.query(
      `UPDATE tidemark_migrations SET down_checksum = encode(sha256(convert_to('DROP TABLE t3;' || chr(10), 'UTF8')), 'hex') WHERE version = 3`,
    );
    const report = await status(contextFor(db.url, dir));
    expect(report.discrepancies).toEqual([]);
  });

  test('a deleted applied migration is missing; rollback stops too', async () => {
    rmSync(path.join(dir, '003_t3.up.sql'));
    rmSync(path.join(dir, '003_t3.down.sql'));
    const err = await rollback(contextFor(db.url, dir)).catch((e) => e);
    expect(err.discrepancies).toEqual([{ kind: 'missing', version: 3n, name: 't3' }]);
    expect(await versions()).toEqual(['1', '2', '3']);
  });

  test('a pending migration below the highest applied stops the run unless --out-of-order', async () => {
    await db.query('DELETE FROM tidemark_migrations WHERE version = 2');
    await db.query('DROP TABLE t2');
    const err = await apply(contextFor(db.url, dir)).catch((e) => e);
    expect(err.discrepancies).toEqual([
      { kind: 'out-of-order', version: 2n, name: 't2', path: '002_t2.up.sql', highestApplied: 3n },
    ]);
    expect(await versions()).toEqual(['1', '3']);
    const result = await apply(contextFor(db.url, dir), { outOfOrder: true });
    expect(result.completed.map((o) => o.step.pair.label)).toEqual(['002_t2']);
    expect(await versions()).toEqual(['1', '2', '3']);
  });
});
