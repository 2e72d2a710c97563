/**
 * Fleets for the tests: N throwaway databases made from one template (an
 * empty database copied by the server: ~25 ms each, against a fresh
 * template0 for every one), a targets file for them with a password in
 * every URL (trust auth ignores it, and nothing may print it), and the
 * checks every fleet test makes: the ledgers, and no password anywhere.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { ADMIN_URL } from './db';

/** The password every fleet test puts in its targets' URLs. */
export const FLEET_PASSWORD = 'Fl33t-s3cret-pw';

export interface Fleet {
  /** The databases' names, in list order (`<prefix>_000` …). */
  readonly names: readonly string[];
  /** The URL of database `name`, with the password. */
  url(name: string): string;
  /** One query on every database, in parallel batches; rows by database. */
  queryAll<T = Record<string, unknown>>(sql: string): Promise<Map<string, T[]>>;
  /** Runs one statement on database `name`. */
  query<T = Record<string, unknown>>(name: string, sql: string): Promise<T[]>;
  drop(): Promise<void>;
}

async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Runs `fn` on each name, on eight admin connections at once. */
async function eightAtATime(
  names: readonly string[],
  fn: (c: Client, name: string) => Promise<unknown>,
): Promise<void> {
  const queue = [...names];
  const worker = () =>
    withClient(ADMIN_URL, async (c) => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) await fn(c, name);
    });
  await Promise.all(Array.from({ length: Math.min(8, names.length) }, worker));
}

const urlOf = (database: string, password?: string) => {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  if (password) url.password = password;
  return url.toString();
};

/** `count` empty databases, created from one template. */
export async function createFleet(count: number): Promise<Fleet> {
  const prefix = `tidemark_fleet_${randomBytes(4).toString('hex')}`;
  const template = `${prefix}_tpl`;
  const names = Array.from({ length: count }, (_, i) => `${prefix}_${String(i).padStart(3, '0')}`);
  await withClient(ADMIN_URL, (c) => c.query(`CREATE DATABASE ${template} TEMPLATE template0`));
  await eightAtATime(names, (c, name) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  const query = <T>(name: string, sql: string) =>
    withClient(urlOf(name), async (c) => (await c.query(sql)).rows as T[]);
  return {
    names,
    url: (name) => urlOf(name, FLEET_PASSWORD),
    query,
    async queryAll<T>(sql: string) {
      const out = new Map<string, T[]>();
      for (let i = 0; i < names.length; i += 10)
        await Promise.all(names.slice(i, i + 10).map(async (n) => out.set(n, await query<T>(n, sql))));
      return out;
    },
    async drop() {
      // Each DROP DATABASE waits for a checkpoint (1–2 s here), and concurrent ones share it.
      await eightAtATime(names, (c, name) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      await withClient(ADMIN_URL, (c) => c.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`));
    },
  };
}

/** Writes a targets file: `{name, url, labels}` per database; the first `canaries` labelled tier=canary. */
export function writeTargets(file: string, fleet: Fleet, canaries = 0): string {
  const targets = fleet.names.map((name, i) => ({
    name: name.slice(name.lastIndexOf('_') + 1),
    url: fleet.url(name),
    labels: { tier: i < canaries ? 'canary' : 'main', ring: String(i % 3) },
  }));
  writeFileSync(file, JSON.stringify(targets, null, 2));
  return file;
}

/** The target name of a fleet database (what writeTargets calls it). */
export const targetName = (database: string) => database.slice(database.lastIndexOf('_') + 1);

/** Every file under `dir` (reports, run files), recursively. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

/** Where the password appears: in `texts` (name → text) and in the files under `dirs` other than the targets file. */
export function passwordLeaks(
  texts: Record<string, string>,
  dirs: readonly string[],
  skip: readonly string[],
): string[] {
  const found = Object.entries(texts)
    .filter(([, text]) => text.includes(FLEET_PASSWORD))
    .map(([name]) => name);
  for (const dir of dirs)
    for (const file of filesUnder(dir))
      if (!skip.includes(file) && readFileSync(file, 'utf8').includes(FLEET_PASSWORD)) found.push(file);
  return found;
}

/**
 * A migrations folder: `count` pairs; each creates table <prefix><n> and
 * records its run in <prefix>_runs (one row per run of a migration: the
 * proof that it ran exactly once). `sleepMs` slows each migration down.
 */
export function fleetMigrations(count: number, prefix = 't', sleepMs = 0): Record<string, string> {
  const runs = `${prefix}_runs`;
  const sleep = sleepMs > 0 ? `SELECT pg_sleep(${sleepMs / 1000});\n` : '';
  const files: Record<string, string> = {
    [`001_${prefix}_runs.up.sql`]: `CREATE TABLE ${runs} (version int NOT NULL, at timestamptz NOT NULL DEFAULT now());\nINSERT INTO ${runs} (version) VALUES (1);\n${sleep}`,
    [`001_${prefix}_runs.down.sql`]: `DROP TABLE ${runs};\n`,
  };
  for (let v = 2; v <= count; v++) {
    const id = String(v).padStart(3, '0');
    files[`${id}_${prefix}${v}.up.sql`] =
      `CREATE TABLE ${prefix}${v} (id bigint PRIMARY KEY, note text);\nINSERT INTO ${runs} (version) VALUES (${v});\n${sleep}`;
    files[`${id}_${prefix}${v}.down.sql`] = `DROP TABLE ${prefix}${v};\nDELETE FROM ${runs} WHERE version = ${v};\n`;
  }
  return files;
}

/** Databases whose <prefix>_runs does not hold each version 1..count exactly once (with what it holds). */
export async function notMigratedOnce(fleet: Fleet, prefix: string, count: number): Promise<Record<string, string>> {
  const sql = `SELECT coalesce(string_agg(version::text, ',' ORDER BY version), '') AS versions FROM ${prefix}_runs`;
  const rows = new Map<string, string>();
  for (let i = 0; i < fleet.names.length; i += 10)
    await Promise.all(
      fleet.names.slice(i, i + 10).map(async (name) => {
        const got = await fleet.query<{ versions: string }>(name, sql).then(
          (r) => r[0].versions,
          () => '(no table)',
        );
        rows.set(name, got);
      }),
    );
  const want = Array.from({ length: count }, (_, i) => String(i + 1)).join(',');
  const bad: Record<string, string> = {};
  for (const name of fleet.names) {
    const got = rows.get(name);
    if (got !== want) bad[name] = got ?? '(no table)';
  }
  return bad;
}
