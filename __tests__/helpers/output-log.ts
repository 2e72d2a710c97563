/** Appends captured output to the suite's output log (see global-teardown.js: the password grep). */
import { appendFileSync } from 'node:fs';

// Read once, at load: an in-process CLI run (helpers/in-process.ts) swaps process.env while it runs.
const LOG = process.env.TIDEMARK_TEST_OUTPUT_LOG;

export function recordOutput(...chunks: string[]): void {
  if (LOG) appendFileSync(LOG, chunks.join('\n') + '\n');
}
