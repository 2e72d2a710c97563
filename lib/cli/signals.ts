/**
 * Signals that stop a run: SIGINT (Ctrl-C), SIGTERM (docker stop, a cancelled
 * Job), and SIGHUP / SIGQUIT (the terminal or ssh session went away). The
 * first one aborts the run: the running query is cancelled on the server and
 * rolled back, the lock released, and the summary printed. Without this, a
 * hang-up killed the process at once and left the server running the
 * migration, holding its locks. A second signal exits at once, except a
 * second SIGHUP, which a hang-up sends anyway.
 */
import { closeSync } from 'node:fs';
import { exitCodeOf } from '../errors';
import type { Logger } from '../log';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;

/**
 * After a hang-up the terminal is gone. Writing to it fails (EIO), and an
 * unhandled stream error would end the process before it cleaned up: such
 * errors are dropped, the run goes on to cancel and release. At exit, Node 20
 * resets the terminal's modes and aborts when that fails (nodejs/node#51519,
 * fixed in later Node versions), which would turn exit 129 into a crash:
 * the standard streams are closed first, so Node skips them.
 */
function surviveHangup(): void {
  ignoreStreamErrors();
  process.once('exit', () => {
    for (const fd of [0, 1, 2]) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    }
  });
}

/** Installs the handlers; returns the signal to pass down and a function that removes them. */
export function trapSignals(logger: Logger): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const handler = (name: NodeJS.Signals) => {
    if (name === 'SIGHUP') {
      // A hang-up comes more than once (from the kernel and from the shell): only the first counts, and it never forces an exit.
      if (controller.signal.aborted) return;
      surviveHangup();
    }
    if (controller.signal.aborted) {
      process.stderr.write(`received ${name} again: exiting at once\n`);
      process.exit(exitCodeOf('interrupted', name));
    }
    logger.warn(
      { signal: name },
      `received ${name}: stopping; a running migration is cancelled and rolled back (send it again to exit at once)`,
    );
    controller.abort(name);
  };
  for (const name of SIGNALS) process.on(name, handler);
  const brokenPipe = (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') return;
    // For good: the error of the last report's write comes after release().
    ignoreStreamErrors();
    if (!controller.signal.aborted) handler('SIGPIPE');
  };
  const streams = [process.stdout, process.stderr];
  for (const stream of streams) stream.on('error', brokenPipe);
  return {
    signal: controller.signal,
    release: () => {
      for (const name of SIGNALS) process.off(name, handler);
      // The run is over and its exit code stands: a reader gone before the last report's write is no crash.
      for (const stream of streams) stream.off('error', brokenPipe).on('error', afterRun);
    },
  };
}

/** After the run: a reader (EPIPE) or a terminal (EIO, a hang-up) gone is no crash; anything else still is. */
function afterRun(err: NodeJS.ErrnoException): void {
  if (err.code !== 'EPIPE' && err.code !== 'EIO') throw err;
}

/**
 * `tidemark … | head`: when the reader goes away, Node (which ignores
 * SIGPIPE) fails the next write with EPIPE. Unhandled, that error ended the
 * process at once, leaving `tidemark test`'s throwaway database behind and a
 * running migration to the server's rollback. It now stops the run as a
 * signal does (cancel, roll back, clean up), and ends with 141 (128 + 13), as
 * a shell reports a SIGPIPE; later writes to the closed pipe are dropped.
 * A reader gone after the run (the last report's write) changes nothing:
 * the exit code says what the run did.
 */
const ignore = () => {};

/** From now on, a failed write to stdout or stderr is dropped (the terminal or the reader is gone). */
function ignoreStreamErrors(): void {
  for (const stream of [process.stdout, process.stderr])
    if (!stream.listeners('error').includes(ignore)) stream.on('error', ignore);
}
