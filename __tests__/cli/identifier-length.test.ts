/**
 * Names PostgreSQL would cut (issue 13): a --table of 64+ bytes was cut to
 * 63 by the server, so two spellings shared one ledger under two different
 * lock keys, and `<table>_audit`, cut the same way, was the ledger itself.
 * Now: refused before connecting (exit 2, naming the flag or variable), and
 * the longest accepted names work end to end, audit table included.
 */
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { runInProcess } from '../helpers/in-process';
import { useTestDatabase } from '../helpers/db';
import { migrationsDir } from '../helpers/files';

const FILES = { '001_first.up.sql': 'CREATE TABLE first (id int);\n', '001_first.down.sql': 'DROP TABLE first;\n' };

const db = useTestDatabase();

async function relations(): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    "SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
  );
  return rows.map((r) => r.name);
}

test.each([
  ['--table', 'apply', ['--table', 't'.repeat(58)], 'at most 57 bytes'],
  ['--table', 'repair', ['--table', `ledger_${'x'.repeat(60)}`], 'at most 57 bytes'],
  ['--schema', 'apply', ['--schema', 's'.repeat(64)], 'at most 63 bytes'],
  ['--schema', 'status', ['--schema', 's'.repeat(64)], 'at most 63 bytes'],
])('%s too long for %s: exit 2, nothing created', async (flag, command, args, limit) => {
  const dir = migrationsDir(FILES);
  const run = await runInProcess([command, '--dir', dir, '--url', db.url, ...args]);
  expect(run.stderr).toContain(flag);
  expect(run.stderr).toContain(limit);
  expect(run.stderr).toContain('PostgreSQL cuts names at 63 bytes');
  expect(run.code).toBe(2);
  expect(await relations()).toEqual([]);
});

test('TIDEMARK_TABLE too long: the variable is named', async () => {
  const run = await runInProcess(['apply', '--dir', migrationsDir(FILES), '--url', db.url], {
    env: { TIDEMARK_TABLE: 'y'.repeat(64) },
  });
  expect(run.stderr).toContain('$TIDEMARK_TABLE');
  expect(run.code).toBe(2);
});

test('a 57-byte table in a 63-byte schema: apply, repair (a 63-byte audit table beside the ledger) and status work', async () => {
  const dir = migrationsDir(FILES);
  const [schema, table] = ['s'.repeat(63), 't'.repeat(57)];
  const tidemark = (...args: string[]) =>
    runInProcess([...args, '--dir', dir, '--url', db.url, '--schema', schema, '--table', table]);
  expect((await tidemark('apply')).code).toBe(0);
  appendFileSync(path.join(dir, '001_first.up.sql'), 'COMMENT ON TABLE first IS NULL;\n');
  expect((await tidemark('repair', '--version', '1', '--reason', 'accepted')).code).toBe(0);
  const status = await tidemark('status', '--json');
  expect(status.code).toBe(0);
  expect(JSON.parse(status.stdout).audit).toHaveLength(1);
  expect(await relations()).toEqual(['public.first', `${schema}.${table}`, `${schema}.${table}_audit`]);
});
