/**
 * The contract of `tidemark lint`: rules read statements parsed by
 * PostgreSQL's own grammar (libpg-query) together with what tidemark knows
 * and no static linter does — which tables the pending migrations create,
 * how each file runs (in a transaction or not), the lock_timeout the runner
 * sets, the server's version and, with a database, each table's size — and
 * return findings. Pure: the parser is loaded by parse.ts, facts from a
 * database are passed in as values.
 */
import type { Node } from 'libpg-query';
import type { LockMode } from './locks';

export type { LockMode } from './locks';

/** How much a finding matters. `error` fails the run (exit 6); `warning` and `info` are reported only. */
export type Severity = 'error' | 'warning' | 'info';

/** A relation named as the statement names it, schema filled in only when written. */
export interface RelationName {
  readonly schema?: string;
  readonly name: string;
}

/** A line and column in the script file, both 1-based, the column counted in characters. */
export interface Place {
  readonly line: number;
  readonly column: number;
}

/** One statement of a script, as the parser saw it. */
export interface LintStatement {
  /** The parse tree of the statement: one key, the node type (`IndexStmt`, `AlterTableStmt`, …). */
  readonly node: Node;
  /** The node type, the single key of `node`. */
  readonly kind: string;
  /** 0-based index of the statement in its script. */
  readonly index: number;
  /** The statement's text, without the `;`. */
  readonly text: string;
  /**
   * The byte offset of `text` in the script: a position found by scanning
   * `text` (a keyword the parse tree gives no `location`, such as `SET NOT
   * NULL` or `CASCADE`) plus this offset is a `location`.
   */
  readonly offset: number;
  /** Where the statement starts (its first token, after leading comments). */
  readonly start: Place;
  /**
   * Where a parse-tree `location` (a byte offset into the whole script, as
   * libpg-query reports it) falls; the statement's start when absent.
   */
  placeOf(location: number | undefined): Place;
}

/** What the live database says about a table (`--url`). */
export interface TableSize {
  /** `pg_class.reltuples`, an estimate; -1 when never analysed. */
  readonly rows: number;
  /** `pg_total_relation_size`, bytes. */
  readonly bytes: number;
}

/** One script being linted, and how tidemark will run it. */
export interface LintScript {
  /** Path relative to the migrations directory, as reports name it. */
  readonly path: string;
  readonly version: bigint;
  readonly direction: 'up' | 'down';
  /** False for a `-- tidemark:no-transaction` script. */
  readonly transactional: boolean;
  /** The `-- tidemark:lock-timeout` directive, or the runner's `--lock-timeout` / config value. */
  readonly runnerLockTimeout?: string;
}

/**
 * What a rule may ask while it looks at one statement. Built by the engine
 * as it walks the pending migrations in order, so "earlier" means earlier
 * statements of this script and earlier pending scripts.
 */
export interface LintContext {
  readonly script: LintScript;
  /** The PostgreSQL major version the migration will run on (`--pg-version`, config, or the server's). */
  readonly pgVersion: number;
  /**
   * True when the table did not exist before the pending migrations: created
   * earlier in this script or by an earlier pending migration. A new table
   * has no readers, so locking it blocks nobody.
   */
  isNewTable(table: RelationName): boolean;
  /** With a database: the table's size; undefined without one or for a table that does not exist there. */
  sizeOf(table: RelationName): TableSize | undefined;
  /**
   * Whether an index (or a primary key / unique constraint) whose leading
   * columns are `columns` (in any order) exists on `table`: made earlier in
   * the pending migrations, anywhere in this script (an index made right
   * after the foreign key counts), or present in the live schema. Undefined when nobody can tell
   * (no database and the table was not created by the pending migrations).
   */
  hasIndexLeading(table: RelationName, columns: readonly string[]): boolean | undefined;
  /** The table of an index made by the pending migrations (CREATE INDEX, PRIMARY KEY, UNIQUE); undefined when unknown. */
  tableOfIndex(index: RelationName): RelationName | undefined;
  /** A `lock_timeout` is in force here: set earlier in the script (SET / SET LOCAL / set_config) or by the runner. */
  lockTimeoutInForce(): boolean;
  /** Constraints added `NOT VALID` earlier in this script, by table: VALIDATE in the same transaction defeats them. */
  addedNotValid(table: RelationName, constraint: string): 'check' | 'foreign-key' | undefined;
  /** A validated `CHECK (col IS NOT NULL)` on the column exists (earlier in the pending migrations, or live). */
  hasNotNullCheck(table: RelationName, column: string): boolean;
}

/** The lock a statement takes, and what it blocks while held. */
export interface LockTaken {
  readonly mode: LockMode;
  readonly relation: string;
}

/** What a rule reports about one statement; the engine adds the file, the rule's id and severity. */
export interface Hit {
  /** Where to point: a node's `location`, or the statement's start. */
  readonly location?: number;
  /** One line: what the statement does that is dangerous. */
  readonly message: string;
  readonly lock?: LockTaken;
  /** The table it concerns, for the live size. */
  readonly table?: RelationName;
  /** The safe rewrite, as SQL (several statements allowed, each ending in `;`). */
  readonly rewrite?: string;
  /** A severity for this hit other than the rule's (e.g. `info` on a new table). */
  readonly severity?: Severity;
}

/** A finding as reported. */
export interface Finding {
  /** The rule's stable id (`require-concurrent-index`), or `syntax-error` / `lint-ignore`. */
  readonly rule: string;
  readonly severity: Severity;
  readonly path: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly lock?: LockTaken & { readonly blocks: string };
  readonly table?: string;
  readonly size?: TableSize;
  readonly why: string;
  readonly rewrite?: string;
  /** The statement's text, for a code frame. */
  readonly statement?: string;
}

/** One rule: an id that never changes, what it guards against, and the check. */
export interface Rule {
  /** Stable, kebab-case; used in suppressions, config and reports. */
  readonly id: string;
  /** The family it belongs to in the README (`indexes`, `constraints`, `not-null`, …). */
  readonly family: string;
  readonly severity: Severity;
  /** Off unless the config turns it on (hygiene rules). */
  readonly defaultOff?: boolean;
  /** One line, for `--help`-like listings and the README. */
  readonly summary: string;
  /** Why it matters: the lock and what it blocks, or what breaks. */
  readonly why: string;
  /** The node types it looks at (`IndexStmt`…), so the engine calls it only for those. */
  readonly kinds: readonly string[];
  check(statement: LintStatement, context: LintContext): readonly Hit[];
}

/** One script to lint, with its text. */
export interface LintSource {
  readonly script: LintScript;
  readonly sql: string;
}

/** A finding and the statement it is about (a suppression names the statement, not the line of the finding). */
export interface Found {
  readonly statement: LintStatement;
  readonly finding: Finding;
}
