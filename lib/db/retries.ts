/**
 * Retries of a transactional migration that failed on `lock_timeout`
 * (SQLSTATE 55P03, lock_not_available): it was rolled back whole, so running
 * it again is safe, and the lock it waited for may be free a moment later.
 */
export interface RetryPolicy {
  /** How many times to retry (0: never). */
  readonly retries: number;
  /** Base of the jittered exponential backoff, in ms. */
  readonly baseMs: number;
  /** An abort ends the wait, and no retry follows. */
  readonly signal?: AbortSignal;
}

const LOCK_NOT_AVAILABLE = '55P03';

/** Told of each retry before its wait: the error, the attempt that failed (1-based) and the delay. */
export type OnRetry = (err: unknown, attempt: number, delayMs: number) => void;

/**
 * Runs `attempt` until it succeeds, or fails with an error that is not
 * retried (not 55P03, retries used up, or the signal aborted), which is
 * rethrown; an abort during a wait rethrows the last error.
 * @returns what `attempt` returned, and the 1-based attempt that returned it.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  attempt: () => Promise<T>,
  onRetry: OnRetry,
): Promise<{ readonly value: T; readonly attempt: number }> {
  for (let n = 1; ; n++) {
    try {
      return { value: await attempt(), attempt: n };
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== LOCK_NOT_AVAILABLE || n > policy.retries || policy.signal?.aborted) throw err;
      const delayMs = backoff(n, policy.baseMs);
      onRetry(err, n, delayMs);
      await sleep(delayMs, policy.signal);
      if (policy.signal?.aborted) throw err;
    }
  }
}

/** base × 2^(n-1), capped at a minute, times a random 0.5–1.5 so that two runs waiting on one lock drift apart. */
function backoff(attempt: number, baseMs: number): number {
  const base = baseMs * 2 ** (attempt - 1);
  return Math.round(Math.min(base, 60_000) * (0.5 + Math.random()));
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
