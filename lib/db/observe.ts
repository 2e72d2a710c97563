/**
 * `tidemark test --locks`: runs one script and asks PostgreSQL what it did.
 *
 * A transactional script runs in BEGIN … COMMIT, statement by statement
 * (the lexer's split); right after each statement the backend reads its own
 * relation locks from pg_locks, in the same transaction (locks last until
 * COMMIT, so each reading holds everything taken so far). A no-transaction
 * script runs statement by statement too, each committing on its own: read
 * exactly in a block of its own where the statement may run in one, sampled
 * by a second connection (the watcher) where it may not (CREATE INDEX
 * CONCURRENTLY): see observe-run.ts. pg_class is read before and after: a
 * relation whose relfilenode changed was rewritten; one that was not there
 * before was created.
 *
 * Writes no ledger row. A failing statement rolls the transaction back and
 * its error is rethrown unchanged (failedStatementOf says which it was).
 */
import type { Client } from 'pg';
import { stronger, summarise, type RelationFile } from '../observe/summary';
import type { MigrationObservation, ObservedLock, StatementObservation } from '../observe/types';
import { splitStatements, type Statement } from '../sql/lexer';
import { connectBeside } from './connection';
import { disconnect } from './disconnect';
import { relationFiles, type RawLock } from './observe-locks';
import {
  runInTransaction,
  runWithoutTransaction as runStatementsWithoutTransaction,
  type Run,
  type Watcher,
} from './observe-run';
import { rollbackQuietly } from './transaction';
import type { SettingsQuery } from './session-settings';

export { failedStatementOf } from './observe-run';

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
   * script (session-settings.ts transactionSettingsQuery); before the first
   * statement of a no-transaction script, where SET LOCAL does nothing
   * (sessionSettingsQuery, and RESET_SESSION after).
   */
  readonly settings?: SettingsQuery;
}

export interface ObserveOptions {
  /**
   * For a no-transaction script: a second connection to the same database,
   * which samples pg_locks while a statement that cannot run in a
   * transaction block runs (it is left open). Without it one is opened beside
   * `client` (connectBeside) when first needed, and closed at the end.
   */
  readonly watcher?: Client;
  /** How often the watcher samples, ms (default 5). */
  readonly pollMs?: number;
}

/**
 * A no-transaction script; the watcher is the one given, or one opened
 * beside `client` when a statement first needs it, and closed at the end.
 */
async function runWithoutTransaction(
  client: Client,
  script: ObservedScript,
  statements: Statement[],
  options: ObserveOptions,
): Promise<Run> {
  let opened: Promise<Client> | undefined;
  const watcher = async (): Promise<Watcher> => {
    const { rows } = await client.query<{ pid: number; database: string }>(
      'SELECT pg_catalog.pg_backend_pid() AS pid, pg_catalog.current_database() AS database',
    );
    const { pid, database } = rows[0];
    const pollMs = options.pollMs ?? 5;
    if (options.watcher) return { client: options.watcher, pid, pollMs };
    opened = connectBeside(client, database);
    return { client: await opened, pid, pollMs };
  };
  try {
    return await runStatementsWithoutTransaction(client, statements, script.settings, watcher);
  } catch (err) {
    // A block the script opened itself is not left open (or aborted) behind it.
    await rollbackQuietly(client);
    throw err;
  } finally {
    await opened?.then(disconnect, () => undefined);
  }
}

/**
 * The locks as ObservedLocks, the strongest mode per relation (pg_locks has
 * a row per mode held: an UPDATE after an ALTER holds ROW EXCLUSIVE and
 * ACCESS EXCLUSIVE), each relation named once for the whole script: its name
 * before the script if it existed (a rename does not split it), else after,
 * else as the transaction saw it. A lock on a relation that is in neither
 * snapshot nor pg_class (created and dropped within a statement) is left out.
 */
function nameLocks(locks: readonly RawLock[], before: Map<string, RelationFile>, after: Map<string, RelationFile>) {
  const named = new Map<string, ObservedLock>();
  for (const lock of locks) {
    const file = before.get(lock.oid) ?? after.get(lock.oid);
    const relation = file?.relation ?? lock.relation;
    const kind = file?.kind ?? lock.kind;
    if (relation === null || kind === null) continue;
    const mode = stronger(lock.mode, named.get(lock.oid)?.mode ?? lock.mode);
    named.set(lock.oid, { relation, kind, existed: before.has(lock.oid), mode });
  }
  return [...named.values()].sort((a, b) => a.relation.localeCompare(b.relation));
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
    ? await runInTransaction(client, statements, script.settings)
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
