/**
 * `apply --dry-run --sql` and `rollback --dry-run --sql`: what a run would
 * send, in order, as a file a DBA can review or run with `psql`. Built from
 * the same query builders the executor uses (session-settings.ts, ledger.ts,
 * ledger-progress.ts), so the two cannot drift apart; the values a run sends
 * as query parameters are written as literals here, quoted by pg's
 * `escapeLiteral`.
 *
 * Where the file cannot be what a run sends, it says so in a comment:
 * tidemark polls for the migration lock (here: one try, then stop), measures
 * some durations as it goes (here: 0), and leaves out its read-only catalog
 * look-ups. renderSqlScript is pure; schemaExists is the one fact it needs
 * from the database that the ledger read does not give.
 */
import { escapeIdentifier, escapeLiteral, type Client } from 'pg';
import { splitStatements } from '../sql/lexer';
import type { Plan, Step } from '../types';
import { appliedRowQuery, createLedgerSql, qualifiedName, rolledBackRowQuery, type LedgerTable } from './ledger';
import { progressQueries } from './ledger-progress';
import { lockKey } from './lock';
import {
  batchStepSettingsQuery,
  resetSessionQuery,
  sessionSettingsQuery,
  settingsFor,
  transactionSettingsQuery,
  type StepSettings,
} from './session-settings';

export interface SqlScriptOptions {
  readonly ledger: LedgerTable;
  readonly settings: StepSettings;
  readonly singleTransaction: boolean;
  /** The ledger table does not exist yet: the run creates it first. */
  readonly createLedger: boolean;
  /** …and its schema neither. */
  readonly createSchema: boolean;
  /** `--resume`: statements of the first step's script that already took effect. */
  readonly resumeFrom?: number;
  /** The command, for the header: `tidemark apply --dry-run --sql`. */
  readonly command: string;
}

/** A query with its parameters, or SQL text to print as it is (a script, a comment). */
type Piece = { readonly text: string; readonly values?: readonly unknown[] } | string;

/**
 * The SQL a run of `plan` would send, with psql's `ON_ERROR_STOP` set at the
 * top so that `psql -f` stops at the first error (the open transaction is
 * then rolled back when psql exits, as when tidemark's run fails).
 */
export function renderSqlScript(plan: Plan, options: SqlScriptOptions): string {
  const pieces: Piece[] = [...header(plan, options)];
  if (plan.steps.length > 0) pieces.push(...body(plan, options));
  return `${pieces.map(render).join('\n')}\n`;
}

function header(plan: Plan, o: SqlScriptOptions): Piece[] {
  const verb = plan.direction === 'up' ? 'apply' : 'roll back';
  const labels = plan.steps.map((s) => s.pair.label).join(', ');
  const n = plan.steps.length;
  return [
    `-- ${o.command}: the SQL this run would send, in order. Nothing was changed.`,
    n === 0
      ? `-- Nothing to ${verb}.`
      : `-- ${n === 1 ? '1 migration' : `${n} migrations`} to ${verb}${o.singleTransaction ? ', all in one transaction' : ''}: ${labels}.`,
    '-- Run it with: psql -v ON_ERROR_STOP=1 -f FILE (it stops at the first error; the open transaction is then rolled back).',
    '-- Values tidemark sends as query parameters are written as literals.',
    '\\set ON_ERROR_STOP on',
  ];
}

function body(plan: Plan, o: SqlScriptOptions): Piece[] {
  const key = lockKey(o.ledger).toString();
  const pieces: Piece[] = [
    '',
    `-- The migration lock of ${qualifiedName(o.ledger)}: tidemark polls for it up to --lock-wait seconds; this file tries once and stops if another run holds it.`,
    `DO $tidemark$ BEGIN IF NOT pg_catalog.pg_try_advisory_lock(${escapeLiteral(key)}::bigint) THEN RAISE EXCEPTION 'another run holds the migration lock of %', ${escapeLiteral(qualifiedName(o.ledger))}; END IF; END $tidemark$;`,
  ];
  if (o.singleTransaction) pieces.push('', 'BEGIN;', transactionSettingsQuery(o.settings));
  if (o.createLedger) pieces.push('', ...ledgerCreation(o));
  plan.steps.forEach((step, i) => pieces.push('', ...stepPieces(step, o, i === 0 ? (o.resumeFrom ?? 0) : 0)));
  if (o.singleTransaction) pieces.push('', 'COMMIT;');
  pieces.push('', `SELECT pg_catalog.pg_advisory_unlock(${escapeLiteral(key)}::bigint);`);
  return pieces;
}

