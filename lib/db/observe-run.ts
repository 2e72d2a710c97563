/**
 * Running a script for lib/db/observe.ts, statement by statement, reading
 * the relation locks of each.
 *
 * In a transaction: BEGIN, the settings, each statement followed by a
 * reading of the backend's own locks (pg_locks, same transaction), COMMIT.
 *
 * Without one, each statement commits on its own, and how its locks are read
 * depends on the statement:
 * - one that may run in a transaction block runs in a block of its own
 *   (BEGIN; it; the reading; COMMIT) — what autocommit does implicitly, with
 *   the locks read exactly, as in a transaction, instead of sampled;
 * - one that may not (CREATE INDEX CONCURRENTLY, VACUUM, …: lib/sql/classify),
 *   and CALL and DO (a procedure may COMMIT, which it cannot in a block), runs
 *   bare while the watcher samples pg_locks for this backend: a lock taken
 *   and released between two samples is missed;
 * - inside a block the script opened itself, a statement is followed by a
 *   reading, as in a transaction;
 * - transaction control, and outside a block LOCK, DECLARE, SAVEPOINT,
 *   RELEASE and ROLLBACK TO (which fail there, as they must), run bare and
 *   unwatched.
 */
import { performance } from 'node:perf_hooks';
import type { Client } from 'pg';
import { isTransactionControl, nonTransactionalReason } from '../sql/classify';
import type { Statement } from '../sql/lexer';
import { words } from '../sql/words';
import { ownLocks, watchLocks, type RawLock } from './observe-locks';
import { rollbackQuietly } from './transaction';
import type { SettingsQuery } from './session-settings';

/** One statement as run: its time and the relation locks read for it. */
export interface RanStatement {
  readonly statement: Statement;
  readonly ms: number;
  readonly locks: readonly RawLock[];
}

/** What was read while the script ran, before the relations are named. */
export interface Run {
  readonly statements: readonly RanStatement[];
  /** ms from the script's start to each statement's start. */
  readonly startedAt: readonly number[];
  /** ms from the script's start to the end of its COMMIT (or of its last statement). */
  readonly endedAt: number;
}

const FAILED = Symbol('the statement of an observed script that failed');

/** The statement of an observed script that failed with `err`, or null when `err` did not come from one. */
export function failedStatementOf(err: unknown): Statement | null {
  const statement = typeof err === 'object' && err !== null ? (err as { [FAILED]?: Statement })[FAILED] : undefined;
  return statement ?? null;
}

/** Runs one statement and gives its time; a failure is marked with it (non-enumerable: the error stays pg's). */
async function timed(client: Client, statement: Statement): Promise<number> {
  const start = performance.now();
  try {
    await client.query(statement.text);
  } catch (err) {
    if (typeof err === 'object' && err !== null) Object.defineProperty(err, FAILED, { value: statement });
    throw err;
  }
  return performance.now() - start;
}

/**
 * Runs a statement inside an open transaction with the reading of the locks
 * right behind it (pipelined, on a client that pipelines: no round trip of
 * its own). The reading fails when the statement did (the transaction is
 * aborted); the statement's error is the one thrown.
 */
async function withReading(client: Client, statement: Statement): Promise<RanStatement> {
  const ran = timed(client, statement);
  const locks = ownLocks(client);
  locks.catch(() => undefined);
  const ms = await ran;
  return { statement, ms, locks: await locks };
}

/** Runs `step` for each statement, recording when each started. */
async function eachStatement(
  statements: readonly Statement[],
  t0: number,
  step: (statement: Statement) => Promise<RanStatement>,
): Promise<Pick<Run, 'statements' | 'startedAt'>> {
  const ran: RanStatement[] = [];
  const startedAt: number[] = [];
  for (const statement of statements) {
    startedAt.push(performance.now() - t0);
    ran.push(await step(statement));
  }
  return { statements: ran, startedAt };
}

