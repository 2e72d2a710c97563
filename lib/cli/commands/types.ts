import type { Argv, Options } from 'yargs';
import type { Config, ResolvedConfig } from '../../config';
import type { StepEvent } from '../../types';
import type { LogFormat, Logger } from '../../log';
import type { Output } from '../output';

export interface CommandContext {
  readonly config: Config;
  /** Where each setting came from, and the config file read (for `tidemark config`). */
  readonly resolved: ResolvedConfig;
  readonly logger: Logger;
  readonly out: Output;
  readonly format: LogFormat;
  /** Aborted by SIGINT / SIGTERM. */
  readonly signal?: AbortSignal;
  /** The live progress line, on a terminal. */
  readonly onStepStart?: (event: StepEvent) => void;
  /** The live line itself, on a terminal (`fleet` draws its counts there). */
  readonly live?: { readonly show: (text: string) => void; readonly stop: () => void };
}

/** One CLI command: its yargs definition and what it runs. */
export interface Command {
  readonly usage: string;
  readonly describe: string;
  /** A command that takes only flags: their definitions (yargs builds them with `.options`). */
  readonly options?: Record<string, Options>;
  /** A command with positionals: its yargs builder. */
  readonly builder?: (y: Argv) => Argv;
  /**
   * Runs the command and resolves to the exit code; throws typed errors.
   * It loads what it needs (the migrator, renderers, and through them pg,
   * fast-glob, diff) with `await import()`, so that `--help` and the other
   * commands never load them: start-up is on every deploy's critical path.
   */
  readonly run: (args: Record<string, unknown>, ctx: CommandContext) => Promise<number>;
}