function ledgerCreation(o: SqlScriptOptions): Piece[] {
  return [
    `-- The ledger ${qualifiedName(o.ledger)} does not exist yet: the run creates it${o.singleTransaction ? " (in the batch's transaction)" : ''}.`,
    ...(o.createSchema ? [`CREATE SCHEMA IF NOT EXISTS ${escapeIdentifier(o.ledger.schema)};`] : []),
    `${createLedgerSql(o.ledger)};`,
  ];
}

function stepPieces(step: Step, o: SqlScriptOptions, resumeFrom: number): Piece[] {
  const script = step.pair[step.direction];
  const title = `-- ${step.pair.label} (version ${step.pair.version}): ${script.path}`;
  if (script.directives.noTransaction)
    return [
      `${title}, without a transaction, statement by statement, its progress in the ledger`,
      ...noTransactionPieces(step, o, resumeFrom),
    ];
  const row =
    step.direction === 'up'
      ? appliedRowQuery(o.ledger, step.pair, o.settings.environment, o.singleTransaction ? 0 : undefined)
      : rolledBackRowQuery(o.ledger, step.pair.version);
  if (o.singleTransaction) {
    const settings = batchStepSettingsQuery(settingsFor(step, o.settings));
    const note = step.direction === 'up' ? ' (duration_ms: measured by tidemark as it runs; 0 here)' : '';
    return [title, ...(settings ? [settings] : []), terminated(script.body.text()), `-- its ledger row${note}`, row];
  }
  return [
    title,
    'BEGIN;',
    transactionSettingsQuery(settingsFor(step, o.settings)),
    terminated(script.body.text()),
    '-- its ledger row, checked to be written in the transaction that ran the script',
    row,
    'COMMIT;',
  ];
}

/** As runNonTransactional sends it: the session settings, the row `running`, each statement and its progress, the row `applied` (or deleted), the session reset. */
function noTransactionPieces(step: Step, o: SqlScriptOptions, resumeFrom: number): Piece[] {
  const { pair, direction } = step;
  const statements = splitStatements(pair[direction].body.text());
  const total = statements.length;
  const start = progressQueries.start(o.ledger, step, { done: resumeFrom, total }, o.settings.environment);
  const rowExists = direction === 'down' || resumeFrom > 0;
  const pieces: Piece[] = [
    sessionSettingsQuery(settingsFor(step, o.settings)),
    start.update,
    ...(rowExists ? [] : [start.insert]),
  ];
  if (resumeFrom > 0) pieces.push(`-- --resume: statements 1 to ${resumeFrom} took effect already`);
  for (const statement of statements.slice(resumeFrom)) {
    pieces.push(
      `-- statement ${statement.index + 1} of ${total} (line ${statement.line})`,
      terminated(statement.text),
      progressQueries.advance(o.ledger, pair.version, statement.index + 1, total),
    );
  }
  if (direction === 'up')
    pieces.push(
      '-- duration_ms: measured by tidemark as it runs; 0 here',
      progressQueries.finishUp(o.ledger, pair.version, 0),
    );
  else pieces.push(progressQueries.rolledBack(o.ledger, pair.version));
  pieces.push({ text: resetSessionQuery(o.settings) });
  return pieces;
}

/**
 * A script or statement with a `;` after its last statement, so that psql
 * sends it on its own: a script may end without one (tidemark sends it
 * whole), or in a line comment that would swallow a `;` on the same line.
 */
function terminated(sql: string): string {
  const text = sql.replace(/\s+$/, '');
  const statements = splitStatements(text);
  const last = statements[statements.length - 1];
  if (last === undefined || last.end < text.length) return text;
  return /--[^\n]*$/.test(text) ? `${text}\n;` : `${text};`;
}

function render(piece: Piece): string {
  if (typeof piece === 'string') return piece;
  return `${inline(piece.text, piece.values ?? [])};`;
}

/** `$n` → the n-th value as a literal. Only tidemark's own query texts come here, and none holds `$n` in a string. */
function inline(text: string, values: readonly unknown[]): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => literal(values[Number(n) - 1]));
}

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return escapeLiteral(String(value)).trim(); // ` E'…'` when it holds a backslash: safe whatever standard_conforming_strings says
}

/** Whether the ledger's schema exists (read-only): the dry run's one look-up beyond the ledger itself. */
export async function schemaExists(client: Client, schema: string): Promise<boolean> {
  const { rows } = await client.query<{ exists: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname OPERATOR(pg_catalog.=) $1) AS exists',
    [schema],
  );
  return rows[0].exists;
}
