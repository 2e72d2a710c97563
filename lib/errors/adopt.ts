/**
 * `tidemark adopt` refused to take over another tool's history: every
 * reason, each with its fix. Nothing was written. Exit 2 for a history to
 * put right first (dirty, failed, a row without a file), exit 3 when the
 * files or the schema disagree with what ran (a checksum, `--prove`).
 */
import { TidemarkError } from './base';

export class AdoptRefusedError extends TidemarkError<'config' | 'drift'> {
  constructor(
    code: 'config' | 'drift',
    summary: string,
    /** One line per reason, each with its fix. */
    readonly problems: readonly string[],
  ) {
    super(code, [summary, ...problems.map((p) => `  - ${p}`)].join('\n'));
  }
}
