/**
 * Versions: the one place that parses, pads and numbers them. A version is
 * ASCII digits that fit a signed 64-bit integer (the ledger's bigint); its
 * text on disk keeps its zero padding (`001`), which sets the width of the
 * next one.
 */
import { ConfigError } from '../errors';

/** The largest version: PostgreSQL's bigint. */
export const MAX_VERSION = 9223372036854775807n;

/** A version's digits as written, when they are one: the bigint, or `too-big` above MAX_VERSION. */
export function versionOfDigits(digits: string): bigint | 'too-big' {
  const version = BigInt(digits);
  return version > MAX_VERSION ? 'too-big' : version;
}

/**
 * A version given as a value (a flag, a library option): ASCII digits, a
 * bigint, or a whole JavaScript number (only up to 2^53: beyond, it may
 * have lost digits already), fitting a signed 64-bit integer.
 * @throws ConfigError naming `what` (`--target`, `target`) otherwise: never a SyntaxError from BigInt.
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
  const version = versionOfDigits(text);
  if (version === 'too-big') throw new ConfigError(`${what} ${text} does not fit in a signed 64-bit integer.`);
  return version;
}

/** `version` as text, zero-padded to `width` digits (never cut). */
export function formatVersion(version: bigint, width: number): string {
  return version.toString().padStart(width, '0');
}

/** The highest version on disk, with its text as written. */
export interface HighestVersion {
  readonly version: bigint;
  readonly versionText: string;
}

/**
 * The next version text: highest + 1, zero-padded to the width already used (3 digits when empty).
 * @throws ConfigError when the highest version is the largest a version can be: the scanner would refuse the next.
 */
export function nextVersionText(highest: HighestVersion | null, dir = 'the migrations directory'): string {
  if (highest === null) return formatVersion(1n, 3);
  if (highest.version >= MAX_VERSION) {
    throw new ConfigError(
      `Cannot number a new migration: the highest version in ${dir} is ${highest.versionText}, the largest a version can be (a signed 64-bit integer holds up to ${MAX_VERSION}). Nothing was written. ` +
        'Name the new pair by hand with a free version below it (apply then needs --out-of-order if it sorts below an applied one).',
    );
  }
  return formatVersion(highest.version + 1n, highest.versionText.length);
}
