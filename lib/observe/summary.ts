/**
 * From what was observed statement by statement to what a reader wants per
 * relation: the strongest mode, what it blocks, whether the relation was
 * rewritten, how long the lock was held and which statements ran under
 * ACCESS EXCLUSIVE. Pure: lib/db/observe.ts gathers the facts.
 */
import { LOCK_MODES, blockedBy, type LockMode } from '../lint/locks';
import type { ObservedLock, RelationObservation, StatementObservation } from './types';

/** One user relation of pg_class, as snapshotted before or after a script. */
export interface RelationFile {
  /** pg_class.oid, as text. */
  readonly oid: string;
  /** pg_class.relfilenode, as text ('0' for relations without storage of their own). */
  readonly relfilenode: string;
  /** `schema.name`, unquoted. */
  readonly relation: string;
  /** relkind as a word (see kindOf). */
  readonly kind: string;
}

/** What {@link summarise} needs: the statements, when they ran, and pg_class around the script. */
export interface SummaryInput {
  readonly transactional: boolean;
  readonly statements: readonly StatementObservation[];
  /** ms from the script's start to the start of each statement, by statement index. */
  readonly startedAt: readonly number[];
  /** ms from the script's start to the end of its COMMIT (or of its last statement). */
  readonly endedAt: number;
  /** The user relations before the script. */
  readonly before: readonly RelationFile[];
  /** The user relations after it (only those it locked are needed). */
  readonly after: readonly RelationFile[];
}

const KINDS: Readonly<Record<string, string>> = {
  r: 'table',
  p: 'partitioned table',
  i: 'index',
  I: 'partitioned index',
  S: 'sequence',
  v: 'view',
  m: 'materialized view',
  f: 'foreign table',
  t: 'TOAST table',
  c: 'composite type',
};

/** pg_class.relkind as a word. */
export function kindOf(relkind: string): string {
  return KINDS[relkind] ?? `relkind ${relkind}`;
}

/** pg_locks.mode (`AccessExclusiveLock`) as a LockMode (`ACCESS EXCLUSIVE`); null for a mode that is not a table lock mode. */
export function lockModeOf(pgMode: string): LockMode | null {
  const words = pgMode
    .replace(/Lock$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toUpperCase();
  return (LOCK_MODES as readonly string[]).includes(words) ? (words as LockMode) : null;
}

/** The stronger of two modes. */
export function stronger(a: LockMode, b: LockMode): LockMode {
  return LOCK_MODES.indexOf(a) >= LOCK_MODES.indexOf(b) ? a : b;
}

/** A relation's key: a relation created by the script may reuse the name of one it dropped. */
const keyOf = (lock: ObservedLock) => `${lock.existed ? 'old' : 'new'}:${lock.relation}`;

/** Its relfilenode changed: same oid (found by its name before), another file after. */
function isRewritten(relation: string, input: SummaryInput): boolean {
  const before = input.before.find((r) => r.relation === relation);
  if (!before || before.relfilenode === '0') return false;
  const after = input.after.find((r) => r.oid === before.oid);
  return after !== undefined && after.relfilenode !== before.relfilenode;
}

/** Per relation: the strongest mode and the statements that held it. */
interface Held {
  readonly lock: ObservedLock;
  strongest: LockMode;
  holders: number[];
  exclusive: number[];
}

function collect(statements: readonly StatementObservation[]): Map<string, Held> {
  const held = new Map<string, Held>();
  for (const statement of statements) {
    for (const lock of statement.locks) {
      const key = keyOf(lock);
      const entry = held.get(key) ?? { lock, strongest: lock.mode, holders: [], exclusive: [] };
      held.set(key, entry);
      if (stronger(lock.mode, entry.strongest) !== entry.strongest) {
        entry.strongest = lock.mode;
        entry.holders = [];
      }
      if (lock.mode === entry.strongest) entry.holders.push(statement.index);
      if (lock.mode === 'ACCESS EXCLUSIVE') entry.exclusive.push(statement.index);
    }
  }
  return held;
}

/** When and how long `strongest` was held, and the statements under ACCESS EXCLUSIVE. */
function timing(
  held: Held,
  input: SummaryInput,
): Pick<RelationObservation, 'takenAt' | 'heldMs' | 'underAccessExclusive'> {
  const takenAt = held.holders[0];
  const byIndex = new Map(input.statements.map((s) => [s.index, s]));
  if (!input.transactional) {
    return { takenAt, heldMs: byIndex.get(takenAt)?.ms ?? 0, underAccessExclusive: held.exclusive };
  }
  // In a transaction a lock lasts until COMMIT: every statement from the one
  // that took ACCESS EXCLUSIVE on runs under it.
  const firstExclusive = held.exclusive[0];
  const under =
    firstExclusive === undefined ? [] : input.statements.map((s) => s.index).filter((i) => i >= firstExclusive);
  return { takenAt, heldMs: Math.max(0, input.endedAt - (input.startedAt[takenAt] ?? 0)), underAccessExclusive: under };
}

/**
 * The relations the script locked, in the order it first locked them: for
 * each, the strongest mode held, what it blocks, whether it was rewritten,
 * the statement that first took that mode and how long it was held (to the
 * COMMIT in a transaction; the statement alone without one), and the
 * statements that ran while it was held at ACCESS EXCLUSIVE.
 */
export function summarise(input: SummaryInput): RelationObservation[] {
  return [...collect(input.statements).values()].map((held) => ({
    relation: held.lock.relation,
    kind: held.lock.kind,
    existed: held.lock.existed,
    strongest: held.strongest,
    blocks: blockedBy(held.strongest),
    rewritten: held.lock.existed && isRewritten(held.lock.relation, input),
    ...timing(held, input),
  }));
}
