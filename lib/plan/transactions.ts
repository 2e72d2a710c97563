/**
 * Which scripts may run inside a transaction. Pure; uses the SQL lexer.
 */
import { ConfigError, TransactionSafetyError, type TransactionProblem } from '../errors';
import { isDdl, mayBeNonTransactional, nonTransactionalReason } from '../sql/classify';
import { ByteLineCursor, splitStatements, statementsInBytes } from '../sql/lexer';
import { stripBom } from '../source/checksum';
import type { Plan, Script } from '../types';

/** Words without which no statement can need to run outside a transaction; saves lexing big data scripts. */
const HINT = /concurrently|vacuum|system|database|tablespace|subscription|cluster|discard|prepared|reindex/i;

/** Statements of a transactional script that PostgreSQL refuses inside a transaction block. */
export function nonTransactionalStatements(script: Script): TransactionProblem[] {
  if (script.directives.noTransaction || !mentionsHint(script)) return [];
  if (script.bytes) return bigScriptProblems(script, script.bytes);
  return splitStatements(script.sql).flatMap((s) => {
    const reason = nonTransactionalReason(s);
    return reason === null ? [] : [{ path: script.path, line: s.line, column: s.column, reason }];
  });
}

/**
 * The same problems for a big script, from its bytes: its statements are
 * found one at a time, and only those whose first word can give a reason are
 * decoded, so neither its text nor its list of statements is ever held.
 */
function bigScriptProblems(script: Script, bytes: Buffer): TransactionProblem[] {
  const body = stripBom(bytes); // as in script.sql: the decoder drops a BOM too
  const cursor = new ByteLineCursor(body);
  const problems: TransactionProblem[] = [];
  for (const s of statementsInBytes(body)) {
    if (!mayBeNonTransactional(s.firstWord)) continue;
    const reason = nonTransactionalReason(body.toString('utf8', s.start, s.end));
    if (reason !== null) problems.push({ path: script.path, ...cursor.moveTo(s.start), reason });
  }
  return problems;
}

/** Whether a HINT word occurs; a big script is searched in its bytes a window at a time, never as one string. */
function mentionsHint(script: Script): boolean {
  const { bytes } = script;
  if (!bytes) return HINT.test(script.sql);
  const WINDOW = 512 * 1024; // below 1 MB, where Node would make each window an external string that only a full GC frees
  const OVERLAP = 16; // longer than every HINT word, so none is missed at a window's edge
  // latin1 keeps ASCII bytes as they are: the words are ASCII, the rest cannot form them.
  for (let at = 0; at < bytes.length; at += WINDOW) {
    if (HINT.test(bytes.toString('latin1', at, Math.min(bytes.length, at + WINDOW + OVERLAP)))) return true;
  }
  return false;
}

/**
 * Checks a plan before anything runs.
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
  const problems = scripts.flatMap(nonTransactionalStatements);
  if (problems.length > 0) throw new TransactionSafetyError(problems);
}

/** A no-transaction script that also holds ordinary DDL: where partial states come from. */
export interface MixedScript {
  readonly path: string;
  readonly line: number;
  readonly statement: string;
}

/** The first ordinary DDL statement of each no-transaction script, for verify's warning. */
export function mixedScripts(scripts: readonly Script[]): MixedScript[] {
  return scripts.flatMap((script) => {
    if (!script.directives.noTransaction) return [];
    const ddl = splitStatements(script.sql).find((s) => isDdl(s));
    return ddl ? [{ path: script.path, line: ddl.line, statement: ddl.text.split('\n')[0].slice(0, 80) }] : [];
  });
}
