/**
 * Domain types.
 *
 * Glossary (one name per concept):
 * - **script**: one `.sql` file, up or down.
 * - **pair**: the up and down scripts of one version.
 * - **ledger**: the rows of the tracking table.
 * - **history**: the applied part of the ledger.
 * - **plan**: the ordered steps to run.
 * - **discrepancy**: one way disk and ledger disagree.
 *
 * Versions are `bigint`: they compare as integers (`001` = `1`) and may be
 * any value that fits a signed 64-bit integer, beyond JavaScript's 2^53.
 */

import type { ScriptBody } from './source/body';

export type { ScriptBody, BodyStatement } from './source/body';

export type Direction = 'up' | 'down';

/** Header directives, read from the leading comment lines of a script. */
export interface Directives {
  /** `-- tidemark:no-transaction`: run outside a transaction. */
  readonly noTransaction: boolean;
  /** `-- tidemark:irreversible` on the first line of a down script. */
  readonly irreversible: boolean;
  /** `-- tidemark:lock-timeout 30s`: overrides --lock-timeout for this script. */
  readonly lockTimeout?: string;
  /** `-- tidemark:statement-timeout 10min`: overrides --statement-timeout for this script. */
  readonly statementTimeout?: string;
}

/** One `.sql` file, read and normalised. */
export interface Script {
  /** Path relative to the migrations directory, with `/` separators. */
  readonly path: string;
  readonly absolutePath: string;
  /** SHA-256 hex of the content after BOM removal and CRLF → LF. */
  readonly checksum: string;
  readonly directives: Directives;
  /** True when the script holds nothing but whitespace and comments. */
  readonly isEmpty: boolean;
  /**
   * The content, BOM removed, line endings as on disk: its statements, its
   * text, the bytes to send. One implementation for every size; a big
   * script's text is never decoded whole on the apply path.
   */
  readonly body: ScriptBody;
}

/** The up and down scripts of one version. */
export interface Pair {
  readonly version: bigint;
  readonly name: string;
  /** `<version>_<name>` as written on disk, e.g. `004_add_index`. */
  readonly label: string;
  readonly up: Script;
  readonly down: Script;
}

/** State of a ledger row. `running` and `failed` belong to non-transactional migrations. */
export type LedgerState = 'applied' | 'running' | 'failed';

/** Where a non-transactional migration stopped (or is), kept in the ledger row. */
export interface Progress {
  readonly direction: Direction;
  /** Statements that completed (they took effect). */
  readonly done: number;
  readonly total: number;
  /** The error of the statement that failed, when it failed. */
  readonly error: {
    readonly statement: number;
    readonly line: number | null;
    readonly column: number | null;
    readonly sqlstate: string | null;
    readonly message: string;
  } | null;
  /** A transactional script ended tidemark's transaction itself: what took effect is unknown. */
  readonly endedTransaction: boolean;
  /**
   * The statement (1-based) that was sent and whose end was not recorded: in
   * a `running` row whose session is gone, it is *in doubt*.
   */
  readonly inFlight: number | null;
  /** The server process of the run that wrote the row (it holds the migration lock while it runs). */
  readonly pid: number | null;
}

/** One row of the ledger table. */
export interface LedgerRow {
  readonly version: bigint;
  readonly name: string;
  readonly upChecksum: string;
  readonly downChecksum: string | null;
  readonly appliedAt: Date;
  readonly appliedBy: string;
  readonly durationMs: number;
  readonly environment: string;
  readonly toolVersion: string;
  readonly state: LedgerState;
  /** For a `running` or `failed` row: how far the non-transactional migration got. */
  readonly progress: Progress | null;
}

/** The scripts' text as applied, where the ledger kept it (null: checksum only). */
export type AppliedText = { readonly [D in Direction]?: string | null };

