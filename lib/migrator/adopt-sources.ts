/**
 * The tool's checksums recomputed from its files (lib/import/checksums.ts,
 * as import computed them): a source file edited since `tidemark import`
 * means the pairs no longer say what the folder says; import again. Where
 * the source folder is gone (deleted after the switch), the mapping's
 * values, computed at import, stand, and the report says so.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { whyUnreadable } from '../config';
import { ConfigError } from '../errors';
import type { ForeignTool } from '../db/foreign-history';
import { foreignChecksum, type ChecksumKind } from '../import/checksums';
import type { AdoptProblem } from './adopt-history';
import type { ImportMapping } from './adopt-mapping';

const KINDS: Partial<Record<ForeignTool, ChecksumKind>> = { flyway: 'flyway', sqlx: 'sqlx', postgrator: 'postgrator' };

export interface SourceCheck {
  readonly problems: readonly AdoptProblem[];
  readonly notes: readonly string[];
}

/** Recomputes each mapped checksum from its source file (the up/do file, `sourceFiles[0]`). */
export function recheckSources(mapping: ImportMapping): SourceCheck {
  const kind = KINDS[mapping.tool];
  if (kind === undefined) return { problems: [], notes: [] };
  const problems: AdoptProblem[] = [];
  const gone: string[] = [];
  for (const m of mapping.migrations) {
    if (m.checksum === null || m.sourceFiles.length === 0) continue;
    const file = path.join(mapping.source, m.sourceFiles[0]);
    if (!existsSync(file)) {
      gone.push(m.sourceFiles[0]);
      continue;
    }
    const now = foreignChecksum(kind, readSource(file))[kind];
    if (String(now).toLowerCase() !== String(m.checksum).toLowerCase())
      problems.push({
        kind: 'checksum',
        message: `${file}: changed since \`tidemark import\` (${kind} checksum ${String(now)} now, ${String(m.checksum)} when imported). Import again, so that the pairs are what the folder says, then adopt.`,
      });
  }
  const notes =
    gone.length === 0
      ? []
      : [
          `${gone.length} source file(s) of ${mapping.tool} are no longer in ${mapping.source} (${gone.slice(0, 3).join(', ')}${gone.length > 3 ? ', …' : ''}): the history's checksums are compared with the ones import computed from them.`,
        ];
  return { problems, notes };
}

function readSource(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ConfigError(
      `${file} (a source file the mapping file names) ${whyUnreadable(err)}: adopt recomputes its checksum from it. Make it readable, or import again.`,
      { file },
    );
  }
}
