/** Appends captured output to the suite's output log (see global-teardown.js: the password grep). */
import { appendFileSync } from 'node:fs';

export function recordOutput(...chunks: string[]): void {
  const log = process.env.TIDEMARK_TEST_OUTPUT_LOG;
  if (log) appendFileSync(log, chunks.join('\n') + '\n');
}
