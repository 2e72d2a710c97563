/**
 * When a fleet run stops starting targets, when a failure is worth another
 * try, and how long to wait before it. Pure.
 */
import type { FleetPolicy } from './types';

/** `--max-failure-rate` is judged once this many targets have finished (or all, if fewer): one early failure is not a rate. */
export const RATE_SAMPLE = 10;

export interface Tally {
  readonly finished: number;
  readonly failed: number;
  /** Targets in the run (after the shard and `--only failed`). */
  readonly total: number;
}

/**
 * The reason to stop starting targets, or null to go on. In-flight targets
 * always finish.
 */
export function thresholdReached(policy: FleetPolicy, tally: Tally): string | null {
  if (tally.failed === 0) return null;
  if (policy.failFast) return `--fail-fast: ${tally.failed} target${tally.failed === 1 ? '' : 's'} failed`;
  if (policy.maxFailures !== undefined && tally.failed >= policy.maxFailures)
    return `--max-failures ${policy.maxFailures} reached (${tally.failed} failed)`;
  const rate = policy.maxFailureRate;
  if (
    rate !== undefined &&
    tally.finished >= Math.min(RATE_SAMPLE, tally.total) &&
    tally.failed / tally.finished > rate
  )
    return `--max-failure-rate ${rate} exceeded (${tally.failed} of ${tally.finished} finished targets failed)`;
  return null;
}

/** SQLSTATEs worth another try: lock_not_available, deadlock, admin shutdown, too many connections, and the connection-exception class. */
const TRANSIENT_SQLSTATES = new Set([
  '55P03',
  '40P01',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);
const TRANSIENT_SOCKET = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** What the runner knows of a failure, to classify it. */
export interface FailureFacts {
  /** The SQLSTATE, or a socket error code (ECONNRESET). */
  readonly sqlstate?: string;
  /** The error's own code (tidemark's: 'unreachable', 'migration-failed'…). */
  readonly code?: string;
  readonly message: string;
  /** A no-transaction migration stopped part way: some statements took effect. */
  readonly partial: boolean;
}

/**
 * Transient: connection loss (unreachable, a socket error, "Connection
 * terminated"), 55P03, 40P01, 57P01, 53300, and the migration lock not had
 * within --lock-wait (nothing ran on the target). Never a no-transaction migration
 * that failed part way: its ledger row is `failed` and it needs a person
 * (`apply --resume` or `repair`).
 */
export function isTransient(f: FailureFacts): boolean {
  if (f.partial) return false;
  if (f.code === 'unreachable' || f.code === 'lock-timeout') return true;
  if (f.sqlstate !== undefined && (TRANSIENT_SQLSTATES.has(f.sqlstate) || TRANSIENT_SOCKET.has(f.sqlstate)))
    return true;
  return /Connection terminated|connection (?:was )?(?:lost|closed)|server closed the connection/i.test(f.message);
}

/** The wait before retry `attempt` (1-based): base·2^(attempt-1), ±50% jitter, at most 30 s. */
export function backoffMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const raw = baseMs * 2 ** (attempt - 1);
  return Math.min(30_000, Math.round(raw * (0.5 + random())));
}

/**
 * The policy's numbers, checked (the library passes them unparsed).
 * @returns a problem to report as a ConfigError, or null.
 */
export function policyProblem(p: FleetPolicy): string | null {
  const whole = (n: number | undefined, min: number) => n === undefined || (Number.isInteger(n) && n >= min);
  if (!whole(p.concurrency, 1)) return `concurrency must be a whole number, 1 or more (got ${p.concurrency}).`;
  if (!whole(p.perHost, 1)) return `perHost must be a whole number, 1 or more (got ${p.perHost}).`;
  if (!whole(p.maxFailures, 1)) return `maxFailures must be a whole number, 1 or more (got ${p.maxFailures}).`;
  if (!whole(p.retries, 0)) return `retries must be a whole number, 0 or more (got ${p.retries}).`;
  const rate = p.maxFailureRate;
  if (rate !== undefined && !(rate >= 0 && rate <= 1))
    return `maxFailureRate must be a share between 0 and 1, e.g. 0.1 (got ${rate}).`;
  return null;
}
