/**
 * The one place that parses migration file names:
 * `<version>_<name>.(up|down).sql`, where version is ASCII digits and name is
 * letters, digits, `_` and `-`.
 */
import type { Direction } from '../types';
import { MAX_VERSION, versionOfDigits } from './version';

const PATTERN = /^(\d+)_([A-Za-z0-9_-]+)\.(up|down)\.sql$/;
const NAME = /^[A-Za-z0-9_-]+$/;

export type ParsedFilename =
  | {
      readonly ok: true;
      readonly version: bigint;
      readonly versionText: string;
      readonly name: string;
      readonly direction: Direction;
    }
  | { readonly ok: false; readonly reason: string };

/** Parses a base file name. Never throws: a bad name comes back with the reason. */
export function parseFilename(basename: string): ParsedFilename {
  const match = PATTERN.exec(basename);
  if (!match) return { ok: false, reason: explainMismatch(basename) };
  const [, versionText, name, direction] = match;
  const version = versionOfDigits(versionText);
  if (version === 'too-big') {
    return { ok: false, reason: `version ${versionText} does not fit in a signed 64-bit integer (max ${MAX_VERSION})` };
  }
  return { ok: true, version, versionText, name, direction: direction as Direction };
}

function explainMismatch(basename: string): string {
  const expected = 'expected <version>_<name>.up.sql or <version>_<name>.down.sql, e.g. 001_create_users.up.sql';
  if (!/^\d/.test(basename)) return `does not start with a numeric version; ${expected}`;
  if (!/^\d+_/.test(basename)) return `the version must be followed by "_"; ${expected}`;
  if (/\.(up|down)\.sql$/i.test(basename) && !/\.(up|down)\.sql$/.test(basename)) {
    return `".up.sql" / ".down.sql" must be lower case; ${expected}`;
  }
  if (!/\.(up|down)\.sql$/i.test(basename)) return `missing ".up" or ".down" before ".sql"; ${expected}`;
  return `the name may hold only letters, digits, "_" and "-"; ${expected}`;
}

/** Is this a valid migration name for `create`? */
export function isValidName(name: string): boolean {
  return NAME.test(name);
}

/** Builds `<version>_<name>.<direction>.sql`. */
export function formatFilename(versionText: string, name: string, direction: Direction): string {
  return `${versionText}_${name}.${direction}.sql`;
}
