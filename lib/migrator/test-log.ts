/** `tidemark test`'s progress lines (test.ts). */
import type { Logger } from '../log';
import { hasWarnings, type RoundtripResult } from '../plan/roundtrip';

/** Progress on stderr: failures and untested migrations; passes with --verbose. */
export function logResult(logger: Logger, result: RoundtripResult): void {
  const log = logger.child({ version: result.pair.version.toString(), name: result.pair.name });
  const label = result.pair.label;
  if (result.status === 'passed' && hasWarnings(result))
    log.warn(
      { outcome: 'passed', warnings: true, duration_ms: result.durationMs },
      `${label}: round trip ok, with a warning (column order)`,
    );
  else if (result.status === 'passed')
    log.debug(
      { outcome: 'passed', duration_ms: result.durationMs },
      `${label}: round trip ok (${result.durationMs} ms)`,
    );
  else if (result.status === 'not-tested')
    log.warn(
      { outcome: 'not-tested', reason: result.reason },
      `${label}: applied, not round-trip tested (${result.reason})`,
    );
  else if (result.status === 'failed')
    log.warn({ outcome: 'failed', duration_ms: result.durationMs }, `${label}: round trip FAILED`);
}
