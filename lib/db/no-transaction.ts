/**
 * Scripts marked `-- tidemark:no-transaction`: no transaction is open, the
 * statements (split by the SQL lexer) run one by one, and the ledger row
 * records progress after each, so a failure or a crash part-way leaves a
 * `failed` / `running` row saying which statements took effect.
 *
 * The advisory lock is the session lock; nothing holds a transaction open,
 * so `CREATE INDEX CONCURRENTLY` does not wait on us.
 */
import { escapeIdentifier, type Client } from 'pg';
import type { Logger } from '../log';
import { significantTokens, type Statement } from '../sql/lexer';
import type { Progress, Step } from '../types';
import { resumeClientCheck, suspendClientCheck } from './client-check';
import { progressOf, type ProgressRow } from './ledger-progress';
import type { StepTarget } from './run-context';
import { resetSessionQuery, sessionSettingsQuery, settingsFor, type StepSettings } from './session-settings';
import { rollbackQuietly } from './transaction';

/** How a non-transactional script stopped part-way. */
export type StopKind =
  /** The statement failed (or was cancelled): it did not take effect. */
  | 'failed'
  /** Stopped between statements by a signal: the statement had not been sent. */
  | 'not-sent'
  /** The connection was lost while the statement ran: it may or may not have taken effect. */
  | 'in-doubt';

/** A non-transactional script stopped at `statement`; the `done` statements before it took effect. */
export class StatementFailure extends Error {
  constructor(
    readonly error: unknown,
    readonly statement: Statement,
    readonly total: number,
    /** Indexes left INVALID by a failed concurrent build, schema-qualified. */
    readonly invalidIndexes: readonly string[],
    /** Statements that took effect (fewer than statement.index when a transaction block of the script rolled back). */
    readonly done: number = statement.index,
    readonly kind: StopKind = 'failed',
  ) {
    super((error as Error).message);
  }
}

/** Errors after which the session is gone: the statement's fate is unknown. */
const SESSION_GONE = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006']);

/** Did the connection die (rather than the statement fail)? */
export function isSessionGone(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return typeof code !== 'string' || code.length !== 5 || SESSION_GONE.has(code);
}

async function setSession(client: Client, settings: StepSettings): Promise<void> {
  // Pipelined with the settings: no round trip of its own.
  await Promise.all([suspendClientCheck(client), client.query(sessionSettingsQuery(settings))]);
}

async function resetSession(client: Client, settings: StepSettings): Promise<void> {
  await Promise.all([client.query(resetSessionQuery(settings)), resumeClientCheck(client)]);
}

/** The index a `CREATE [UNIQUE] INDEX CONCURRENTLY [IF NOT EXISTS] name` or `REINDEX … CONCURRENTLY name` statement names. */
function indexNameOf(statement: Statement): string | null {
  const words = significantTokens(statement.text, 12);
  const lower = words.map((t) => t.text.toLowerCase());
  if (!lower.includes('concurrently') || !lower.includes('index')) return null;
  let i = lower.indexOf('concurrently') + 1;
  if (lower[i] === 'if') i += 3;
  const token = words[i];
  if (!token || lower[i] === 'on') return null;
  return token.kind === 'quoted-identifier' ? token.text.slice(1, -1).replace(/""/g, '"') : token.text.toLowerCase();
}

