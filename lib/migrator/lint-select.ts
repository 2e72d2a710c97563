/**
 * Which scripts `tidemark lint` looks at: the files named, else those added
 * since a git revision (`--since`), else the pending ones (with a database:
 * versions not in the ledger), else every up script.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors';
import { migrationsAtRef, type FileAtRef } from '../source/git';
import type { Direction, LedgerRow, Pair, Script } from '../types';

/** One script to lint, with its version and direction. */
export interface SelectedScript {
  readonly script: Script;
  readonly version: bigint;
  readonly direction: Direction;
}

/** How the scripts were chosen, as the report says it. */
export type Selection = 'files' | 'since' | 'pending' | 'all';

const up = (p: Pair): SelectedScript => ({ script: p.up, version: p.version, direction: 'up' });

/** Every up script, in version order. */
export const allUps = (pairs: readonly Pair[]): SelectedScript[] => pairs.map(up);

/** The up scripts of versions the ledger has no row for (applied, running or failed), in version order. */
export function pendingUps(pairs: readonly Pair[], rows: readonly LedgerRow[]): SelectedScript[] {
  const known = new Set(rows.map((r) => r.version));
  return pairs.filter((p) => !known.has(p.version)).map(up);
}

/** The up scripts of versions that did not exist at the git revision `ref` (as `verify --since` reads it). */
export function upsSince(pairs: readonly Pair[], dir: string, ref: string): SelectedScript[] {
  return upsAdded(pairs, migrationsAtRef(dir, ref));
}

/** The up scripts of versions not among `atRef` (the files at a git revision). */
export function upsAdded(pairs: readonly Pair[], atRef: readonly FileAtRef[]): SelectedScript[] {
  const before = new Set(atRef.map((f) => f.version));
  return pairs.filter((p) => !before.has(p.version)).map(up);
}

/**
 * The scripts named on the command line: paths relative to the current
 * directory (or to the migrations directory), up or down scripts. A down
 * script is linted when named, never by default.
 * @throws ConfigError (exit 2) for a path that is not a migration script of `dir`.
 */
export function namedScripts(pairs: readonly Pair[], dir: string, files: readonly string[]): SelectedScript[] {
  const byPath = new Map<string, SelectedScript>();
  for (const p of pairs) {
    byPath.set(path.resolve(p.up.absolutePath), up(p));
    byPath.set(path.resolve(p.down.absolutePath), { script: p.down, version: p.version, direction: 'down' });
  }
  const chosen = new Map<string, SelectedScript>();
  for (const file of files) {
    const candidates = [path.resolve(file), path.resolve(dir, file)];
    const found = candidates.map((c) => byPath.get(c)).find((s) => s !== undefined);
    if (found === undefined) throw notAMigration(file, dir, candidates);
    chosen.set(found.script.path, found);
  }
  return [...chosen.values()];
}

function notAMigration(file: string, dir: string, candidates: readonly string[]): ConfigError {
  const exists = candidates.some((c) => existsSync(c));
  const why = !exists
    ? 'does not exist'
    : !file.endsWith('.sql')
      ? 'is not a .sql file'
      : `is not a migration script of the migrations directory ${dir} (NNN_name.up.sql or .down.sql, paired)`;
  return new ConfigError(
    `lint: ${file} ${why}. Name migration scripts of ${dir}, or give no file to lint the pending migrations.`,
  );
}

/**
 * The order lint walks them in, the order they would run: up scripts by
 * version, then down scripts newest first (as a rollback runs them).
 */
export function runOrder(scripts: readonly SelectedScript[]): { ups: SelectedScript[]; downs: SelectedScript[] } {
  const byVersion = (a: SelectedScript, b: SelectedScript) =>
    a.version < b.version ? -1 : a.version > b.version ? 1 : 0;
  return {
    ups: scripts.filter((s) => s.direction === 'up').sort(byVersion),
    downs: scripts.filter((s) => s.direction === 'down').sort((a, b) => byVersion(b, a)),
  };
}
