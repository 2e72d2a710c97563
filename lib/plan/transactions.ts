/**
 * Which scripts may run inside a transaction. Pure; uses the SQL lexer.
 */
import {
  ConfigError,
  TransactionControlError,
  TransactionSafetyError,
  type CheckedBy,
  type TransactionProblem,
} from '../errors';
import {
  isAddEnumValue,
  isDdl,
  mayBeNonTransactional,
  nonTransactionalReason,
  transactionControlReason,
} from '../sql/classify';
import { words } from '../sql/words';
import type { Plan, Script } from '../types';

/** Words without which no statement can need to run outside a transaction; saves lexing big data scripts. */
const HINT = /concurrently|vacuum|system|database|tablespace|subscription|cluster|discard|prepared|reindex/i;

/**
 * A transaction-control statement starts with one of these words; `end` and
 * `begin` are common inside bodies and data, so this only saves lexing
 * scripts that mention none of them.
 */
const CONTROL_HINT = /\b(?:begin|start|commit|end|rollback|abort|prepare)\b/i;

/** Statements of a transactional script that PostgreSQL refuses inside a transaction block. */
export function nonTransactionalStatements(script: Script): TransactionProblem[] {
  return transactionProblems(script).filter((p) => p.kind === 'needs-no-transaction');
}

/**
 * Statements of a transactional script (one without `-- tidemark:no-transaction`)
 * that cannot run in the transaction tidemark wraps it in: those PostgreSQL
 * refuses inside a transaction block, and those that end that transaction
 * or start one of their own (COMMIT, ROLLBACK, BEGIN…).
 */
export function transactionProblems(script: Script): TransactionProblem[] {
  if (script.directives.noTransaction) return [];
  const { body } = script;
  if (!body.mentions(HINT) && !body.mentions(CONTROL_HINT)) return [];
  // Only statements whose first word can give a reason are decoded: a data migration's rows are not.
  const problems: TransactionProblem[] = [];
  for (const s of body.statements()) {
    if (!mayBeNonTransactional(s.firstWord)) continue;
    const problem = problemOf(s.text);
    if (problem !== null) problems.push({ path: script.path, line: s.line, column: s.column, ...problem });
  }
  return problems;
}

function problemOf(text: string): Pick<TransactionProblem, 'kind' | 'reason'> | null {
  const control = transactionControlReason(text);
  if (control !== null) return { kind: 'transaction-control', reason: control };
  const reason = nonTransactionalReason(text);
  return reason === null ? null : { kind: 'needs-no-transaction', reason };
}

/**
 * Throws for the problems found: transaction control first (exit 2 either
 * way). `by` words the message for the command that checked: `verify` never
 * runs anything.
 */
export function throwTransactionProblems(problems: readonly TransactionProblem[], by: CheckedBy = 'run'): void {
  const control = problems.filter((p) => p.kind === 'transaction-control');
  if (control.length > 0) throw new TransactionControlError(control, by);
  if (problems.length > 0) throw new TransactionSafetyError(problems, by);
}

/**
 * Checks a plan before anything runs.
 * @throws TransactionControlError (exit 2) when a transactional script ends
 *   its transaction or starts one (COMMIT, ROLLBACK, BEGIN…).
 * @throws TransactionSafetyError (exit 2) when a transactional script holds a
 *   statement that cannot run in a transaction.
 * @throws ConfigError when `singleTransaction` and the plan holds a no-transaction script.
 */
export function checkTransactions(plan: Plan, singleTransaction: boolean): void {
  const scripts = plan.steps.map((s) => s.pair[s.direction]);
  if (singleTransaction) {
    const marked = scripts.filter((s) => s.directives.noTransaction).map((s) => s.path);
    if (marked.length > 0) {
      throw new ConfigError(
        `--single-transaction cannot include ${marked.join(', ')}: marked -- tidemark:no-transaction, it must run outside a transaction. ` +
          'Apply the migrations before it with --single-transaction --target, then the rest without it.',
      );
    }
  }
  throwTransactionProblems(scripts.flatMap(transactionProblems));
}

/** A no-transaction script that verify warns about. */
export interface MixedScript {
  /**
   * `mixed`: it needs the directive and also holds ordinary DDL, which is
   * where partial states come from. `unneeded`: no statement in it needs
   * the directive, so it gives up its transaction for nothing.
   */
  readonly kind: 'mixed' | 'unneeded';
  readonly path: string;
  /** Line of the first ordinary DDL statement (`mixed`), or of the directive (`unneeded`). */
  readonly line: number;
  /** The first line of that statement (`unneeded`: of the directive), cut to 80 characters. */
  readonly statement: string;
}

/** Each no-transaction script that holds ordinary DDL beside what needs the directive, or that needs no directive at all. */
export function mixedScripts(scripts: readonly Script[]): MixedScript[] {
  return scripts.flatMap((script): MixedScript[] => {
    if (!script.directives.noTransaction) return [];
    const statements = [...script.body.statements()];
    if (!statements.some((s) => mayNeedNoTransaction(s.text)))
      return [{ kind: 'unneeded', path: script.path, ...directiveLine(script.body.head()) }];
    const ddl = statements.find((s) => isDdl(s) && !mayNeedNoTransaction(s.text));
    return ddl
      ? [{ kind: 'mixed', path: script.path, line: ddl.line, statement: ddl.text.split('\n')[0].slice(0, 80) }]
      : [];
  });
}

/** The line of the `-- tidemark:no-transaction` directive, among the leading comment lines. */
function directiveLine(sql: string): { line: number; statement: string } {
  const lines = sql.split('\n', 1000);
  const at = lines.findIndex((l) => /^\s*--\s*tidemark:no-transaction\s*$/.test(l));
  return { line: at + 1 || 1, statement: (lines[at] ?? '-- tidemark:no-transaction').trim().slice(0, 80) };
}

/**
 * Statements whose first word may make them need running outside a
 * transaction in ways the text cannot show: `REINDEX` and `CLUSTER` of a
 * partitioned table, a procedure (`CALL`) or `DO` block that commits.
 */
const MAY_NEED_FIRST_WORDS: ReadonlySet<string> = new Set(['reindex', 'cluster', 'call', 'do']);

/**
 * True when a statement is a reason for `-- tidemark:no-transaction`: it
 * cannot run in a transaction block, or controls transactions itself, or
 * adds an enum value (refused in a transaction before PostgreSQL 12, and not
 * usable in the transaction that added it), or may need it where the text
 * cannot tell.
 */
function mayNeedNoTransaction(text: string): boolean {
  if (nonTransactionalReason(text) !== null || transactionControlReason(text) !== null || isAddEnumValue(text))
    return true;
  const [first] = words(text, 1);
  return first !== undefined && MAY_NEED_FIRST_WORDS.has(first);
}
