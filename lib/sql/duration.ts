/**
 * PostgreSQL's duration syntax for time settings such as lock_timeout and
 * statement_timeout: a number with an optional unit (`500ms`, `5s`, `2min`,
 * `0`). A bare number is milliseconds to the server.
 */

const DURATION = /^\d+(\.\d+)?\s*(us|ms|s|min|h|d)?$/;

/** True when `text`, blanks around it ignored, is a duration the server accepts for a time setting. */
export function isDuration(text: string): boolean {
  return DURATION.test(text.trim());
}
