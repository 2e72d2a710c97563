/**
 * The one table of exit codes: every error code tidemark reports, and the
 * process exit code it ends with (SPEC §6, the README's "Exit codes").
 */

/** The exit codes by meaning. */
export const ExitCode = {
  ok: 0,
  migrationFailed: 1,
  usage: 2,
  drift: 3,
  lockTimeout: 4,
  unreachable: 5,
  /**
   * `lint` (and `verify` with `"lint": {"inVerify": true}`) found a finding
   * at error severity, or `test --locks` observed a migration over the lock
   * budget: a migration that would lock or break production.
   * A result, not an error: no TidemarkError carries it.
   */
  unsafe: 6,
  /** `fleet`: the run finished, and at least one target failed (the others finished). A result, not an error. */
  someFailed: 7,
  /** `fleet`: stopped early by the canary, `--max-failures`, `--max-failure-rate` or `--fail-fast`; targets were left not started. A result, not an error. */
  stopped: 8,
} as const;

/** Exit codes of the signals that stop a run, as a shell reports them (128 + the signal's number). */
export const SIGNAL_EXIT_CODES: Readonly<Record<string, number>> = {
  SIGHUP: 129,
  SIGINT: 130,
  SIGQUIT: 131,
  SIGPIPE: 141,
  SIGTERM: 143,
};

/**
 * Every error code and its exit code. `interrupted` exits by the signal that
 * stopped the run (a signal not in its table counts as SIGTERM). `usage` (a
 * bad flag, reported by yargs) and `internal` (a bug) are written by the CLI
 * itself; the others are the `code` of a TidemarkError.
 */
export const EXIT_CODES = {
  'migration-failed': ExitCode.migrationFailed,
  'transaction-ended': ExitCode.migrationFailed,
  'batch-commit-failed': ExitCode.migrationFailed,
  internal: ExitCode.migrationFailed,
  usage: ExitCode.usage,
  config: ExitCode.usage,
  scan: ExitCode.usage,
  irreversible: ExitCode.usage,
  'needs-no-transaction': ExitCode.usage,
  'transaction-control': ExitCode.usage,
  privilege: ExitCode.usage,
  'ledger-relation': ExitCode.usage,
  drift: ExitCode.drift,
  'lock-timeout': ExitCode.lockTimeout,
  unreachable: ExitCode.unreachable,
  interrupted: SIGNAL_EXIT_CODES,
} as const;

export type ErrorCode = keyof typeof EXIT_CODES;

/** The exit code of `code`; for `interrupted`, of the `signal` that stopped the run. */
export function exitCodeOf(code: ErrorCode, signal?: string): number {
  const entry = EXIT_CODES[code];
  return typeof entry === 'number' ? entry : (entry[signal ?? 'SIGTERM'] ?? entry.SIGTERM);
}
