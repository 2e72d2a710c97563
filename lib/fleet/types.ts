/**
 * `tidemark fleet`: one command over many targets (databases, or tenant
 * schemas on a shared server). The contract between the runner
 * (lib/fleet/, lib/migrator/fleet*.ts) and the CLI (lib/cli/commands/fleet*.ts,
 * reporters). Pure types: no pg, no I/O.
 */

/** One place to migrate: its own database, or a schema on a shared connection. */
export interface FleetTarget {
  /** Unique in the list; names the target in every report, the run file and the shard hash. */
  readonly name: string;
  /**
   * Connection string (may hold a password: never printed, logged or written
   * to a run file; reports show {@link FleetTarget.host}). Undefined = the
   * base configuration's connection.
   */
  readonly url?: string;
  /**
   * A tenant schema: the ledger lives there, and every migration runs with
   * it first on `search_path` (SET LOCAL). Undefined = the base `--schema`.
   */
  readonly schema?: string;
  readonly labels: Readonly<Record<string, string>>;
  /**
   * `"url": {"env": "VAR"}`: the connection string is read from this
   * variable when the target runs (a missing variable fails that target,
   * naming the variable and {@link FleetTarget.origin}).
   */
  readonly urlEnv?: string;
  /** Where the target was defined, for messages: `targets.json entry 3`, `--targets-cmd line 2`. */
  readonly origin?: string;
}

/** Where the targets came from (`--targets`, `--targets-query`, `--targets-cmd`). */
export type TargetSource =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'query'; readonly sql: string }
  | { readonly kind: 'command'; readonly command: string }
  /** The library's `fleet({ targets: [...] })`: a list already in memory (validated like a file's). */
  | { readonly kind: 'list'; readonly targets: readonly FleetTarget[] };

export type FleetCommandName = 'apply' | 'rollback' | 'status' | 'verify' | 'lint' | 'plan';

/** How the run is spread and when it stops. */
export interface FleetPolicy {
  /** Targets in flight at once (default 4). */
  readonly concurrency: number;
  /** At most this many in flight per host:port (default: no limit beyond concurrency). */
  readonly perHost?: number;
  /** `--canary`: a count ("2") or a label selector ("tier=canary"): run first, must all succeed. */
  readonly canary?: string;
  /** `--waves 10%,50%,100%` (cumulative shares) or label order; absent = one wave. */
  readonly waves?: readonly string[];
  /** Stop starting targets once this many have failed. */
  readonly maxFailures?: number;
  /** Stop starting targets once failed/finished exceeds this share (0..1). */
  readonly maxFailureRate?: number;
  /** = maxFailures 1. */
  readonly failFast: boolean;
  /** Retries of a transient failure per target (connection loss, 55P03, 40P01, 57P01, 53300), with backoff. */
  readonly retries: number;
  /** `--shard-index I --shard-count N` (default from JOB_COMPLETION_INDEX): this process's stable share. */
  readonly shard?: { readonly index: number; readonly count: number };
  /** `--only failed`: the targets that failed, or were left not started, in the last run file. */
  readonly onlyFailed?: boolean;
  /** Base of the jittered exponential backoff between a target's retries, ms (default 1000). */
  readonly retryDelayMs?: number;
}

export type TargetState =
  /** Migrations ran and all succeeded. */
  | 'migrated'
  /** Nothing to do (found after one query). */
  | 'up-to-date'
  /** The command failed on this target (after retries). */
  | 'failed'
  /** Not started: a threshold stopped the run, or the canary failed. */
  | 'not-started'
  /** status/verify/lint/plan, and apply/rollback --dry-run: read only, with its finding (versions: what would run). */
  | 'checked';

export interface TargetFailure {
  readonly message: string;
  /** The SQLSTATE when the server raised it. */
  readonly sqlstate?: string;
  /** file:line:col of the failing statement, when known. */
  readonly location?: string;
  /** The version that failed, when a migration failed. */
  readonly version?: string;
  /** The process exit code the single-database command would have ended with. */
  readonly exitCode: number;
  readonly transient: boolean;
}

export interface TargetResult {
  readonly name: string;
  /** host:port (or socket) and database, no credentials. */
  readonly host: string;
  readonly schema?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly state: TargetState;
  /** Which phase it ran in: 'canary', 'wave 1', … */
  readonly wave: string;
  readonly attempts: number;
  readonly durationMs: number;
  /** Versions applied or rolled back on this target. */
  readonly versions: readonly string[];
  readonly failure?: TargetFailure;
  /** status: highest applied version, pending count, drift and failed rows. */
  readonly status?: TargetStatus;
  /** verify/lint: the single-database command's exit code (0 = clean). */
  readonly exitCode?: number;
}

export interface TargetStatus {
  readonly highestApplied: string | null;
  readonly pending: number;
  readonly drift: number;
  readonly failedRows: number;
}

export interface FleetReport {
  readonly runId: string;
  readonly command: FleetCommandName;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly shard?: { readonly index: number; readonly count: number };
  readonly results: readonly TargetResult[];
  /** Why targets were left not started: 'canary failed', 'max-failures 3 reached', … */
  readonly stoppedBy?: string;
  readonly counts: Readonly<Record<TargetState, number>>;
  /** 0 all good; ExitCode.someFailed; ExitCode.stopped. */
  readonly exitCode: number;
}

/** Live progress, for the terminal display and plain lines. */
export type FleetEvent =
  | { readonly kind: 'start'; readonly total: number; readonly runId: string }
  | { readonly kind: 'target-start'; readonly name: string; readonly wave: string; readonly attempt: number }
  | { readonly kind: 'target-end'; readonly result: TargetResult }
  | { readonly kind: 'wave'; readonly wave: string; readonly targets: number }
  | { readonly kind: 'stopped'; readonly reason: string };

/**
 * What `runFleet(ctx, options)` (lib/migrator/fleet.ts) is given: the CLI
 * and the library's `fleet()` both call it.
 */
export interface FleetRunOptions {
  readonly command: FleetCommandName;
  readonly source: TargetSource;
  readonly policy: FleetPolicy;
  /** The single-database command's own options (apply's target, rollback's steps, …). */
  readonly commandOptions?: Readonly<Record<string, unknown>>;
  /** Folder of the run files (default `.tidemark/runs`). */
  readonly runDir?: string;
  readonly onEvent?: (event: FleetEvent) => void;
}
