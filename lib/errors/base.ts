import { exitCodeOf, type ErrorCode } from './exit-codes';

/**
 * The base of every typed error: a stable `code`, and the `exitCode` the
 * table in exit-codes.ts gives it. Library code throws these; only
 * `cli/main.ts` catches them, prints them once and exits with `exitCode`.
 */
export abstract class TidemarkError<C extends ErrorCode = ErrorCode> extends Error {
  /** Stable, machine-readable identifier of the error class. */
  declare readonly code: C;
  declare readonly exitCode: number;

  /** `signal`: for `interrupted`, the signal that stopped the run (its exit code). */
  constructor(code: C, message: string, signal?: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCodeOf(code, signal);
  }
}

/** Is this any tidemark error? */
export function isTidemarkError(err: unknown): err is TidemarkError {
  return err instanceof TidemarkError;
}
