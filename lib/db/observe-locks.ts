/**
 * The catalog reads of lib/db/observe.ts: the user relations of pg_class
 * (oid, relfilenode, name, kind), the backend's own relation locks inside
 * its transaction, and a watcher that samples another backend's locks while
 * a no-transaction statement runs.
 */
import { performance } from 'node:perf_hooks';
import type { Client } from 'pg';
import type { LockMode } from '../lint/locks';
import { kindOf, lockModeOf, stronger, type RelationFile } from '../observe/summary';

/** Schemas whose relations are not the migration's: the catalogs, TOAST, other sessions' temp schemas. */
const USER_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', '_tidemark_rt')
   AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'`;

interface FileRow {
  oid: number | string;
  relfilenode: number | string;
  relkind: string;
  schema: string;
  name: string;
}

const fileOf = (row: FileRow): RelationFile => ({
  oid: String(row.oid),
  relfilenode: String(row.relfilenode),
  relation: `${row.schema}.${row.name}`,
  kind: kindOf(row.relkind),
});

/** The user relations of the database (or only those of `oids`). */
export async function relationFiles(client: Client, oids?: readonly string[]): Promise<RelationFile[]> {
  const only = oids === undefined ? '' : 'AND c.oid = ANY($1::pg_catalog.oid[])';
  const { rows } = await client.query<FileRow>(
    `SELECT c.oid, c.relfilenode, c.relkind, n.nspname AS schema, c.relname AS name
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE ${USER_SCHEMAS} ${only}`,
    oids === undefined ? [] : [oids],
  );
  return rows.map(fileOf);
}

/** A relation lock as read from pg_locks: the relation by oid, and its name and kind when pg_class still shows it. */
export interface RawLock {
  readonly oid: string;
  readonly mode: LockMode;
  /** `schema.name` as this transaction sees it; null when pg_class has no such row (dropped) or it is not a user relation. */
  readonly relation: string | null;
  readonly kind: string | null;
}

interface LockRow {
  oid: number | string;
  mode: string;
  schema: string | null;
  name: string | null;
  relkind: string | null;
}

/**
 * The relation locks this backend holds, in its transaction. The query's
 * own ACCESS SHARE locks are on pg_locks, pg_class and pg_namespace (and
 * their indexes), all in pg_catalog: left out with every catalog. A
 * relation this transaction dropped has no pg_class row any more: it comes
 * back with a null name, for the caller to name from its snapshot.
 */
export async function ownLocks(client: Client): Promise<RawLock[]> {
  const { rows } = await client.query<LockRow>(
    `SELECT l.relation AS oid, l.mode, n.nspname AS schema, c.relname AS name, c.relkind
       FROM pg_catalog.pg_locks l
       LEFT JOIN pg_catalog.pg_class c ON c.oid = l.relation
       LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE l.pid = pg_catalog.pg_backend_pid() AND l.locktype = 'relation' AND l.granted
        AND (n.nspname IS NULL OR (${USER_SCHEMAS}))`,
  );
  const locks: RawLock[] = [];
  for (const row of rows) {
    const mode = lockModeOf(row.mode);
    if (mode === null) continue;
    const named = row.schema !== null && row.name !== null && row.relkind !== null;
    locks.push({
      oid: String(row.oid),
      mode,
      relation: named ? `${row.schema}.${row.name}` : null,
      kind: named ? kindOf(row.relkind as string) : null,
    });
  }
  return locks;
}

/** Sampling another backend's locks: stop() ends it and gives the strongest mode seen per relation oid. */
export interface LockWatch {
  stop(): Promise<Map<string, LockMode>>;
}

/** Polls go back to back for this long at first: most DDL on a small table is over within a few ms. */
const BURST_MS = 50;

const WATCH_QUERY = `SELECT l.relation AS oid, l.mode FROM pg_catalog.pg_locks l
  WHERE l.pid = $1 AND l.locktype = 'relation' AND l.granted`;

/**
 * Polls pg_locks on `watcher` for the relation locks of backend `pid`: at
 * once, then every `intervalMs` until stopped (a poll in flight is waited
 * for). A lock taken and released between two polls is not seen. Only oids:
 * the caller names relations from its pg_class snapshots (the watcher cannot
 * see a relation the other backend has created but not committed yet).
 */
export function watchLocks(watcher: Client, pid: number, intervalMs: number): LockWatch {
  const seen = new Map<string, LockMode>();
  let stopped = false;
  let wake = () => {};
  const pause = () =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, intervalMs);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const poll = async () => {
    const { rows } = await watcher.query<{ oid: number | string; mode: string }>(WATCH_QUERY, [pid]);
    for (const row of rows) {
      const mode = lockModeOf(row.mode);
      const oid = String(row.oid);
      if (mode !== null) seen.set(oid, stronger(mode, seen.get(oid) ?? mode));
    }
  };
  const started = performance.now();
  const loop = (async () => {
    for (;;) {
      await poll();
      if (stopped) return;
      if (performance.now() - started < BURST_MS) continue;
      await pause();
      if (stopped) return;
    }
  })();
  // A failed poll surfaces from stop(), never as an unhandled rejection.
  loop.catch(() => {});
  return {
    async stop() {
      stopped = true;
      wake();
      await loop;
      return seen;
    },
  };
}
