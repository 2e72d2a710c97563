/** A dirty or failed history row, and the other tool's own way out of it. */
import type { ForeignHistory, ForeignRow } from '../db/foreign-history';

/** The message for a `dirty` or `failed` row: what the tool recorded, and its recovery command. */
export function recoveryOf(history: ForeignHistory, row: ForeignRow): string {
  const table = `${history.schema}.${history.table}`;
  const v = row.sourceVersion;
  switch (history.tool) {
    case 'golang-migrate':
      return `golang-migrate marks version ${v} dirty in ${table}: that migration failed part-way, and nothing says which statements took effect. Check the database by hand; then \`migrate -path SRC -database URL force ${v}\` if all of ${v} is there (or force the previous version if none of it is), and run adopt again.`;
    case 'flyway':
      return `Flyway records ${v === '' ? 'a repeatable migration' : `version ${v}`}${row.script ? ` (${row.script})` : ''} as failed (success = false) in ${table}. Undo what it left by hand, run \`flyway repair\` (it removes the failed row), then \`flyway migrate\` to finish it, and run adopt again.`;
    case 'sqlx':
      return `sqlx records version ${v}${row.script ? ` (${row.script})` : ''} as failed (success = false) in ${table}: it is partially applied. Fix the database by hand, then \`sqlx migrate run\` once it succeeds (or delete the row: DELETE FROM ${table} WHERE version = ${v}), and run adopt again.`;
    default:
      return `${history.tool} records version ${v} as not complete in ${table}. Finish it with ${history.tool}, then run adopt again.`;
  }
}
