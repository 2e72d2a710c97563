/**
 * What another tool's history means for tidemark's ledger, decided without a
 * database: the history rows (read by db/foreign-history) against the
 * import mapping and the pairs on disk. Every problem is collected, so one
 * run lists them all.
 */
import type { ForeignHistory, ForeignRow, ForeignTool } from '../db/foreign-history';
import { compareFlywayVersions, flywayParts } from '../import/flyway-versions';
import type { Pair } from '../types';
import type { ImportMapping, MappedMigration } from './adopt-mapping';
import { recoveryOf } from './adopt-recovery';

/** Why a migration counts as applied. */
export type AdoptedBecause = 'history' | 'up-to-latest' | 'below-baseline';

export interface Adopted {
  readonly pair: Pair;
  readonly mapped: MappedMigration;
  /** The history row that says it ran; null when it is implied (up-to-latest, below-baseline). */
  readonly row: ForeignRow | null;
  readonly because: AdoptedBecause;
}

/**
 * `state`: the tool's history is dirty or failed (exit 2); `history`: a row
 * without a file, a file skipped in the middle, no history (exit 2);
 * `files`: the mapping names a pair that is not on disk (exit 2);
 * `checksum`: a file changed after the tool ran it (exit 3).
 */
export interface AdoptProblem {
  readonly kind: 'state' | 'history' | 'files' | 'checksum';
  readonly message: string;
}

export interface AdoptDecision {
  readonly adopted: readonly Adopted[];
  /** Imported migrations the tool never ran: `tidemark apply` runs them. */
  readonly pending: readonly Pair[];
  readonly notes: readonly string[];
  readonly problems: readonly AdoptProblem[];
  /** Checksums compared and equal; rows with a stored checksum the mapping could not check. */
  readonly checksums: { readonly verified: number; readonly unverified: number };
}

const NUMERIC: readonly ForeignTool[] = ['golang-migrate', 'goose', 'sqlx', 'postgrator'];

/** The key a version is matched by: the same for the history's spelling and the mapping's. */
export function versionKey(tool: ForeignTool, version: string): string {
  if (NUMERIC.includes(tool) && /^-?\d+$/.test(version)) return BigInt(version).toString();
  if (tool === 'flyway') return flywayParts(version).join('.');
  if (tool === 'diesel') return version.replace(/[-_]/g, '');
  return version;
}

/** The rows that stand: the latest per version (goose), minus what was undone or deleted (Flyway). */
interface Standing {
  readonly applied: Map<string, ForeignRow>;
  /** golang-migrate's one version, or Flyway's baseline: every file up to it counts as applied. */
  readonly upTo: { readonly version: string; readonly because: AdoptedBecause } | null;
  readonly notes: string[];
}

function standing(history: ForeignHistory): Standing {
  const key = (r: ForeignRow) => versionKey(history.tool, r.sourceVersion);
  const applied = new Map<string, ForeignRow>();
  const notes: string[] = [];
  let upTo: Standing['upTo'] = null;
  for (const row of history.rows) {
    if (row.kind === 'applied') applied.set(key(row), row);
    else if (row.kind === 'rolled-back' || row.kind === 'undone' || row.kind === 'deleted') applied.delete(key(row));
    else if (row.kind === 'repeatable')
      notes.push(
        `${row.script ?? 'a repeatable migration'}: a Flyway repeatable migration ran; its objects are in the database, but no tidemark migration creates them.`,
      );
    else if (row.kind === 'baseline') upTo = { version: row.sourceVersion, because: 'below-baseline' };
  }
  if (history.tool === 'golang-migrate' && history.rows.length === 1) {
    upTo = { version: history.rows[0].sourceVersion, because: 'up-to-latest' };
    applied.clear();
  }
  return { applied, upTo, notes };
}

