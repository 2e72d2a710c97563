// Scripts of 1 MiB and more are parsed a statement at a time (bounded
// memory); positions must be those of the whole script.
import { lintSources, type LintSource } from '../../../lib/lint/engine';

const script = (sql: string): LintSource => ({
  script: { path: '001_big.up.sql', version: 1n, direction: 'up', transactional: true, runnerLockTimeout: '5s' },
  sql,
});

/** About 1.5 MiB of INSERTs, with multi-byte characters, so byte and character offsets differ. */
function dataRows(count = 15_000): string {
  const rows: string[] = [];
  for (let i = 0; i < count; i++) rows.push(`INSERT INTO big VALUES (${i}, 'é ${'x'.repeat(80)}');`);
  return rows.join('\n');
}

describe('a big script', () => {
  const rows = dataRows();
  const lines = rows.split('\n').length;

  it('is over the piecewise threshold', () => {
    expect(Buffer.byteLength(rows)).toBeGreaterThan(1024 * 1024);
  });

  it('reports a hazard after the data at the same line and column as a small script would', async () => {
    const tail = '\n  /* é */ CREATE INDEX ié ON orders (x);\n';
    const [big] = await lintSources([script(rows + tail)], { pgVersion: 16 });
    expect(big).toMatchObject({ rule: 'require-concurrent-index', line: lines + 1, column: 30 });
    const [small] = await lintSources([script('SELECT 1;' + tail)], { pgVersion: 16 });
    expect(small).toMatchObject({ rule: 'require-concurrent-index', line: 2, column: 30 });
    expect(big?.statement).toBe(small?.statement);
  });

  it('reports a syntax error at its place in the whole script', async () => {
    const findings = await lintSources([script(rows + '\nCREATE TABL x;\n')], { pgVersion: 16 });
    expect(findings).toEqual([expect.objectContaining({ rule: 'syntax-error', line: lines + 1, column: 8 })]);
  });
});
