/**
 * PostgreSQL's table lock modes, weakest first, and what each blocks while
 * it is held (the conflict table of the "Explicit Locking" chapter, said
 * the way an on-call engineer needs it).
 */

export type LockMode =
  | 'ACCESS SHARE'
  | 'ROW SHARE'
  | 'ROW EXCLUSIVE'
  | 'SHARE UPDATE EXCLUSIVE'
  | 'SHARE'
  | 'SHARE ROW EXCLUSIVE'
  | 'EXCLUSIVE'
  | 'ACCESS EXCLUSIVE';

/** The modes, weakest first. */
export const LOCK_MODES: readonly LockMode[] = [
  'ACCESS SHARE',
  'ROW SHARE',
  'ROW EXCLUSIVE',
  'SHARE UPDATE EXCLUSIVE',
  'SHARE',
  'SHARE ROW EXCLUSIVE',
  'EXCLUSIVE',
  'ACCESS EXCLUSIVE',
];

const BLOCKS: Readonly<Record<LockMode, string>> = {
  'ACCESS SHARE': 'blocks only ACCESS EXCLUSIVE (DROP, most ALTER TABLE); reads and writes go on',
  'ROW SHARE': 'blocks EXCLUSIVE and ACCESS EXCLUSIVE; reads and writes go on',
  'ROW EXCLUSIVE': 'blocks SHARE and stronger (CREATE INDEX, most ALTER TABLE); reads and writes go on',
  'SHARE UPDATE EXCLUSIVE': 'blocks VACUUM, ANALYZE and other schema changes; reads and writes go on',
  SHARE: 'blocks writes (INSERT, UPDATE, DELETE) until the transaction ends; reads go on',
  'SHARE ROW EXCLUSIVE': 'blocks writes (INSERT, UPDATE, DELETE) until the transaction ends; reads go on',
  EXCLUSIVE: 'blocks writes and SELECT … FOR UPDATE until the transaction ends; plain reads go on',
  'ACCESS EXCLUSIVE': 'blocks reads and writes until the transaction ends',
};

/** What `mode` blocks while held, in one phrase. */
export function blockedBy(mode: LockMode): string {
  return BLOCKS[mode];
}

/** Whether `mode` is at least as strong as `floor`. */
export function atLeast(mode: LockMode, floor: LockMode): boolean {
  return LOCK_MODES.indexOf(mode) >= LOCK_MODES.indexOf(floor);
}

/** Whether `mode` blocks ordinary writes (SHARE and stronger, but not SHARE UPDATE EXCLUSIVE). */
export function blocksWrites(mode: LockMode): boolean {
  return atLeast(mode, 'SHARE');
}
