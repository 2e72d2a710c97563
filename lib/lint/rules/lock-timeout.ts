/**
 * A statement that waits for a lock strong enough to queue reads or writes
 * (SHARE and stronger) on an existing table, with no lock_timeout in force.
 * While it waits — behind a long query or an idle transaction — every query
 * that arrives after it waits too: a two-second ALTER becomes an outage. One
 * finding per script, on its first such statement. A lock_timeout counts
 * when the script sets it earlier (SET, SET LOCAL, set_config) or tidemark
 * sets it (`--lock-timeout`, config `lockTimeout`, the
 * `-- tidemark:lock-timeout` directive): tidemark knows how each file runs.
 */
import { blocksWrites } from '../locks';
import type { LintContext, Rule } from '../types';
import { sqlName } from './sql-tokens';
import { LOCKING_KINDS, lockOf } from './statement-locks';

/** Scripts already reported (one context per script and run, see engine.ts). */
const reported = new WeakSet<LintContext>();
/** Scripts whose lock_timeout comes only from a SET LOCAL in a no-transaction script (it lasts one statement). */
const localOnly = new WeakSet<LintContext>();

function rewriteFor(context: LintContext): string {
  const set = context.script.transactional
    ? "SET LOCAL lock_timeout = '5s'; -- first statement of the migration"
    : "SET lock_timeout = '5s'; -- first statement (SET LOCAL would last one statement in a no-transaction script)";
  return [
    set,
    '-- or let tidemark set it for every migration: --lock-timeout 5s, "lockTimeout": "5s" in tidemark.config.json,',
    '-- or a "-- tidemark:lock-timeout 5s" line at the top of this file. Retry the migration when it times out.',
  ].join('\n');
}

/** Tracks a SET LOCAL lock_timeout in a script that does not run in a transaction. */
function noteSetting(statement: { node: unknown }, context: LintContext): void {
  const set = (statement.node as { VariableSetStmt?: { name?: string; is_local?: boolean } }).VariableSetStmt;
  if (set?.name !== 'lock_timeout') return;
  if (set.is_local && !context.script.transactional) localOnly.add(context);
  else localOnly.delete(context);
}

export const lockTimeoutRule: Rule = {
  id: 'require-lock-timeout',
  family: 'lock-timeout',
  severity: 'warning',
  summary: 'A statement that locks an existing table with no lock_timeout in force (once per file)',
  why:
    'A statement waiting for a SHARE or stronger lock queues every later query on the table behind it: while the ALTER, CREATE INDEX or DROP ' +
    'waits for a long-running query or an idle-in-transaction session to finish, reads (ACCESS EXCLUSIVE) or writes (SHARE …) pile up. ' +
    'With lock_timeout the statement gives up after a few seconds instead, and the migration can be retried.',
  kinds: [...LOCKING_KINDS, 'VariableSetStmt'],
  check(statement, context) {
    if (statement.kind === 'VariableSetStmt') {
      noteSetting(statement, context);
      return [];
    }
    if (reported.has(context)) return [];
    const inForce =
      context.script.runnerLockTimeout !== undefined || (context.lockTimeoutInForce() && !localOnly.has(context));
    const lock = lockOf(statement);
    if (inForce || !lock || !blocksWrites(lock.mode)) return [];
    const existing = lock.tables.filter((t) => !context.isNewTable(t));
    if (lock.tables.length > 0 && existing.length === 0) return [];
    reported.add(context);
    const table = existing[0];
    const on = table ? ` on ${sqlName(table)}` : '';
    return [
      {
        message: `${lock.verb} waits for ${lock.mode}${on} with no lock_timeout in force: queries that arrive meanwhile queue behind it`,
        ...(table ? { lock: { mode: lock.mode, relation: sqlName(table) }, table } : {}),
        rewrite: rewriteFor(context),
      },
    ];
  },
};
