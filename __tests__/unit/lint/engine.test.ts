// The lint engine with the reference rule (require-concurrent-index): where
// findings point, history, suppressions, live sizes and per-rule settings.
import { describeSize, lintSources, type LiveFacts, type LintSource } from '../../../lib/lint/engine';
import type { RelationName } from '../../../lib/lint/types';

let version = 0n;
function source(sql: string, extra: { transactional?: boolean; path?: string } = {}): LintSource {
  version += 1n;
  const path = extra.path ?? `${String(version).padStart(3, '0')}_m.up.sql`;
  // The runner sets a lock_timeout, so require-lock-timeout stays quiet: these tests are about the engine.
  const script = { path, version, direction: 'up' as const, transactional: extra.transactional ?? true };
  return { script: { ...script, runnerLockTimeout: '5s' }, sql };
}

const lint = (sources: LintSource[], options: Partial<Parameters<typeof lintSources>[1]> = {}) =>
  lintSources(sources, { pgVersion: 16, ...options });

describe('lint engine', () => {
  it('points at the table of a CREATE INDEX, line and column 1-based, counted in characters', async () => {
    const [finding, ...rest] = await lint([source('-- é\nSELECT 1;\n  CREATE INDEX ié ON orders (x);\n')]);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      rule: 'require-concurrent-index',
      severity: 'error',
      path: '001_m.up.sql',
      line: 3,
      column: 22,
      table: 'orders',
      lock: { mode: 'SHARE', relation: 'orders' },
    });
    expect(finding?.lock?.blocks).toMatch(/blocks writes/);
    expect(finding?.rewrite).toContain('CREATE INDEX CONCURRENTLY ié ON orders (x);');
  });

  it('reports a script that does not parse as a syntax-error finding at the parser position', async () => {
    const findings = await lint([source('SELECT 1;\nCREATE TABL x;\n')]);
    expect(findings).toEqual([
      expect.objectContaining({ rule: 'syntax-error', severity: 'error', line: 2, column: 8 }),
    ]);
    expect(findings[0]?.message).toContain('syntax error at or near "TABL"');
  });

  it('does not flag a table created by the same or an earlier pending migration', async () => {
    const findings = await lint([
      source('CREATE TABLE fresh (id int);\nCREATE INDEX ON fresh (id);'),
      source('CREATE INDEX ON public.fresh (id);'),
      source('CREATE INDEX ON old (id);'),
    ]);
    expect(findings.map((f) => f.table)).toEqual(['old']);
  });

  describe('suppressions', () => {
    it('silence the rule for the statement on the next line, with a reason', async () => {
      const findings = await lint([
        source('-- tidemark:lint-ignore require-concurrent-index lookup table of 20 rows\nCREATE INDEX ON lookup (k);'),
      ]);
      expect(findings).toEqual([]);
    });

    it('silence the statement on the same line', async () => {
      const sql = 'CREATE INDEX ON lookup (k); -- tidemark:lint-ignore require-concurrent-index 20 rows';
      expect(await lint([source(sql)])).toEqual([]);
    });

    it('without a reason are an error, and silence nothing', async () => {
      const findings = await lint([source('-- tidemark:lint-ignore require-concurrent-index\nCREATE INDEX ON t (k);')]);
      expect(findings.map((f) => [f.rule, f.severity, f.line])).toEqual([
        ['lint-ignore', 'error', 1],
        ['require-concurrent-index', 'error', 2],
      ]);
    });

    it('that silence nothing are reported', async () => {
      const findings = await lint([source('-- tidemark:lint-ignore require-concurrent-index because\nSELECT 1;')]);
      expect(findings.map((f) => [f.rule, f.severity, f.line, f.column])).toEqual([['lint-ignore', 'warning', 1, 1]]);
    });
  });

  describe('live facts', () => {
    const facts = (rows: number, bytes: number): LiveFacts => ({
      sizeOf: (t: RelationName) => (t.name === 'orders' ? { rows, bytes } : undefined),
      hasIndexLeading: () => false,
      hasNotNullCheck: () => false,
    });

    it('carry the table size into the message', async () => {
      const [finding] = await lint([source('CREATE INDEX ON orders (x);')], {
        live: facts(48_000_000, 6.1 * 1024 ** 3),
      });
      expect(finding?.message).toContain('~48.0 M rows, 6.1 GB');
      expect(finding?.size).toEqual({ rows: 48_000_000, bytes: 6.1 * 1024 ** 3 });
      expect(finding?.severity).toBe('error');
    });

    it('make a finding on an empty table informational', async () => {
      const [finding] = await lint([source('CREATE INDEX ON orders (x);')], { live: facts(0, 8192) });
      expect(finding).toMatchObject({ severity: 'info', message: expect.stringContaining('empty table') });
    });
  });

  it('applies per-rule settings: a severity, or off', async () => {
    const sql = 'CREATE INDEX ON t (x);';
    const [warned] = await lint([source(sql)], { rules: { 'require-concurrent-index': 'warning' } });
    expect(warned?.severity).toBe('warning');
    expect(await lint([source(sql)], { rules: { 'require-concurrent-index': 'off' } })).toEqual([]);
  });

  it('describes sizes compactly', () => {
    expect(describeSize({ rows: 1234, bytes: 2048 })).toBe('~1.2 k rows, 2.0 kB');
    expect(describeSize({ rows: -1, bytes: 10 })).toBe('never analysed, 10 B');
    expect(describeSize({ rows: 0, bytes: 8192 })).toBe('empty table');
  });
});
