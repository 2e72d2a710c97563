/**
 * Flyway's dotted versions as tidemark integers that keep Flyway's order.
 *
 * Flyway compares versions part by part as numbers, a missing part counting
 * as 0 (`1.2` < `1.2.1` < `1.10` < `2`; `1` and `1.0` are the same version).
 * Over the whole folder, each part position gets a fixed width, the most
 * digits any version has there; a version is then its parts, each
 * zero-padded to its position's width, missing parts 0, written one after
 * the other. Equal widths make digit order numeric order, so the integers
 * sort exactly as Flyway sorts: `1`, `1.1`, `1.2`, `1.2.1`, `1.10`, `2` over
 * widths 1, 2, 1 become 1000, 1010, 1020, 1021, 1100, 2000. A folder of
 * plain integers (or timestamps) keeps them as they are. The widths depend on
 * the folder: the mapping file records each version's pair. When the padded
 * versions would not fit a 64-bit version (`2024.01.15.1` beside
 * `1.123456789012`), they are numbered 1, 2, 3… in Flyway's order instead.
 */
import { MAX_VERSION } from '../source/version';

/** A Flyway version as written in a file name: digits separated by `.` or `_`. */
export const FLYWAY_VERSION = /^\d+(?:[._]\d+)*$/;

/** Flyway's own text of a version (as `flyway_schema_history.version` holds it): `_` read as `.`. */
export function flywayVersionText(raw: string): string {
  return raw.replace(/_/g, '.');
}

function parts(version: string): string[] {
  return flywayVersionText(version).split('.');
}

/** The widths of each part position over these versions. */
function partWidths(versions: readonly string[]): number[] {
  const widths: number[] = [];
  for (const version of versions) {
    parts(version).forEach((part, i) => {
      widths[i] = Math.max(widths[i] ?? 1, part.length);
    });
  }
  return widths;
}

/** Trailing parts that are 0 in every version are dropped: `1.0`, `2.0` map as `1`, `2`. */
function trimmedWidths(versions: readonly string[]): number[] {
  const widths = partWidths(versions);
  while (widths.length > 1 && versions.every((v) => BigInt(parts(v)[widths.length - 1] ?? '0') === 0n)) widths.pop();
  return widths;
}

export interface VersionMapping {
  /** The width of each part position; empty when the versions were numbered instead. */
  readonly widths: readonly number[];
  /** Each version as written → its tidemark version text. */
  readonly map: ReadonlyMap<string, string>;
  /** Set when the padded versions would not fit a 64-bit version: why they were numbered 1, 2, 3… in Flyway's order. */
  readonly numbered?: string;
}

/** Maps every version (as written) to a tidemark version text, in Flyway's order. */
export function mapFlywayVersions(versions: readonly string[]): VersionMapping {
  const widths = trimmedWidths(versions);
  const map = new Map<string, string>();
  for (const version of versions) {
    const p = parts(version);
    map.set(
      version,
      widths
        .map((w, i) =>
          BigInt(p[i] ?? '0')
            .toString()
            .padStart(w, '0'),
        )
        .join(''),
    );
  }
  if (![...map.values()].some((v) => BigInt(v) > MAX_VERSION)) return { widths, map };
  const total = widths.reduce((a, b) => a + b, 0);
  return {
    widths: [],
    map: numbered(versions),
    numbered: `the versions need ${total} digits once each part is padded to its widest (${widths.join(' + ')}), more than a 64-bit version holds: they are numbered 1, 2, 3… in Flyway's order instead`,
  };
}

/**
 * Flyway's version as numbers: `1.2`, `1_2` and `1.2.0` are the same
 * version, `01` is `1`. A part that is not digits (a history row can hold
 * anything) is -1, never an exception.
 */
export function flywayParts(version: string): bigint[] {
  const numbers = version.split(/[._]/).map((p) => (/^\d+$/.test(p) ? BigInt(p) : -1n));
  while (numbers.length > 1 && numbers[numbers.length - 1] === 0n) numbers.pop();
  return numbers;
}

/** Flyway's order of two versions: part by part as numbers, a missing part 0. */
export function compareFlywayVersions(a: string, b: string): number {
  const [x, y] = [flywayParts(a), flywayParts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0n) - (y[i] ?? 0n);
    if (d !== 0n) return d < 0n ? -1 : 1;
  }
  return 0;
}

function numbered(versions: readonly string[]): Map<string, string> {
  const sorted = [...versions].sort(compareFlywayVersions);
  const width = String(sorted.length).length;
  return new Map(sorted.map((v, i) => [v, String(i + 1).padStart(width, '0')]));
}
