/**
 * PostgreSQL errors → the fields tidemark reports, with the position mapped
 * to a line and column of the script file.
 */
import type { DatabaseError } from 'pg';
import type { SqlErrorFields } from '../errors';
import { codeFrame, lineColumnAt, lineColumnInBytes } from './sql-position';

export function isDatabaseError(err: unknown): err is DatabaseError {
  return (
    typeof err === 'object' && err !== null && 'severity' in err && typeof (err as { code?: unknown }).code === 'string'
  );
}

/** Code points in `sql` before `end` (a UTF-16 offset in a string, a byte offset in UTF-8 bytes). */
function codePointsBefore(sql: string | Uint8Array, end: number): number {
  let n = 0;
  if (typeof sql !== 'string') {
    for (let i = 0; i < end; i++) if ((sql[i] & 0xc0) !== 0x80) n++;
    return n;
  }
  for (let i = 0; i < end; i++) {
    const c = sql.charCodeAt(i);
    if (!(c >= 0xdc00 && c <= 0xdfff && i > 0 && (sql.charCodeAt(i - 1) & 0xfc00) === 0xd800)) n++;
  }
  return n;
}

/**
 * The fields and code frame of `err`, raised by `sql` or by the statement
 * of `sql` starting at `statementStart` (its `position` counts from the
 * statement). Without a position, a statement's own start is used.
 * `sql` may be the bytes of a big script sent whole (Script.bytes): they are
 * then mapped as they are, never decoded whole, and `statementStart` is a
 * byte offset.
 */
export function sqlErrorFields(
  err: DatabaseError,
  sql: string | Uint8Array,
  statementStart?: number,
): { fields: SqlErrorFields; frame: string | null } {
  const offset = statementStart === undefined ? 0 : codePointsBefore(sql, statementStart);
  const position = err.position ? offset + Number(err.position) : statementStart === undefined ? null : offset + 1;
  const at =
    position === null ? null : typeof sql === 'string' ? lineColumnAt(sql, position) : lineColumnInBytes(sql, position);
  return {
    fields: {
      sqlstate: err.code ?? null,
      message: err.message,
      detail: err.detail ?? null,
      hint: err.hint ?? null,
      where: err.where ?? null,
      line: at?.line ?? null,
      column: at?.column ?? null,
    },
    frame: at ? codeFrame(sql, at) : null,
  };
}
