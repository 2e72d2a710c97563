/**
 * `tidemark test --locks`: runs one script and asks PostgreSQL what it did.
 *
 * A transactional script runs in BEGIN … COMMIT, statement by statement
 * (the lexer's split); right after each statement the backend reads its own
 * relation locks from pg_locks, in the same transaction (locks last until
 * COMMIT, so each reading holds everything taken so far). A no-transaction
 * script runs statement by statement too, each committing on its own, while
 * a second connection (the watcher) samples pg_locks for the migrating
 * backend. pg_class is read before and after: a relation whose relfilenode
 * changed was rewritten; one that was not there before was created.
 *
 * Writes no ledger row. A failing statement rolls the transaction back and
 * its error is rethrown unchanged (failedStatementOf says which it was).
 */
import { performance } from 'node:perf_hooks';
import type { Client } from 'pg';
import { summarise, type RelationFile } from '../observe/summary';
import type { MigrationObservation, ObservedLock, StatementObservation } from '../observe/types';
import { splitStatements, type Statement } from '../sql/lexer';
import { connectBeside } from './connection';
import { disconnect } from './disconnect';
import { ownLocks, relationFiles, watchLocks, type RawLock } from './observe-locks';
import { rollbackQuietly } from './transaction';

/** A script to observe. */
export interface ObservedScript {
  readonly version: bigint;
  readonly name: string;
  /** Relative to the migrations directory. */
  readonly path: string;
  readonly direction: 'up' | 'down';
  readonly transactional: boolean;
  readonly sql: string;
  /**
   * Statements run first, as one query: right after BEGIN in a transactional
   * script (SET LOCAL …); before the first statement of a no-transaction
   * script, where SET LOCAL does nothing (pass session SETs, and reset them).
   */
  readonly settings?: string;
}

export interface ObserveOptions {
  /**
   * For a no-transaction script: a second connection to the same database,
   * which samples pg_locks while each statement runs. Without it one is
   * opened beside `client` (connectBeside) and closed at the end.
   */
  readonly watcher?: Client;
  /** How often the watcher samples, ms (default 5). */
  readonly pollMs?: number;
}

const FAILED = Symbol('the statement of an observed script that failed');

/** The statement of an observed script that failed with `err`, or null when `err` did not come from one. */
export function failedStatementOf(err: unknown): Statement | null {
  const statement = typeof err === 'object' && err !== null ? (err as { [FAILED]?: Statement })[FAILED] : undefined;
  return statement ?? null;
}

/** Runs one statement; a failure is marked with it (non-enumerable: the error is pg's, unchanged). */
async function run(client: Client, statement: Statement): Promise<number> {
  const start = performance.now();
  try {
    await client.query(statement.text);
  } catch (err) {
    if (typeof err === 'object' && err !== null) Object.defineProperty(err, FAILED, { value: statement });
    throw err;
  }
  return performance.now() - start;
}

/** What was read while the script ran, before naming the relations. */
interface Run {
  readonly statements: readonly { readonly statement: Statement; readonly ms: number; readonly locks: RawLock[] }[];
  readonly startedAt: readonly number[];
  readonly endedAt: number;
}

async function runInTransaction(client: Client, script: ObservedScript, statements: Statement[]): Promise<Run> {
  const observed: Run['statements'][number][] = [];
  const startedAt: number[] = [];
  const t0 = performance.now();
  await client.query('BEGIN');
  try {
    if (script.settings) await client.query(script.settings);
    for (const statement of statements) {
      startedAt.push(performance.now() - t0);
      const ms = await run(client, statement);
      observed.push({ statement, ms, locks: await ownLocks(client) });
    }
    await client.query('COMMIT');
  } catch (err) {
    await rollbackQuietly(client);
    throw err;
  }
  return { statements: observed, startedAt, endedAt: performance.now() - t0 };
}

