/**
 * `create`: writes the next pair of scripts into the migrations directory.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors';
import { formatFilename, isValidName } from './filename';
import type { Inspection } from './scanner';
import { nextVersionText } from './version';

export interface CreatedPair {
  readonly version: bigint;
  readonly upPath: string;
  readonly downPath: string;
}

/** @throws ConfigError for a name that is not letters, digits, `_` and `-`. */
export function assertValidName(name: string): void {
  if (!isValidName(name)) {
    throw new ConfigError(
      `"${name}" is not a valid migration name: use only letters, digits, "_" and "-" (e.g. add_users_email_index).`,
    );
  }
}

/**
 * Creates the migrations directory (and its parents) when it does not exist,
 * so that `create` is a new project's first command, as with golang-migrate
 * and dbmate.
 * @returns true when it was created.
 * @throws ConfigError when it cannot be (a file in the way, no permission).
 */
export function ensureDirectory(dir: string): boolean {
  if (existsSync(dir)) return false;
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(
      `Cannot create the migrations directory "${dir}" (${code}: ${(err as Error).message}). Create it yourself, or point --dir elsewhere.`,
    );
  }
  return true;
}

/**
 * Writes `<next>_<name>.up.sql` and `.down.sql` at the top of `dir`. Refuses
 * to overwrite a file.
 * @throws ConfigError for a name that is not letters, digits, `_` and `-`, or
 *   when no version is left above the highest one.
 */
export function createPair(dir: string, name: string, highest: Inspection['highest'], now: Date): CreatedPair {
  assertValidName(name);
  const versionText = nextVersionText(highest, dir);
  const up = formatFilename(versionText, name, 'up');
  const down = formatFilename(versionText, name, 'down');
  const stamp = now.toISOString().slice(0, 19).replace('T', ' ');
  const upPath = path.join(dir, up);
  const downPath = path.join(dir, down);
  writeFileSync(
    upPath,
    `-- ${up}: created ${stamp} UTC\n-- Runs in one transaction together with its ledger row.\n\n`,
    { flag: 'wx' },
  );
  writeFileSync(
    downPath,
    `-- ${down}: undoes ${up}\n-- If the change cannot be undone, make the first line: -- tidemark:irreversible\n\n`,
    { flag: 'wx' },
  );
  return { version: BigInt(versionText), upPath, downPath };
}
