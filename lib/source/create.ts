/**
 * `create`: writes the next pair of scripts into the migrations directory.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors';
import { formatFilename, isValidName, MAX_VERSION } from './filename';
import type { Inspection } from './scanner';

export interface CreatedPair {
  readonly version: bigint;
  readonly upPath: string;
  readonly downPath: string;
}

/**
 * The next version text: max + 1, zero-padded to the width already used (3 digits when empty).
 * @throws ConfigError when the highest version is the largest a version can be: the scanner would refuse the next.
 */
export function nextVersionText(highest: Inspection['highest'], dir = 'the migrations directory'): string {
  if (highest === null) return '001';
  if (highest.version >= MAX_VERSION) {
    throw new ConfigError(
      `Cannot number a new migration: the highest version in ${dir} is ${highest.versionText}, the largest a version can be (a signed 64-bit integer holds up to ${MAX_VERSION}). Nothing was written. ` +
        'Name the new pair by hand with a free version below it (apply then needs --out-of-order if it sorts below an applied one).',
    );
  }
  return (highest.version + 1n).toString().padStart(highest.versionText.length, '0');
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
