import { redactSecrets } from '../../log';
import type { RunResult } from '../../migrator';
import type { CommandContext } from './types';

/**
 * What apply and rollback print on stdout: the SQL of `--dry-run --sql`,
 * else the summary. Like every output, the SQL goes through the password
 * masking; where that changed it (a script that holds a connection string
 * with a password), the file is no longer what the run would send, and a
 * warning says so.
 */
export function printRun(
  result: RunResult,
  summary: string,
  data: Record<string, unknown>,
  { out, logger }: Pick<CommandContext, 'out' | 'logger'>,
): void {
  if (result.sql === undefined) return out.result(summary, data);
  if (redactSecrets(result.sql) !== result.sql) {
    logger.warn(
      { code: 'sql-redacted' },
      'a script holds what looks like a password: it is printed as ***, so this part of the file differs from what the run would send',
    );
  }
  out.result(result.sql, data);
}
