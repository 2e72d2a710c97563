/**
 * SIGINT / SIGTERM during a run: the first one aborts the run (the running
 * query is cancelled on the server and rolled back, the lock released, and
 * the summary printed); a second one exits at once.
 */
import type { Logger } from '../log';

const EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/** Installs the handlers; returns the signal to pass down and a function that removes them. */
export function trapSignals(logger: Logger): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const handler = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write(`received ${name} again: exiting at once\n`);
      process.exit(EXIT[name] ?? 143);
    }
    logger.warn({ signal: name }, `received ${name}: stopping; a running migration is cancelled and rolled back (send it again to exit at once)`);
    controller.abort(name);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    release: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
