/**
 * Running a phase (the canary, a wave): at most `concurrency` targets at
 * once and at most `perHost` per host:port, in list order, starting nothing
 * once `canStart` says no (a threshold, a signal); targets in flight finish.
 */

export interface Limits {
  readonly concurrency: number;
  readonly perHost?: number;
}

/**
 * Runs `run` over `items`; resolves, once nothing is running, with the items
 * never started.
 */
export function runPhase<T extends { readonly hostKey: string }>(
  items: readonly T[],
  limits: Limits,
  canStart: () => boolean,
  run: (item: T) => Promise<void>,
): Promise<T[]> {
  const queue = [...items];
  const busy = new Map<string, number>();
  let running = 0;
  const next = (): number =>
    limits.perHost === undefined
      ? queue.length > 0
        ? 0
        : -1
      : queue.findIndex((t) => (busy.get(t.hostKey) ?? 0) < (limits.perHost as number));
  return new Promise((resolve, reject) => {
    const pump = (): void => {
      while (running < limits.concurrency && canStart()) {
        const i = next();
        if (i < 0) break;
        const [item] = queue.splice(i, 1);
        running++;
        busy.set(item.hostKey, (busy.get(item.hostKey) ?? 0) + 1);
        run(item).then(() => {
          running--;
          busy.set(item.hostKey, (busy.get(item.hostKey) ?? 1) - 1);
          pump();
        }, reject);
      }
      if (running === 0) resolve(queue);
    };
    pump();
  });
}
