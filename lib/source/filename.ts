/**
 * The one place that parses migration file names:
 * `<version>_<name>.(up|down).sql`, where version is ASCII digits and name is
 * letters, digits, `_` and `-`.
 */
import { ConfigError } from '../errors';
import type { Direction } from '../types';

export const MAX_VERSION = 9223372036854775807n;

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
  const version = BigInt(versionText);
  if (version > MAX_VERSION) {
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

/**
 * A version given as a value (a flag, a library option): ASCII digits, a
 * bigint, or a whole JavaScript number (only up to 2^53: beyond, it may
 * have lost digits already), fitting a signed 64-bit integer.
 * @throws ConfigError naming `what` (`--target`, `target`) otherwise.
 */
export function parseVersion(what: string, raw: unknown): bigint {
  if (typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 && !Number.isSafeInteger(raw)) {
    throw new ConfigError(
      `${what} ${raw} is above 2^53, where a JavaScript number may have lost digits: give it as a string or a bigint.`,
    );
  }
  const text = typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'bigint' ? String(raw).trim() : '';
  if (!/^\d+$/.test(text))
    throw new ConfigError(
      `${what} must be a version number such as 3 or 20261124093000 (got ${typeof raw === 'string' ? `"${raw}"` : String(raw)}).`,
    );
  const version = BigInt(text);
  if (version > MAX_VERSION) throw new ConfigError(`${what} ${text} does not fit in a signed 64-bit integer.`);
  return version;
}
