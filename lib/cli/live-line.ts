/**
 * On a terminal, a live line under the log for the migration that is
 * running: its label, n of total, and the time so far. Log lines clear it
 * before they are written (see log.ts), and it is redrawn on the next tick.
 */
import type { StepEvent } from '../types';

export interface LiveLine {
  readonly onStepStart: (event: StepEvent) => void;
  /** Shows `text` as it is (a fleet's counts), redrawn on each tick. */
  readonly show: (text: string) => void;
  readonly stop: () => void;
}

export function createLiveLine(stream: { write(chunk: string): unknown }): LiveLine {
  let current: { text: string; started?: number } | null = null;
  const draw = () => {
    if (!current) return;
    const time = current.started === undefined ? '' : ` ${((performance.now() - current.started) / 1000).toFixed(1)}s`;
    stream.write(`\r\x1b[K${current.text}${time}`);
  };
  const timer = setInterval(draw, 200);
  timer.unref();
  return {
    onStepStart({ step, index, total }) {
      const verb = step.direction === 'up' ? 'applying' : 'rolling back';
      current = { text: `… ${verb} ${step.pair.label} (${index + 1} of ${total})`, started: performance.now() };
      draw();
    },
    show(text) {
      current = { text };
      draw();
    },
    stop() {
      clearInterval(timer);
      if (current) stream.write('\r\x1b[K');
      current = null;
    },
  };
}
