/**
 * `create`: the next pair of scripts. No database.
 */
import type { Config } from '../config';
import { assertValidName, createPair, ensureDirectory, type CreatedPair } from '../source/create';
import { inspect } from '../source/scanner';

/**
 * Writes the next pair of scripts, creating the directory first when it does
 * not exist yet (`createdDirectory`). No database. Numbering looks at every
 * well-named file, so a pair just created (still empty) counts.
 * @throws ConfigError for a bad name (nothing written), a directory that cannot be made, or no version left.
 */
export function create(
  config: Pick<Config, 'dir'>,
  name: string,
  now = new Date(),
): CreatedPair & { readonly createdDirectory: boolean } {
  assertValidName(name); // before the directory is made: a bad name leaves nothing behind
  const createdDirectory = ensureDirectory(config.dir);
  return { ...createPair(config.dir, name, inspect(config.dir).highest, now), createdDirectory };
}
