import { lint, where } from './rules-a-helpers';

const ownFile = (sql: string) => ({ sql, transactional: false });

describe('no-vacuum-full', () => {
  it('reports each table at its name, ACCESS EXCLUSIVE, with plain VACUUM and pg_repack as the rewrite', async () => {
    const found = await lint('no-vacuum-full', [ownFile('VACUUM (FULL, ANALYZE) orders, app."Big";')]);
    expect(found.map(where)).toEqual(['1_m.sql:1:24 error', '1_m.sql:1:32 error']);
    expect(found[1]!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', relation: 'app."Big"' });
    expect(found[0]!.rewrite).toContain('-- tidemark:no-transaction\nVACUUM (ANALYZE) orders;');
    expect(found[0]!.rewrite).toContain('-- pg_repack --no-order --table=orders');
  });

  it('does not fire for plain VACUUM, FULL false, or a table created by the pending migrations', async () => {
    expect(await lint('no-vacuum-full', [ownFile('VACUUM orders;\nVACUUM (FULL false) orders;')])).toEqual([]);
    expect(await lint('no-vacuum-full', ['CREATE TABLE t (a int);', ownFile('VACUUM FULL t;')])).toEqual([]);
  });
});

describe('no-cluster', () => {
  it('reports CLUSTER at the table, ACCESS EXCLUSIVE', async () => {
    const [f] = await lint('no-cluster', ['\nCLUSTER orders USING orders_at;']);
    expect(where(f!)).toBe('1_m.sql:2:9 error');
    expect(f!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', relation: 'orders' });
    expect(f!.rewrite).toContain('ALTER TABLE orders CLUSTER ON orders_at;');
    expect(f!.rewrite).toContain('-- pg_repack --table=orders');
  });

  it('is history-aware', async () => {
    expect(await lint('no-cluster', ['CREATE TABLE t (a int PRIMARY KEY);\nCLUSTER t USING t_pkey;'])).toEqual([]);
  });
});

describe('require-concurrent-detach', () => {
  const detach = 'ALTER TABLE measurements\n  DETACH PARTITION measurements_2020;';

  it('PostgreSQL 14+: DETACH … CONCURRENTLY in its own migration', async () => {
    const [f] = await lint('require-concurrent-detach', [detach], 14);
    expect(where(f!)).toBe('1_m.sql:2:20 warning');
    expect(f!.lock).toMatchObject({ mode: 'ACCESS EXCLUSIVE', relation: 'measurements' });
    expect(f!.rewrite).toMatch(
      /^-- a migration of its own.*\n-- tidemark:no-transaction\nALTER TABLE measurements DETACH PARTITION measurements_2020 CONCURRENTLY;\n/,
    );
    expect(f!.rewrite).toContain('FINALIZE');
  });

  it('before PostgreSQL 14: no CONCURRENTLY to offer; a short lock_timeout and a retry', async () => {
    const [f] = await lint('require-concurrent-detach', [detach], 13);
    expect(f!.rewrite).not.toContain('CONCURRENTLY;');
    expect(f!.rewrite).toContain(
      "SET LOCAL lock_timeout = '2s';\nALTER TABLE measurements DETACH PARTITION measurements_2020;",
    );
  });

  it('does not fire with CONCURRENTLY or FINALIZE, nor on a partitioned table the pending migrations created', async () => {
    const safe = ownFile(
      'ALTER TABLE m DETACH PARTITION m_1 CONCURRENTLY;\nALTER TABLE m DETACH PARTITION m_1 FINALIZE;',
    );
    expect(await lint('require-concurrent-detach', [safe])).toEqual([]);
    const created = 'CREATE TABLE m (at date) PARTITION BY RANGE (at);';
    expect(await lint('require-concurrent-detach', [created, 'ALTER TABLE m DETACH PARTITION m_1;'])).toEqual([]);
  });
});