/** INVALID indexes the failed statement may have left: by name if it has one, else every invalid index. */
export async function findInvalidIndexes(client: Client, statement: Statement): Promise<string[]> {
  const name = indexNameOf(statement);
  const { rows } = await client.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name
       FROM pg_catalog.pg_index i
       JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) i.indexrelid
       JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
      WHERE NOT i.indisvalid AND ($1::pg_catalog.text IS NULL OR c.relname OPERATOR(pg_catalog.=) $1) ORDER BY 1, 2`,
    [name],
  );
  return rows.map((r) => `${escapeIdentifier(r.schema)}.${escapeIdentifier(r.name)}`);
}

/** How a no-transaction script is run. */
export interface NoTransactionRun {
  /** 0-based statement to start at: > 0 when resuming. */
  readonly startAt: number;
  /** The step's logger. */
  readonly log: Logger;
  /** Aborting it stops the script between statements. */
  readonly signal?: AbortSignal;
  /** Told each statement as it is sent (notices.ts names its line). */
  readonly onStatement?: (statement: Statement) => void;
}

/**
 * Runs the step's script statement by statement, from statement
 * `how.startAt`, and records progress in the ledger.
 * @returns the duration in ms.
 * @throws StatementFailure with the statement it stopped at: failed (the row
 *   is left `failed`), not sent (interrupted; `failed` too, so a resume starts
 *   there), or in doubt (the connection died; the row still shows it in flight).
 */
export async function runNonTransactional(target: StepTarget, step: Step, how: NoTransactionRun): Promise<number> {
  const { client } = target;
  const statements = [...step.pair[step.direction].body.statements()];
  const total = statements.length;
  const settings = settingsFor(step, target.settings);
  const row = progressOf(client, target.ledger, step);
  const script: ScriptRun = { client, row, total, settings };
  await setSession(client, settings);
  await row.start(how.startAt, total, settings.environment);
  const started = performance.now();
  for (const statement of statements.slice(how.startAt)) {
    if (how.signal?.aborted) throw await stopBefore(script, statement, String(how.signal.reason ?? 'SIGTERM'));
    how.log.debug(
      { statement: statement.index + 1, total, line: statement.line },
      `statement ${statement.index + 1}/${total} (line ${statement.line})`,
    );
    how.onStatement?.(statement);
    try {
      await client.query(statement.text);
    } catch (err) {
      throw await failedAt(script, statement, err);
    }
    await row.advance(statement.index + 1, total);
  }
  const durationMs = Math.round(performance.now() - started);
  await row.finish(durationMs);
  await resetSession(client, settings);
  return durationMs;
}

/** The script that runs: its session, its progress row, its number of statements. */
interface ScriptRun {
  readonly client: Client;
  readonly row: ProgressRow;
  readonly total: number;
  readonly settings: StepSettings;
}

/** Interrupted before `statement` was sent: the row is marked `failed` there, so a resume starts at it. */
async function stopBefore(
  { client, row, total, settings }: ScriptRun,
  statement: Statement,
  reason: string,
): Promise<StatementFailure> {
  const done = await endBlock(client, row, statement.index);
  await row
    .fail(errorOf(statement, null, `not run: the run was interrupted by ${reason} before it`), done)
    .catch(() => {});
  await resetSession(client, settings).catch(() => {});
  return new StatementFailure(new Error(`interrupted by ${reason}`), statement, total, [], done, 'not-sent');
}

/** `statement` failed with `err`: the row is marked `failed`, or left in flight when the session is gone. */
async function failedAt(
  { client, row, total, settings }: ScriptRun,
  statement: Statement,
  err: unknown,
): Promise<StatementFailure> {
  if (isSessionGone(err)) return new StatementFailure(err, statement, total, [], statement.index, 'in-doubt');
  const done = await endBlock(client, row, statement.index);
  const invalid = await findInvalidIndexes(client, statement).catch(() => []);
  const error = errorOf(statement, (err as { code?: string }).code ?? null, (err as Error).message);
  await row.fail(error, done).catch(() => {});
  await resetSession(client, settings).catch(() => {});
  return new StatementFailure(err, statement, total, invalid, done);
}

/**
 * Stopping inside the script's own BEGIN … COMMIT: that block is rolled back,
 * with the progress written in it, so the statements done are read back.
 */
async function endBlock(client: Client, row: ProgressRow, done: number): Promise<number> {
  if (client.getTransactionStatus() === 'I') return done;
  await rollbackQuietly(client);
  return row.done().catch(() => done);
}

function errorOf(statement: Statement, sqlstate: string | null, message: string): NonNullable<Progress['error']> {
  return { statement: statement.index + 1, line: statement.line, column: statement.column, sqlstate, message };
}
