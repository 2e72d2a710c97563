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
 * the folder: the mapping file records each version's pair.
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
export function partWidths(versions: readonly string[]): number[] {
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

export type VersionMapping =
  | { readonly ok: true; readonly widths: readonly number[]; readonly map: ReadonlyMap<string, string> }
  | { readonly ok: false; readonly reason: string };

/** Maps every version (as written) to its tidemark version text, or says why it cannot. */
export function mapFlywayVersions(versions: readonly string[]): VersionMapping {
  const widths = trimmedWidths(versions);
  const total = widths.reduce((a, b) => a + b, 0);
  const map = new Map<string, string>();
  for (const version of versions) {
    const p = parts(version);
    if (p.slice(widths.length).some((x) => BigInt(x) !== 0n))
      return { ok: false, reason: `internal: version ${version} has more parts than the widths` };
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
  const largest = [...map.values()].reduce((a, b) => (BigInt(b) > BigInt(a) ? b : a), '0');
  if (BigInt(largest) > MAX_VERSION)
    return {
      ok: false,
      reason: `the versions need ${total} digits once each part is padded to its widest (${widths.join(' + ')}), more than a 64-bit version holds`,
    };
  return { ok: true, widths, map };
}
