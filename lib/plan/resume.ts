/**
 * `--resume`: continue a non-transactional migration from the statement that
 * failed. Pure.
 */
import { ConfigError } from '../errors';
import type { Direction, LedgerRow, Pair, Plan } from '../types';

/** The ledger row of a non-transactional migration that failed or was interrupted. */
export function stuckRow(rows: readonly LedgerRow[]): LedgerRow | null {
  return rows.find((r) => r.state !== 'applied') ?? null;
}

/**
 * A plan that first finishes the stuck migration from its failed statement,
 * then runs `rest` (without that version).
 * @throws ConfigError when nothing is stuck, the direction differs, or the
 *   script changed since it failed.
 */
export function planResume(pairs: readonly Pair[], rows: readonly LedgerRow[], direction: Direction, rest: Plan): Plan {
  const row = stuckRow(rows);
  if (row === null || row.progress === null)
    throw new ConfigError('--resume: no migration is failed or interrupted; there is nothing to resume.');
  const command = row.progress.direction === 'up' ? 'apply' : 'rollback';
  if (row.progress.endedTransaction) {
    const [finished, undone] =
      row.progress.direction === 'up' ? ['--applied', '--not-applied'] : ['--not-applied', '--applied'];
    throw new ConfigError(
      `--resume: version ${row.version} (${row.name}) is not a statement-by-statement migration that can be continued: its script ended tidemark's transaction itself, so what took effect is unknown. ` +
        `Check the database, then \`tidemark repair --version ${row.version} ${finished} --reason "…"\` if its changes are complete, or undo them and \`tidemark repair --version ${row.version} ${undone} --reason "…"\`.`,
    );
  }
  if (row.progress.direction !== direction) {
    throw new ConfigError(
      `--resume: version ${row.version} failed while ${row.progress.direction === 'up' ? 'applying' : 'rolling back'}; resume it with \`tidemark ${command} --resume\`.`,
    );
  }
  const pair = pairs.find((p) => p.version === row.version);
  if (!pair)
    throw new ConfigError(
      `--resume: version ${row.version} (${row.name}) is not in the directory any more. Restore its files.`,
    );
  const script = pair[direction];
  const [finished, undone] = direction === 'up' ? ['--applied', '--not-applied'] : ['--not-applied', '--applied'];
  const stored = direction === 'up' ? row.upChecksum : row.downChecksum;
  if (script.checksum !== stored) {
    throw new ConfigError(
      `--resume needs ${script.path} exactly as it was when it failed, and it has changed since: the statements that already ran must still be the same. ` +
        `Restore the file, or resolve the migration by hand: finish it and run \`tidemark repair --version ${row.version} ${finished} --reason "…"\`, ` +
        `or undo it and run \`tidemark repair --version ${row.version} ${undone} --reason "…"\`.`,
    );
  }
  const steps = [{ direction, pair }, ...rest.steps.filter((s) => s.pair.version !== row.version)];
  return { direction, steps, resumeFrom: row.progress.done };
}