function implied(tool: ForeignTool, mapped: MappedMigration, upTo: Standing['upTo']): boolean {
  if (upTo === null) return false;
  if (tool === 'flyway') return compareFlywayVersions(mapped.sourceVersion, upTo.version) <= 0;
  const [a, b] = [versionKey(tool, mapped.sourceVersion), versionKey(tool, upTo.version)];
  return /^-?\d+$/.test(a) && /^-?\d+$/.test(b) && BigInt(a) <= BigInt(b);
}

/** Decides which imported migrations the tool applied, and every reason to refuse. */
export function decideAdoption(history: ForeignHistory, mapping: ImportMapping, pairs: readonly Pair[]): AdoptDecision {
  const state = history.rows.filter((r) => r.kind === 'dirty' || r.kind === 'failed');
  const none = { adopted: [], pending: [], notes: [], checksums: { verified: 0, unverified: 0 } };
  if (state.length > 0)
    return { ...none, problems: state.map((r) => ({ kind: 'state', message: recoveryOf(history, r) })) };
  const found = standing(history);
  const mapped = [...mapping.migrations].sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
  const problems = [...shapeProblems(history), ...unknownRows(history, mapping, mapped, found)];
  const walked = walk(history, mapping, mapped, pairs, found);
  problems.push(...walked.problems);
  if (walked.adopted.length === 0 && problems.length === 0)
    problems.push({
      kind: 'history',
      message: `${history.schema}.${history.table} records no applied migration: there is nothing to adopt. Run \`tidemark apply\` instead: it runs every migration.`,
    });
  const checks = compareChecksums(history, walked.adopted);
  const { upTo, notes } = found;
  if (upTo?.because === 'up-to-latest')
    notes.unshift(
      `golang-migrate records only its latest version (${upTo.version}): every imported migration up to it is taken as applied.`,
    );
  if (upTo?.because === 'below-baseline')
    notes.unshift(
      `Flyway's baseline is version ${upTo.version}: every imported migration up to it is taken as applied, as Flyway does.`,
    );
  return { ...walked, notes, problems: [...problems, ...checks.problems], checksums: checks.counts };
}

/** History rows no imported migration stands for (and golang-migrate's version without a file). */
function unknownRows(
  history: ForeignHistory,
  mapping: ImportMapping,
  mapped: readonly MappedMigration[],
  { applied, upTo }: Standing,
): AdoptProblem[] {
  const known = new Set(mapped.map((m) => versionKey(history.tool, m.sourceVersion)));
  const problems = [...applied].filter(([k]) => !known.has(k)).map(([, row]) => unmapped(history, mapping, row));
  if (upTo && upTo.because === 'up-to-latest' && !known.has(versionKey(history.tool, upTo.version)))
    problems.push({
      kind: 'history',
      message: `golang-migrate's version ${upTo.version}: no imported migration has that version (the import mapping lists ${mapped.map((m) => m.sourceVersion).join(', ') || 'none'}). Restore its files and import again.`,
    });
  return problems;
}

/** The imported migrations in order: adopted, skipped in the middle (a problem), or pending after the last adopted. */
function walk(
  history: ForeignHistory,
  mapping: ImportMapping,
  mapped: readonly MappedMigration[],
  pairs: readonly Pair[],
  { applied, upTo }: Standing,
): { adopted: Adopted[]; pending: Pair[]; problems: AdoptProblem[] } {
  const byVersion = new Map(pairs.map((p) => [p.version, p]));
  const adopted: Adopted[] = [];
  const skipped: MappedMigration[] = [];
  const problems: AdoptProblem[] = [];
  let pending: Pair[] = [];
  for (const m of mapped) {
    const pair = byVersion.get(m.version);
    if (!pair) {
      problems.push({
        kind: 'files',
        message: `${mapping.file}: version ${m.version} (${history.tool} ${m.sourceVersion}) has no pair on disk. Run \`tidemark import\` again, or restore its files.`,
      });
      continue;
    }
    const row = applied.get(versionKey(history.tool, m.sourceVersion)) ?? null;
    const because = row ? 'history' : implied(history.tool, m, upTo) ? upTo?.because : undefined;
    if (because === undefined) {
      pending.push(pair);
      skipped.push(m);
      continue;
    }
    for (const gap of skipped.splice(0)) problems.push(gapProblem(history, gap, m));
    pending = [];
    adopted.push({ pair, mapped: m, row, because });
  }
  return { adopted, pending, problems };
}

