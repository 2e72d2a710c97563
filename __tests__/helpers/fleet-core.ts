/** Fleets in tests: N throwaway databases, N schemas, the migrations they share, a context. */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { resolveConfig } from '../../lib/config';
import type { FleetPolicy, FleetTarget } from '../../lib/fleet/types';
import type { RunContext } from '../../lib/migrator';
import { ADMIN_URL } from './db';
import { captureLogger } from './logger';

/** A password in every URL (trust auth ignores it): no report, event or file may show it. */
export const PASSWORD = `pw-${randomBytes(6).toString('hex')}`;

export function urlWithPassword(database: string): string {
  const url = new URL(ADMIN_URL);
  url.password = PASSWORD;
  url.pathname = `/${database}`;
  return url.toString();
}

export async function admin<T>(fn: (c: Client) => Promise<T>, database = 'postgres'): Promise<T> {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  const c = new Client({ connectionString: url.toString() });
  c.on('error', () => {});
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Creates `n` databases (CREATE DATABASE … TEMPLATE template0); returns their names. */
export async function createDatabases(n: number): Promise<string[]> {
  const prefix = `tidemark_fleet_${randomBytes(4).toString('hex')}`;
  const names = Array.from({ length: n }, (_, i) => `${prefix}_${String(i).padStart(2, '0')}`);
  await admin(async (c) => {
    for (const name of names) await c.query(`CREATE DATABASE ${name} TEMPLATE template0`);
  });
  return names;
}

export async function dropDatabases(names: readonly string[]): Promise<void> {
  await admin(async (c) => {
    for (const name of names) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
}

/**
 * Migrations for tenants: unqualified names (they land in the target's
 * schema), and every application counted in public.applied (a row per
 * schema and version), so "exactly once" can be checked.
 */
export const TENANT_MIGRATIONS: Record<string, string> = {
  '001_items.up.sql':
    'CREATE TABLE items (id int PRIMARY KEY, owner text NOT NULL DEFAULT current_schema());\nINSERT INTO public.applied VALUES (current_schema(), 1);',
  '001_items.down.sql': 'DROP TABLE items;',
  '002_seed.up.sql': 'INSERT INTO items (id) VALUES (1);\nINSERT INTO public.applied VALUES (current_schema(), 2);',
  '002_seed.down.sql': 'DELETE FROM items WHERE id = 1;',
  '003_note.up.sql':
    'ALTER TABLE items ADD COLUMN note text;\nINSERT INTO public.applied VALUES (current_schema(), 3);',
  '003_note.down.sql': 'ALTER TABLE items DROP COLUMN note;',
};

export const APPLIED_TABLE =
  'CREATE TABLE IF NOT EXISTS public.applied (schema_name text NOT NULL, version int NOT NULL)';

export function fleetContext(
  url: string | undefined,
  dir: string,
  overrides: Record<string, unknown> = {},
): RunContext & { lines: Record<string, unknown>[] } {
  const { config } = resolveConfig({}, {});
  const { logger, lines } = captureLogger();
  return { config: { ...config, url, dir, ...overrides }, logger, lines };
}

export const policy = (p: Partial<FleetPolicy> = {}): FleetPolicy => ({
  concurrency: 4,
  failFast: false,
  retries: 0,
  ...p,
});

export const schemaTargets = (n: number, prefix = 't'): FleetTarget[] =>
  Array.from({ length: n }, (_, i) => {
    const name = `${prefix}_${String(i).padStart(3, '0')}`;
    return { name, schema: name, labels: { ring: String(i % 3) } };
  });