async function runWatched(
  client: Client,
  script: ObservedScript,
  statements: Statement[],
  watcher: Client,
  pid: number,
  pollMs: number,
): Promise<Run> {
  const observed: Run['statements'][number][] = [];
  const startedAt: number[] = [];
  const t0 = performance.now();
  if (script.settings) await client.query(script.settings);
  for (const statement of statements) {
    startedAt.push(performance.now() - t0);
    const watch = watchLocks(watcher, pid, pollMs);
    let ms: number;
    try {
      ms = await run(client, statement);
    } catch (err) {
      await watch.stop().catch(() => undefined);
      throw err;
    }
    const seen = await watch.stop();
    observed.push({
      statement,
      ms,
      locks: [...seen].map(([oid, mode]) => ({ oid, mode, relation: null, kind: null })),
    });
  }
  return { statements: observed, startedAt, endedAt: performance.now() - t0 };
}

async function runWithoutTransaction(
  client: Client,
  script: ObservedScript,
  statements: Statement[],
  options: ObserveOptions,
): Promise<Run> {
  const { rows } = await client.query<{ pid: number; database: string }>(
    'SELECT pg_catalog.pg_backend_pid() AS pid, pg_catalog.current_database() AS database',
  );
  const { pid, database } = rows[0];
  const watcher = options.watcher ?? (await connectBeside(client, database));
  try {
    return await runWatched(client, script, statements, watcher, pid, options.pollMs ?? 5);
  } finally {
    if (!options.watcher) await disconnect(watcher);
  }
}

/**
 * The locks as ObservedLocks, each relation named once for the whole script:
 * its name before the script if it existed (a rename does not split it),
 * else after, else as the transaction saw it; a lock on a relation that is
 * in neither snapshot nor pg_class (created and dropped within a statement,
 * a catalog) is left out.
 */
function nameLocks(locks: readonly RawLock[], before: Map<string, RelationFile>, after: Map<string, RelationFile>) {
  const named: ObservedLock[] = [];
  for (const lock of locks) {
    const file = before.get(lock.oid) ?? after.get(lock.oid);
    const relation = file?.relation ?? lock.relation;
    const kind = file?.kind ?? lock.kind;
    if (relation === null || kind === null) continue;
    named.push({ relation, kind, existed: before.has(lock.oid), mode: lock.mode });
  }
  return named.sort((a, b) => a.relation.localeCompare(b.relation));
}

const byOid = (files: readonly RelationFile[]) => new Map(files.map((f) => [f.oid, f]));

/**
 * Runs `script` on `client` and returns what PostgreSQL showed it doing:
 * per statement its time and relation locks, per relation the summary
 * (lib/observe/summary.ts). The script takes effect (COMMIT); no ledger row
 * is written.
 * @throws pg's error of a failing statement, unchanged, after ROLLBACK (transactional); failedStatementOf(err) names the statement.
 * @throws ConnectionError when the watcher of a no-transaction script cannot connect (exit 5).
 */
export async function observeScript(
  client: Client,
  script: ObservedScript,
  options: ObserveOptions = {},
): Promise<MigrationObservation> {
  const statements = splitStatements(script.sql);
  const beforeFiles = await relationFiles(client);
  const result = script.transactional
    ? await runInTransaction(client, script, statements)
    : await runWithoutTransaction(client, script, statements, options);
  const locked = new Set(result.statements.flatMap((s) => s.locks.map((l) => l.oid)));
  const afterFiles = locked.size === 0 ? [] : await relationFiles(client, [...locked]);
  const before = byOid(beforeFiles);
  const after = byOid(afterFiles);
  const observed: StatementObservation[] = result.statements.map(({ statement, ms, locks }) => ({
    index: statement.index,
    line: statement.line,
    text: statement.text,
    ms,
    locks: nameLocks(locks, before, after),
  }));
  const relations = summarise({
    transactional: script.transactional,
    statements: observed,
    startedAt: result.startedAt,
    endedAt: result.endedAt,
    before: beforeFiles.filter((f) => locked.has(f.oid)),
    after: afterFiles,
  });
  const { version, name, path, direction, transactional } = script;
  return { version, name, path, direction, transactional, statements: observed, relations, totalMs: result.endedAt };
}
