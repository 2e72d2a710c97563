/**
 * `ALTER TABLE … DETACH PARTITION` without `CONCURRENTLY` takes ACCESS
 * EXCLUSIVE on the partitioned table (and the partition): every query on
 * any partition waits. PostgreSQL 14 added DETACH PARTITION … CONCURRENTLY
 * (SHARE UPDATE EXCLUSIVE on the parent, outside a transaction).
 */
import { relationOf } from '../history';
import type { Hit, LintContext, LintStatement, Rule } from '../types';
import { alterTableOf } from './alter-table';
import { OWN_MIGRATION, qualified } from './sql-text';

interface PartitionCmd {
  readonly name?: { readonly location?: number };
  readonly concurrent?: boolean;
}

function check(statement: LintStatement, context: LintContext): Hit[] {
  const alter = alterTableOf(statement);
  if (!alter) return [];
  const parent = qualified(alter.table);
  return alter.commands.flatMap((command) => {
    if (command.subtype !== 'AT_DetachPartition') return [];
    const partition = (command.def as { PartitionCmd?: PartitionCmd } | undefined)?.PartitionCmd;
    const child = relationOf(partition?.name);
    if (!partition || partition.concurrent || !child) return [];
    const detach = `ALTER TABLE ${parent} DETACH PARTITION ${qualified(child)}`;
    const rewrite =
      context.pgVersion >= 14
        ? `${OWN_MIGRATION}${detach} CONCURRENTLY;\n` +
          `-- not allowed while ${parent} has a DEFAULT partition; if it is interrupted, finish with:\n-- ${detach} FINALIZE;`
        : `-- PostgreSQL before 14 has no DETACH PARTITION … CONCURRENTLY: keep the wait for the lock short, and retry.\nSET LOCAL lock_timeout = '2s';\n${detach};`;
    return [
      {
        location: partition.name?.location,
        message: `DETACH PARTITION ${qualified(child)} without CONCURRENTLY: ACCESS EXCLUSIVE on ${parent} blocks reads and writes of every partition`,
        lock: { mode: 'ACCESS EXCLUSIVE', relation: parent },
        table: alter.table,
        rewrite,
      },
    ];
  });
}

export const detachPartitionRule: Rule = {
  id: 'require-concurrent-detach',
  family: 'partitions',
  severity: 'warning',
  summary: 'ALTER TABLE … DETACH PARTITION without CONCURRENTLY',
  why:
    'DETACH PARTITION takes ACCESS EXCLUSIVE on the partitioned table and the partition: it waits for every running query on any partition, and every query after it waits for it. ' +
    'DETACH PARTITION … CONCURRENTLY (PostgreSQL 14+) takes SHARE UPDATE EXCLUSIVE on the parent and waits for running queries instead of blocking them; it cannot run in a transaction (its own migration, "-- tidemark:no-transaction") nor while the table has a DEFAULT partition.',
  kinds: ['AlterTableStmt'],
  check,
};