/** One way disk and ledger disagree. */
export type Discrepancy =
  | {
      /** `edited`: a script changed. `cosmetic`: only comments or whitespace outside literals changed. */
      readonly kind: 'edited' | 'cosmetic';
      readonly version: bigint;
      readonly name: string;
      /** Which scripts differ from the checksums stored when it was applied. */
      readonly scripts: readonly Direction[];
      /** Paths of the up and the down script. */
      readonly paths: readonly string[];
      /** The changed scripts as applied, when the ledger has their text. */
      readonly applied?: AppliedText;
    }
  | {
      readonly kind: 'renamed';
      readonly version: bigint;
      readonly name: string;
      readonly ledgerName: string;
      readonly paths: readonly string[];
    }
  | { readonly kind: 'missing'; readonly version: bigint; readonly name: string }
  | {
      /**
       * A non-transactional migration that stopped part-way, or a script that
       * ended tidemark's transaction: `failed` (a statement failed, or the run
       * was stopped between statements), `interrupted` (a `running` row whose
       * session is gone: a crash or a lost connection), `running` (its run is
       * going on now; not a discrepancy of history, reported for information).
       */
      readonly kind: 'failed' | 'interrupted' | 'running';
      readonly version: bigint;
      readonly name: string;
      readonly progress: Progress | null;
      /** The script it stopped in, when it is on disk. */
      readonly path: string | null;
      /** The statement in flight when the session went away, when the script is on disk. */
      readonly inDoubt: InDoubtStatement | null;
      /** `running`: the server process holding the migration lock. */
      readonly holderPid: number | null;
    }
  | {
      readonly kind: 'out-of-order';
      readonly version: bigint;
      readonly name: string;
      readonly path: string;
      /** The highest applied version it sits below. */
      readonly highestApplied: bigint;
    };

export type DiscrepancyKind = Discrepancy['kind'];

/** A statement that was sent and whose end was never recorded. */
export interface InDoubtStatement {
  /** 1-based. */
  readonly statement: number;
  readonly line: number;
  /** Its first line, for the report. */
  readonly text: string;
}

/** A stopped or running non-transactional migration, as a discrepancy. */
export type StoppedMigration = Extract<Discrepancy, { kind: 'failed' | 'interrupted' | 'running' }>;

/** One step of a plan: run one script of one pair. */
export interface Step {
  readonly direction: Direction;
  readonly pair: Pair;
}

export interface Plan {
  readonly direction: Direction;
  readonly steps: readonly Step[];
  /** `--resume`: statements of the first step's script that already took effect. */
  readonly resumeFrom?: number;
}

/** A step that ran, and how long its script took. */
export interface StepOutcome {
  readonly step: Step;
  readonly durationMs: number;
}

/** A step starting (for a live progress line). */
export interface StepEvent {
  readonly step: Step;
  /** 0-based position in the plan. */
  readonly index: number;
  readonly total: number;
}

/** Which concurrent index statement is in doubt, and the names the catalog is asked about. */
export type IndexQuestion =
  | { readonly kind: 'create'; readonly index: string; readonly table: string }
  | { readonly kind: 'drop'; readonly index: string }
  | { readonly kind: 'reindex' };

/** What the catalog says about the index a concurrent index statement names. */
export type IndexFacts =
  | { readonly kind: 'create'; readonly index: string; readonly state: 'valid' | 'invalid' | 'absent' }
  | { readonly kind: 'drop'; readonly index: string; readonly state: 'valid' | 'invalid' | 'absent' }
  /** REINDEX CONCURRENTLY: the `_ccnew`/`_ccold` indexes an interrupted run leaves INVALID. */
  | { readonly kind: 'reindex'; readonly leftovers: readonly string[] };

/**
 * The state `status` shows for one version. `modified`: a script or the name
 * changed since it was applied (an `edited` or `renamed` discrepancy);
 * `cosmetic`: only comments or whitespace that PostgreSQL reads past.
 */
export type MigrationState =
  | 'applied'
  | 'pending'
  | 'modified'
  | 'cosmetic'
  | 'missing'
  | 'failed'
  | 'interrupted'
  | 'running';

export interface StatusEntry {
  readonly version: bigint;
  readonly name: string;
  readonly state: MigrationState;
  readonly appliedAt: Date | null;
  /** Path of the up script relative to the directory, when it is on disk. */
  readonly path: string | null;
  /** `failed`, `interrupted`, `running`: where it stopped or is. */
  readonly stopped?: StoppedMigration;
}

/** The other migration tools `import --from` and `adopt --from` know: one list for both. */
export const MIGRATION_TOOLS = [
  'golang-migrate',
  'dbmate',
  'goose',
  'flyway',
  'sqlx',
  'diesel',
  'node-pg-migrate',
  'postgrator',
] as const;
export type MigrationTool = (typeof MIGRATION_TOOLS)[number];
