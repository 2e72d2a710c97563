/**
 * A run stopped by a signal (exit 128 + the signal's number), and the
 * summaries of what it left behind.
 */
import type { Direction } from '../types';
import { TidemarkError } from './base';

/**
 * The run was stopped by a signal (Ctrl-C, a CI job cancelled, an ssh
 * session that dropped) after it cleaned up. Exit 128 + the signal's number,
 * as a shell reports it: 129 for SIGHUP, 130 for SIGINT, 131 for SIGQUIT,
 * 143 for SIGTERM.
 */
export class InterruptedError extends TidemarkError<'interrupted'> {
  constructor(
    /** `SIGHUP`, `SIGINT`, `SIGQUIT` or `SIGTERM` (anything else counts as SIGTERM). */
    readonly signal: string,
    /** What was done and undone, for the message. */
    detail: string,
  ) {
    super('interrupted', `Interrupted by ${signal}. ${detail}`, signal);
  }
}

/** "statements 1–3 of 5 took effect", from the number done. */
export function tookEffect(done: number, total: number): string {
  return done === 0
    ? 'no statement took effect'
    : done === 1
      ? `statement 1 of ${total} took effect`
      : `statements 1–${done} of ${total} took effect`;
}

/** Where a non-transactional script stopped, for the summaries. */
export interface PartialStop {
  readonly path: string;
  readonly label: string;
  readonly direction: Direction;
  /** 1-based statement it stopped at, and its line. */
  readonly statement: number;
  readonly line: number;
  readonly total: number;
  /** Statements that took effect. */
  readonly done: number;
  /** `failed`: cancelled, did not take effect; `not-sent`: never sent; `in-doubt`: may have taken effect. */
  readonly kind: 'failed' | 'not-sent' | 'in-doubt';
  readonly invalidIndexes: readonly string[];
}

/** What a stopped non-transactional script took effect with, what is in doubt, and the exact next command. */
export function partialStopDetail(p: PartialStop): string {
  const command = `tidemark ${p.direction === 'up' ? 'apply' : 'rollback'} --resume`;
  const at = `statement ${p.statement} (line ${p.line})`;
  const rest = p.total - p.statement;
  const parts = [`${p.path} runs without a transaction: ${tookEffect(p.done, p.total)};`];
  if (p.kind === 'in-doubt') {
    parts.push(`${at} was running and is IN DOUBT: it may or may not have taken effect; ${rest} after it did not run.`);
    parts.push(
      `Its ledger row still shows ${at} in flight. Next: \`tidemark status\` shows it; then \`${command}\` — it checks the catalog for a concurrent index build, and for any other statement asks you to check and say --assume-done or --assume-not-done.`,
    );
  } else {
    parts.push(p.kind === 'failed' ? `${at} was cancelled and did not take effect;` : `${at} was not run;`);
    parts.push(`${rest} after it did not run. Its ledger row is marked failed, at ${at}.`);
    for (const index of p.invalidIndexes)
      parts.push(`The cancelled build left the INVALID index ${index}: DROP INDEX CONCURRENTLY IF EXISTS ${index};`);
    parts.push(`Next: \`${command}\` continues from ${at}.`);
  }
  return parts.join(' ');
}

/** The detail of an interrupted apply or rollback whose running step was a non-transactional script. */
export function partialInterruptionDetail(completed: readonly string[], stop: PartialStop, notDone: number): string {
  return [
    completed.length > 0
      ? `This run completed ${completed.join(', ')} before it.`
      : 'This run had completed nothing before it.',
    partialStopDetail(stop),
    `${notDone} migration(s) not done, ${stop.label} included. The lock was released.`,
  ].join(' ');
}

/** The detail of an interrupted apply or rollback: what this run completed, cancelled and left. */
export function interruptionDetail(completed: readonly string[], cancelled: string | null, notApplied: number): string {
  const parts = [
    completed.length > 0
      ? `This run completed ${completed.join(', ')} before it.`
      : 'This run had completed nothing before it.',
  ];
  if (cancelled) parts.push(`${cancelled} was cancelled and rolled back.`);
  parts.push(`${notApplied} not done. The lock was released; the next run continues from there.`);
  return parts.join(' ');
}