function shapeProblems(history: ForeignHistory): AdoptProblem[] {
  if (history.tool !== 'golang-migrate' || history.rows.length <= 1) return [];
  return [
    {
      kind: 'history',
      message: `${history.schema}.${history.table} has ${history.rows.length} rows; golang-migrate keeps exactly one (it truncates the table at every step). Some other tool wrote it: check --from and --history-table.`,
    },
  ];
}

function unmapped(history: ForeignHistory, mapping: ImportMapping, row: ForeignRow): AdoptProblem {
  const label =
    row.script && row.script !== row.sourceVersion ? `${row.sourceVersion} (${row.script})` : row.sourceVersion;
  const skipped = mapping.unsupported.find((u) => isFileOf(history.tool, row, u.file));
  const why = skipped ? ` Import skipped ${skipped.file}: ${skipped.reason}.` : '';
  return {
    kind: 'history',
    message: `${history.tool} ran ${label}, but no imported migration has that version.${why} tidemark would not know what it did: rewrite it as SQL in the ${history.tool} folder and import again (or, if it was undone by hand, delete its row from ${history.schema}.${history.table}).`,
  };
}

/**
 * Is `file` (an unsupported file import listed) the one `row` ran? By the
 * script the tool recorded, else by the version in the file's name
 * (`V3__Java.java`, `00003_seed.go`, `003.do.seed.js`; node-pg-migrate: the name).
 */
function isFileOf(tool: ForeignTool, row: ForeignRow, file: string): boolean {
  const base = (file.split('/').pop() ?? file).replace(/\.[^.]+$/, '');
  if (row.script !== null && [file, base].includes(row.script)) return true;
  if (tool === 'node-pg-migrate') return base === row.sourceVersion;
  const version = tool === 'flyway' ? /^V(.+?)__/.exec(base)?.[1] : /^(\d+)/.exec(base)?.[1];
  return version !== undefined && versionKey(tool, version) === versionKey(tool, row.sourceVersion);
}

function gapProblem(history: ForeignHistory, gap: MappedMigration, later: MappedMigration): AdoptProblem {
  return {
    kind: 'history',
    message: `${history.tool} ${gap.sourceVersion} (tidemark ${gap.version}_${gap.name}) is not in ${history.schema}.${history.table}, yet ${later.sourceVersion} after it ran. Run it with ${history.tool} first, or delete its files if it is not wanted, then import and adopt again.`,
  };
}

function compareChecksums(
  history: ForeignHistory,
  adopted: readonly Adopted[],
): { problems: AdoptProblem[]; counts: AdoptDecision['checksums'] } {
  const problems: AdoptProblem[] = [];
  let verified = 0;
  let unverified = 0;
  for (const { row, mapped } of adopted) {
    if (row === null || row.checksum === null) continue;
    if (mapped.checksum === null) {
      unverified++;
      continue;
    }
    const same =
      typeof row.checksum === 'number'
        ? row.checksum === Number(mapped.checksum)
        : String(row.checksum).toLowerCase() === String(mapped.checksum).toLowerCase();
    if (same) verified++;
    else
      problems.push({
        kind: 'checksum',
        message: `${mapped.sourceFiles[0] ?? mapped.sourceVersion}: ${history.tool} recorded checksum ${row.checksum} when it ran version ${row.sourceVersion}; the file's is ${mapped.checksum}. The file was edited after it ran: restore the version that ran (from version control), import again, then adopt.`,
      });
  }
  return { problems, counts: { verified, unverified } };
}
