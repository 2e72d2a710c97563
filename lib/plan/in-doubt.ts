/**
 * A statement in doubt: a non-transactional migration's statement that was
 * sent, and whose end was never recorded (the process or its connection
 * died). Whether it took effect is decided from the catalog where the
 * catalog can tell (concurrent index builds and drops), from the statement
 * itself where it cannot matter (BEGIN, COMMIT), and otherwise by the user's
 * word (--assume-done / --assume-not-done). Pure.
 */
import { ConfigError } from '../errors';
import { transactionControlReason } from '../sql/classify';
import { words } from '../sql/words';
import type { IndexFacts, IndexQuestion } from '../types';

/** The catalog question for `CREATE [UNIQUE] INDEX CONCURRENTLY [IF NOT EXISTS] name ON table`, `DROP INDEX CONCURRENTLY`, `REINDEX … CONCURRENTLY`. */
export function indexQuestion(sql: string): IndexQuestion | null {
  const w = words(sql, 40);
  if (w[0] === 'reindex') return w.includes('concurrently') ? { kind: 'reindex' } : null;
  if (w[0] === 'drop' && w[1] === 'index' && w[2] === 'concurrently') {
    const at = w[3] === 'if' ? 5 : 3;
    const name = qualifiedName(w, at);
    return name && w[name.next] !== ',' ? { kind: 'drop', index: name.text } : null;
  }
  if (w[0] !== 'create') return null;
  let i = w[1] === 'unique' ? 2 : 1;
  if (w[i] !== 'index' || w[i + 1] !== 'concurrently') return null;
  i += 2;
  if (w[i] === 'if') i += 3;
  if (w[i] === 'on') return null; // no name: the catalog cannot tell which index it would be
  const index = w[i];
  if (index === undefined || w[i + 1] !== 'on') return null;
  const table = qualifiedName(w, w[i + 2] === 'only' ? i + 3 : i + 2);
  return table ? { kind: 'create', index, table: table.text } : null;
}

/** `a`, `a.b`, `"A"."b"` at w[at], as text to_regclass reads. */
function qualifiedName(w: readonly string[], at: number): { text: string; next: number } | null {
  if (w[at] === undefined || !isName(w[at])) return null;
  if (w[at + 1] === '.' && w[at + 2] !== undefined && isName(w[at + 2]))
    return { text: `${w[at]}.${w[at + 2]}`, next: at + 3 };
  return { text: w[at], next: at + 1 };
}

const isName = (token: string) => /^(?:"(?:[^"]|"")+"|[a-z_\u0080-\uffff][a-z0-9_$\u0080-\uffff]*)$/i.test(token);

export type Assume = 'done' | 'not-done' | undefined;

export interface InDoubt {
  /** 1-based statement number, its line, its text, and the script's path. */
  readonly statement: number;
  readonly line: number;
  readonly text: string;
  readonly path: string;
  readonly version: bigint;
  readonly direction: 'up' | 'down';
}

/**
 * Did the statement in doubt take effect? True/false, or a ConfigError (exit
 * 2) that says what to check and which flag to give.
 */
export function decideInDoubt(doubt: InDoubt, facts: IndexFacts | null, assume: Assume): boolean {
  const command = `tidemark ${doubt.direction === 'up' ? 'apply' : 'rollback'} --resume`;
  const at = `${doubt.path}:${doubt.line}, statement ${doubt.statement}`;
  if (facts?.kind === 'reindex' && facts.leftovers.length > 0) {
    throw new ConfigError(
      `--resume: statement ${doubt.statement} in doubt (${at}: ${firstLine(doubt.text)}) left the INVALID index(es) ${facts.leftovers.join(', ')} of an interrupted REINDEX CONCURRENTLY. Remove them, then resume:\n` +
        facts.leftovers.map((name) => `  DROP INDEX CONCURRENTLY IF EXISTS ${name};`).join('\n'),
    );
  }
  if (facts?.kind === 'reindex') return false; // nothing left behind: running it again is harmless
  if (facts?.kind === 'create' && facts.state === 'invalid') {
    throw new ConfigError(
      `--resume: statement ${doubt.statement} in doubt (${at}: ${firstLine(doubt.text)}) was interrupted and left the index ${facts.index} INVALID. Remove it, then resume (it will be built again):\n  DROP INDEX CONCURRENTLY IF EXISTS ${facts.index};`,
    );
  }
  if (facts?.kind === 'create') return facts.state === 'valid';
  if (facts?.kind === 'drop') return facts.state === 'absent';
  const control = transactionControlReason(doubt.text);
  // A transaction block of the script: its progress is written inside it, so
  // a BEGIN still in flight never committed, and a COMMIT in flight did.
  if (control === 'BEGIN' || control === 'START TRANSACTION') return false;
  if (control !== null && (control.startsWith('COMMIT') || control.startsWith('END'))) return true;
  if (assume !== undefined) return assume === 'done';
  throw new ConfigError(
    `--resume: statement ${doubt.statement} of version ${doubt.version} is IN DOUBT: it was running when the session went away, and it may or may not have taken effect.\n` +
      `  ${at}: ${firstLine(doubt.text)}\n` +
      `Check the database for its effect (the object it creates, alters or drops; the rows it changes), then:\n` +
      `  ${command} --assume-done       if it took effect (resume from statement ${doubt.statement + 1})\n` +
      `  ${command} --assume-not-done   if it did not (run it again)`,
  );
}

const firstLine = (text: string) => text.split('\n')[0].slice(0, 100);
