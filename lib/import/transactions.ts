/**
 * Scripts that tidemark would refuse in a transaction, made runnable: a
 * script wrapped in its own `BEGIN; … COMMIT;` (golang-migrate and
 * postgrator run files as they are, so folders hold such wrappers) loses the
 * wrapper, since tidemark wraps it anyway; any other transaction control, or
 * a statement PostgreSQL refuses in a transaction block (`CREATE INDEX
 * CONCURRENTLY`), makes the script `-- tidemark:no-transaction`. Each
 * change is a note of the report. Pure.
 */
import { splitStatements, type Statement } from '../sql/lexer';
import { nonTransactionalReason, transactionControlReason } from '../sql/classify';
import type { ForeignScript } from './types';

/** What was done to a script, and the note saying so (null: nothing). */
export interface TransactionFix {
  readonly script: ForeignScript;
  readonly note: string | null;
}

const OPENERS = new Set(['BEGIN', 'START TRANSACTION']);
const CLOSERS = new Set(['COMMIT', 'END']);

/** Fixes one script; `label` names it in the note (`V1.2 up`). */
export function fixTransactions(script: ForeignScript, label: string): TransactionFix {
  if (script.noTransaction) return { script, note: null };
  const statements = splitStatements(script.sql);
  const control = statements.filter((s) => transactionControlReason(s) !== null);
  const offset = (script.line ?? 1) - 1;
  const at = (s: Statement) => `${script.file}:${s.line + offset}`;
  const needing = statements.find((s) => nonTransactionalReason(s) !== null);
  if (control.length === 0 && needing === undefined) return { script, note: null };
  if (needing === undefined && isWrapper(statements, control)) {
    const [begin, commit] = control;
    const sql = remove(script.sql, [commit, begin]);
    return {
      script: { ...script, sql },
      note: `${label}: its own ${transactionControlReason(begin)}/${transactionControlReason(commit)} removed (${at(begin)}, ${at(commit)}); tidemark runs it in one transaction`,
    };
  }
  const why =
    needing !== undefined
      ? `${nonTransactionalReason(needing)} at ${at(needing)} cannot run in a transaction`
      : `it controls its own transactions (${control.map((s) => `${transactionControlReason(s)} at ${at(s)}`).join(', ')})`;
  return {
    script: { ...script, noTransaction: true },
    note: `${label}: marked -- tidemark:no-transaction: ${why}`,
  };
}

/** True when the only transaction control is a BEGIN first and a COMMIT last. */
function isWrapper(statements: readonly Statement[], control: readonly Statement[]): boolean {
  if (control.length !== 2 || statements.length < 2) return false;
  const [begin, commit] = control;
  return (
    begin === statements[0] &&
    commit === statements[statements.length - 1] &&
    OPENERS.has(transactionControlReason(begin) ?? '') &&
    CLOSERS.has(transactionControlReason(commit) ?? '')
  );
}

/** `sql` without these statements and their `;` (given last first, so offsets hold); lines are kept. */
function remove(sql: string, statements: readonly Statement[]): string {
  let out = sql;
  for (const s of statements) {
    const end = out[s.end] === ';' ? s.end + 1 : s.end;
    out = out.slice(0, s.start) + out.slice(end);
  }
  return out;
}
