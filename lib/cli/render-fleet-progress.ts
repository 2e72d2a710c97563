/**
 * A fleet run as it goes. On a terminal, one live line: targets done,
 * failed and running, and the ETA (from the mean time per finished target
 * and the concurrency), with a log line for each failure. Elsewhere (CI
 * logs, a pod's log), one plain line per finished target.
 */
import type { FleetEvent, TargetResult } from '../fleet/types';
import type { Logger } from '../log';
import { targetLine } from './render-fleet';

export interface ProgressCounts {
  total: number;
  done: number;
  failed: number;
  running: number;
  startedAt: number;
  /** Sum of the finished targets' durations. */
  busyMs: number;
}

/** "fleet apply: 120/200 done, 2 failed, 4 running, ETA 12s". */
export function progressText(command: string, c: ProgressCounts, concurrency: number, now: number): string {
  const head = `fleet ${command}: ${c.done}/${c.total} done, ${c.failed} failed, ${c.running} running`;
  const left = c.total - c.done;
  if (c.done === 0 || left === 0) return `${head}, ${((now - c.startedAt) / 1000).toFixed(0)}s`;
  // Wall time per finished target so far, so that waits on the canary and waves count too.
  const perTarget = (now - c.startedAt) / c.done;
  const byBusy = (c.busyMs / c.done / Math.max(1, concurrency)) * left;
  const eta = Math.max(perTarget * left, byBusy) / 1000;
  return `${head}, ETA ${eta < 90 ? `${Math.ceil(eta)}s` : `${Math.ceil(eta / 60)}min`}`;
}

/** Counts a finished target, and logs its line (a failure always; the others only off a terminal). */
function finished(c: ProgressCounts, r: TargetResult, logger: Logger, onTerminal: boolean): void {
  c.running = Math.max(0, c.running - (r.state === 'not-started' ? 0 : 1));
  c.done++;
  c.busyMs += r.durationMs;
  if (r.state === 'failed') c.failed++;
  const fields = {
    target: r.name,
    state: r.state,
    wave: r.wave,
    attempts: r.attempts,
    duration_ms: Math.round(r.durationMs),
  };
  if (r.state === 'failed')
    logger.error({ ...fields, sqlstate: r.failure?.sqlstate, location: r.failure?.location }, targetLine(r));
  else if (!onTerminal && r.state !== 'not-started') logger.info(fields, targetLine(r));
}

export interface Progress {
  readonly onEvent: (event: FleetEvent) => void;
  readonly stop: () => void;
}

/**
 * `live` draws the line on a terminal (main's live line); without it, each
 * finished target is one info line.
 */
export function createProgress(
  command: string,
  concurrency: number,
  logger: Logger,
  live?: { readonly show: (text: string) => void; readonly stop: () => void },
): Progress {
  const c: ProgressCounts = { total: 0, done: 0, failed: 0, running: 0, startedAt: performance.now(), busyMs: 0 };
  const draw = () => live?.show(progressText(command, c, concurrency, performance.now()));
  const timer = live ? setInterval(draw, 500) : undefined;
  timer?.unref();
  return {
    onEvent(event) {
      switch (event.kind) {
        case 'start':
          c.total = event.total;
          c.startedAt = performance.now();
          break;
        case 'target-start':
          if (event.attempt === 1) c.running++; // a retry is the same target, still running
          break;
        case 'target-end':
          finished(c, event.result, logger, live !== undefined);
          break;
        case 'wave':
          logger.info(
            { wave: event.wave, targets: event.targets },
            `${event.wave}: ${event.targets} target${event.targets === 1 ? '' : 's'}`,
          );
          break;
        case 'stopped':
          logger.warn({ reason: event.reason }, `stopping: ${event.reason}; no more targets will start`);
          break;
      }
      draw();
    },
    stop() {
      if (timer) clearInterval(timer);
      live?.stop();
    },
  };
}
