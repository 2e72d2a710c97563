/**
 * Lint guesses the lock a statement takes from a table of rules; `test
 * --locks` asks PostgreSQL. When both ran, each lint finding that names a
 * lock is set beside what was observed for the same statement and relation,
 * and a disagreement is reported: one of the two is wrong.
 */
import type { Finding } from '../lint/types';
import { LOCK_MODES } from '../lint/locks';
import type { LockMode, MigrationObservation, StatementObservation } from './types';

/** A lint finding's lock next to the observed one. */
export interface LockComparison {
  readonly path: string;
  readonly line: number;
  readonly rule: string;
  readonly relation: string;
  readonly guessed: LockMode;
  /** The mode the statement took on that relation; null when it took none there. */
  readonly observed: LockMode | null;
  readonly agrees: boolean;
  readonly message: string;
}

/** `"Orders"` → `Orders`, `app.t` → [`app`, `t`]: a name as written, unquoted and split. */
function nameParts(written: string): string[] {
  const parts = written.match(/"(?:[^"]|"")*"|[^.]+/g) ?? [];
  return parts.map((p) => (p.startsWith('"') ? p.slice(1, -1).replace(/""/g, '"') : p));
}

/** Whether an observed `schema.name` is the relation a finding names (a name without schema matches any). */
export function sameRelation(observed: string, written: string): boolean {
  const wanted = nameParts(written);
  const [schema, name] = [observed.slice(0, observed.indexOf('.')), observed.slice(observed.indexOf('.') + 1)];
  if (wanted.length === 1) return wanted[0] === name;
  return wanted[0] === schema && wanted[1] === name;
}

const strongest = (modes: readonly LockMode[]): LockMode | null =>
  modes.length === 0 ? null : modes.reduce((a, b) => (LOCK_MODES.indexOf(a) >= LOCK_MODES.indexOf(b) ? a : b));

/**
 * The mode statement `i` took on `relation`: the strongest mode held after it
 * that was not held before it (in a transaction, locks accumulate until
 * COMMIT); when it took nothing new there, the strongest it held there.
 */
export function modeTakenBy(statements: readonly StatementObservation[], i: number, relation: string): LockMode | null {
  const held = (s: StatementObservation | undefined) =>
    (s?.locks ?? []).filter((l) => sameRelation(l.relation, relation)).map((l) => l.mode);
  const after = held(statements[i]);
  const before = new Set(held(statements[i - 1]));
  return strongest(after.filter((m) => !before.has(m))) ?? strongest(after);
}

/** The statement of `observation` a finding on `line` is about: the last one starting at or before it. */
function statementAt(observation: MigrationObservation, line: number): number {
  let found = -1;
  for (const s of observation.statements) if (s.line <= line) found = s.index;
  return found;
}

/** Every finding that names a lock, beside the observation of the same script, statement and relation. */
export function compareWithLint(
  findings: readonly Finding[],
  observations: readonly MigrationObservation[],
): LockComparison[] {
  return findings.flatMap((finding) => {
    const observation = observations.find((o) => o.path === finding.path);
    if (!finding.lock || !observation) return [];
    const index = statementAt(observation, finding.line);
    if (index < 0) return [];
    const observed = modeTakenBy(observation.statements, index, finding.lock.relation);
    const agrees = observed === finding.lock.mode;
    const what = `${finding.path}:${finding.line} ${finding.rule}: lint says ${finding.lock.mode} on ${finding.lock.relation}`;
    const message = agrees
      ? `${what}; PostgreSQL agrees`
      : `${what}, PostgreSQL took ${observed ?? 'no lock'} there: one of them is wrong`;
    return [
      {
        path: finding.path,
        line: finding.line,
        rule: finding.rule,
        relation: finding.lock.relation,
        guessed: finding.lock.mode,
        observed,
        agrees,
        message,
      },
    ];
  });
}