/** A transactional script: BEGIN, settings, each statement and its reading, COMMIT; ROLLBACK on failure. */
export async function runInTransaction(
  client: Client,
  statements: readonly Statement[],
  settings: SettingsQuery | undefined,
): Promise<Run> {
  const t0 = performance.now();
  await client.query('BEGIN');
  try {
    if (settings) await client.query(settings.text, settings.values);
    const ran = await eachStatement(statements, t0, (statement) => withReading(client, statement));
    await client.query('COMMIT');
    return { ...ran, endedAt: performance.now() - t0 };
  } catch (err) {
    await rollbackQuietly(client);
    throw err;
  }
}

/** Statements whose meaning depends on the transaction block they are in: never wrapped in one. */
const BLOCK_BOUND = new Set(['lock', 'declare', 'savepoint', 'release', 'rollback']);

/** Statements that may commit by themselves (a procedure or DO block that COMMITs fails inside a block): never wrapped. */
const MAY_COMMIT = new Set(['call', 'do']);

/** How a statement of a no-transaction script is observed. */
function strategyOf(client: Client, statement: Statement): 'read' | 'wrap' | 'watch' | 'bare' {
  if (isTransactionControl(statement)) return 'bare';
  if (client.getTransactionStatus() !== 'I') return 'read';
  const first = words(statement.text, 1)[0] ?? '';
  if (BLOCK_BOUND.has(first)) return 'bare';
  return nonTransactionalReason(statement) === null && !MAY_COMMIT.has(first) ? 'wrap' : 'watch';
}

/** Runs a statement bare while `watcher` samples pg_locks for backend `pid`. */
async function watched(client: Client, statement: Statement, watcher: Client, pid: number, pollMs: number) {
  const ran = timed(client, statement);
  const watch = watchLocks(watcher, pid, pollMs);
  let ms: number;
  try {
    ms = await ran;
  } catch (err) {
    await watch.stop().catch(() => undefined);
    throw err;
  }
  const seen = await watch.stop();
  return { statement, ms, locks: [...seen].map(([oid, mode]) => ({ oid, mode, relation: null, kind: null })) };
}

/** Runs a statement in a block of its own with the reading; one refused in a block (25001) runs watched instead. */
async function wrapped(client: Client, statement: Statement, watch: () => Promise<RanStatement>) {
  await client.query('BEGIN');
  try {
    const ran = await withReading(client, statement);
    await client.query('COMMIT');
    return ran;
  } catch (err) {
    await rollbackQuietly(client);
    if ((err as { code?: string }).code === '25001') return await watch();
    throw err;
  }
}

/** The watcher connection and the backend it watches, for a no-transaction script. */
export interface Watcher {
  readonly client: Client;
  readonly pid: number;
  readonly pollMs: number;
}

/**
 * A no-transaction script: the settings, then each statement as
 * {@link strategyOf} says. `watcher` is called once, when a statement first
 * needs sampling.
 */
export async function runWithoutTransaction(
  client: Client,
  statements: readonly Statement[],
  settings: SettingsQuery | undefined,
  watcher: () => Promise<Watcher>,
): Promise<Run> {
  const t0 = performance.now();
  if (settings) await client.query(settings.text, settings.values);
  let watching: Promise<Watcher> | undefined;
  const watch = async (statement: Statement) => {
    const { client: other, pid, pollMs } = await (watching ??= watcher());
    return await watched(client, statement, other, pid, pollMs);
  };
  const ran = await eachStatement(statements, t0, async (statement) => {
    switch (strategyOf(client, statement)) {
      case 'read':
        return await withReading(client, statement);
      case 'wrap':
        return await wrapped(client, statement, () => watch(statement));
      case 'watch':
        return await watch(statement);
      case 'bare':
        return { statement, ms: await timed(client, statement), locks: [] };
    }
  });
  return { ...ran, endedAt: performance.now() - t0 };
}
