import { renderSqlScript, type SqlScriptOptions } from '../../lib/db/sql-script';
import type { Pair, Plan } from '../../lib/types';
import { pair } from '../helpers/pairs';

const options: SqlScriptOptions = {
  ledger: { schema: 'public', table: 'tidemark_migrations' },
  settings: { environment: "o'brien", lockTimeout: '5s' },
  singleTransaction: false,
  createLedger: false,
  createSchema: false,
  command: 'tidemark apply --dry-run --sql',
};
const up = (...pairs: Pair[]): Plan => ({ direction: 'up', steps: pairs.map((p) => ({ direction: 'up', pair: p })) });

describe('renderSqlScript', () => {
  it('writes every parameter as a safely quoted literal: quotes doubled, a backslash in an E string', () => {
    const sql = renderSqlScript(up(pair(1, 'a', { up: "SELECT 'a\\b';\n" })), options);
    expect(sql).toMatch(
      /set_config\('tidemark\.environment', 'o''brien', true\), (pg_catalog\.)?set_config\('lock_timeout', '5s', true\)/,
    );
    expect(sql).toContain("E'SELECT ''a\\\\b'';\n'"); // up_sql in the ledger row
    expect(sql).not.toMatch(/\$\d/);
  });

  it('ends a script without a final ; (or ending in a line comment) so psql sends it on its own', () => {
    expect(renderSqlScript(up(pair(1, 'a', { up: 'SELECT 1' })), options)).toContain('\nSELECT 1;\n-- its ledger row');
    expect(renderSqlScript(up(pair(1, 'a', { up: 'SELECT 1 -- the end' })), options)).toContain(
      '\nSELECT 1 -- the end\n;\n-- its ledger row',
    );
    expect(renderSqlScript(up(pair(1, 'a', { up: 'SELECT 1;\n-- done\n' })), options)).toContain(
      '\nSELECT 1;\n-- done\n-- its ledger row',
    );
  });

  it('creates the schema and the ledger first when they do not exist, inside the batch with --single-transaction', () => {
    const sql = renderSqlScript(up(pair(1, 'a')), {
      ...options,
      singleTransaction: true,
      createLedger: true,
      createSchema: true,
      ledger: { schema: 'ops', table: 'Ledger' },
    });
    const order = [
      'BEGIN;',
      'CREATE SCHEMA IF NOT EXISTS "ops";',
      'CREATE TABLE IF NOT EXISTS "ops"."Ledger"',
      '-- 001_a',
      'INSERT INTO "ops"."Ledger"',
      'COMMIT;',
    ];
    const at = order.map((s) => sql.indexOf(s));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((x, y) => x - y)).toEqual(at);
    expect(sql.match(/^BEGIN;$/gm)).toHaveLength(1);
  });

  it('a plan with nothing to do is comments only', () => {
    expect(
      renderSqlScript(up(), options)
        .split('\n')
        .filter((l) => l && !l.startsWith('--') && !l.startsWith('\\set')),
    ).toEqual([]);
  });
});
