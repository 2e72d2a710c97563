/**
 * PostgreSQL errors → the fields tidemark reports, with the position mapped
 * to a line and column of the script file.
 */
import type { DatabaseError } from 'pg';
import type { SqlErrorFields } from '../errors';
import { codeFrame, lineColumnAt } from './sql-position';

export function isDatabaseError(err: unknown): err is DatabaseError {
  return (
    typeof err === 'object' && err !== null && 'severity' in err && typeof (err as { code?: unknown }).code === 'string'
  );
}

/** Code points in UTF-8 `bytes` before byte offset `end`. */
function codePointsBefore(bytes: Uint8Array, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) if ((bytes[i] & 0xc0) !== 0x80) n++;
  return n;
}

/**
 * The fields and code frame of `err`, raised by a script's body (its UTF-8
 * `bytes`) or by the statement of it starting at byte offset
 * `statementStart` (its `position` then counts from the statement). Without
 * a position, a statement's own start is used. The bytes are mapped as they
 * are, never decoded whole.
 */
export function sqlErrorFields(
  err: DatabaseError,
  bytes: Uint8Array,
  statementStart?: number,
): { fields: SqlErrorFields; frame: string | null } {
  const offset = statementStart === undefined ? 0 : codePointsBefore(bytes, statementStart);
  const position = err.position ? offset + Number(err.position) : statementStart === undefined ? null : offset + 1;
  const at = position === null ? null : lineColumnAt(bytes, position);
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
    frame: at ? codeFrame(bytes, at) : null,
  };
}
