/**
 * The table lock a statement waits for, and on which tables: what the
 * lock_timeout rule needs to know. Modes as the "Explicit Locking" chapter
 * and each command's page give them (ALTER TABLE: the strongest of its
 * subcommands; CREATE INDEX: SHARE; a FOREIGN KEY: SHARE ROW EXCLUSIVE on
 * both tables; …). The CONCURRENTLY forms and plain VACUUM take SHARE UPDATE
 * EXCLUSIVE, which does not queue reads or writes, and are left out.
 */
import { namesOf, relationOf } from '../history';
import type { LockMode } from '../locks';
import { LOCK_MODES } from '../locks';
import type { LintStatement, RelationName } from '../types';
import { alterTableOf, constraintOf, type AlterCommand } from './alter-table-columns';
import { droppedTables } from './renames-drops';

export interface StatementLock {
  /** What the statement is, for a message (`ALTER TABLE`, `CREATE INDEX`). */
  readonly verb: string;
  readonly mode: LockMode;
  /** The tables it locks; empty when the statement does not name them (`DROP INDEX i`, `CLUSTER`). */
  readonly tables: readonly RelationName[];
}

const SUE: readonly string[] = [
  'AT_ValidateConstraint',
  'AT_SetStatistics',
  'AT_SetOptions',
  'AT_ResetOptions',
  'AT_ClusterOn',
  'AT_DropCluster',
  'AT_AttachPartition',
];
const SRE: readonly string[] = [
  'AT_EnableTrig',
  'AT_EnableAlwaysTrig',
  'AT_EnableReplicaTrig',
  'AT_DisableTrig',
  'AT_EnableTrigAll',
  'AT_DisableTrigAll',
  'AT_EnableTrigUser',
  'AT_DisableTrigUser',
];

function strongest(modes: readonly LockMode[]): LockMode {
  return modes.reduce<LockMode>((a, b) => (LOCK_MODES.indexOf(b) > LOCK_MODES.indexOf(a) ? b : a), 'ACCESS SHARE');
}

/** A FOREIGN KEY constraint's referenced table. */
function referenced(constraint: unknown): RelationName | undefined {
  const c = constraint as { contype?: string; pktable?: unknown } | undefined;
  return c?.contype === 'CONSTR_FOREIGN' ? relationOf(c.pktable) : undefined;
}

function commandMode(command: AlterCommand): LockMode {
  if (SUE.includes(command.subtype)) return 'SHARE UPDATE EXCLUSIVE';
  if (command.subtype === 'AT_DetachPartition')
    return (command.def as { PartitionCmd?: { concurrent?: boolean } } | undefined)?.PartitionCmd?.concurrent
      ? 'SHARE UPDATE EXCLUSIVE'
      : 'ACCESS EXCLUSIVE';
  if (SRE.includes(command.subtype) || referenced(constraintOf(command))) return 'SHARE ROW EXCLUSIVE';
  return 'ACCESS EXCLUSIVE';
}

function alterLock(statement: LintStatement): StatementLock | undefined {
  const alter = alterTableOf(statement);
  if (!alter) return undefined;
  const fks = alter.commands.map((c) => referenced(constraintOf(c))).filter((t) => t !== undefined);
  return {
    verb: alter.objtype === 'OBJECT_TYPE' ? 'ALTER TYPE' : 'ALTER TABLE',
    mode: strongest(alter.commands.map(commandMode)),
    tables: [alter.table, ...fks],
  };
}

/** The tables a CREATE TABLE locks: those its foreign keys reference, its partitioned parent. */
function createLock(body: Record<string, unknown>): StatementLock | undefined {
  const fks: RelationName[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const target = referenced((node as { Constraint?: unknown }).Constraint);
    if (target) fks.push(target);
    Object.values(node).forEach(visit);
  };
  visit(body.tableElts);
  if (body.partbound) {
    const parent = relationOf((body.inhRelations as { RangeVar?: unknown }[] | undefined)?.[0]?.RangeVar);
    if (parent) return { verb: 'CREATE TABLE … PARTITION OF', mode: 'ACCESS EXCLUSIVE', tables: [parent] };
  }
  return fks.length ? { verb: 'CREATE TABLE … REFERENCES', mode: 'SHARE ROW EXCLUSIVE', tables: fks } : undefined;
}

const LOCK_STMT_MODES: readonly LockMode[] = ['ACCESS SHARE', ...LOCK_MODES];

function rangeVars(list: unknown): RelationName[] {
  return ((list as unknown[]) ?? [])
    .map((r) => relationOf((r as { RangeVar?: unknown }).RangeVar ?? r))
    .filter((t) => t !== undefined);
}

function dropLock(statement: LintStatement, body: Record<string, unknown>): StatementLock | undefined {
  const type = String(body.removeType);
  if (type === 'OBJECT_TABLE')
    return { verb: 'DROP TABLE', mode: 'ACCESS EXCLUSIVE', tables: droppedTables(statement).map((d) => d.table) };
  if (type === 'OBJECT_INDEX')
    return body.concurrent ? undefined : { verb: 'DROP INDEX', mode: 'ACCESS EXCLUSIVE', tables: [] };
  if (!['OBJECT_TRIGGER', 'OBJECT_POLICY', 'OBJECT_RULE'].includes(type)) return undefined;
  // DROP TRIGGER t ON tbl: the object is [schema?, table, name].
  const tables = ((body.objects as unknown[]) ?? []).map((o) => {
    const names = namesOf((o as { List?: { items?: unknown } }).List?.items).slice(0, -1);
    const name = names[names.length - 1] ?? '';
    return names.length > 1 ? { schema: names[0], name } : { name };
  });
  return { verb: `DROP ${type.slice('OBJECT_'.length)}`, mode: 'ACCESS EXCLUSIVE', tables };
}

/** The lock `statement` waits for, or undefined when it takes none that queues reads or writes. */
export function lockOf(statement: LintStatement): StatementLock | undefined {
  const body = (statement.node as unknown as Record<string, Record<string, unknown>>)[statement.kind] ?? {};
  const rel = relationOf(body.relation);
  const one = rel ? [rel] : [];
  switch (statement.kind) {
    case 'AlterTableStmt':
      return alterLock(statement);
    case 'IndexStmt':
      return body.concurrent ? undefined : { verb: 'CREATE INDEX', mode: 'SHARE', tables: one };
    case 'CreateStmt':
      return createLock(body);
    case 'DropStmt':
      return dropLock(statement, body);
    case 'TruncateStmt':
      return { verb: 'TRUNCATE', mode: 'ACCESS EXCLUSIVE', tables: rangeVars(body.relations) };
    case 'LockStmt':
      return {
        verb: 'LOCK TABLE',
        mode: LOCK_STMT_MODES[Number(body.mode ?? 8)] ?? 'ACCESS EXCLUSIVE',
        tables: rangeVars(body.relations),
      };
    case 'ReindexStmt':
      return reindexLock(body, one);
    case 'CreateTrigStmt':
      return { verb: 'CREATE TRIGGER', mode: 'SHARE ROW EXCLUSIVE', tables: one };
    case 'VacuumStmt':
      return vacuumLock(body);
    case 'ClusterStmt':
      return { verb: 'CLUSTER', mode: 'ACCESS EXCLUSIVE', tables: one };
    case 'RenameStmt':
      return rel ? { verb: 'ALTER … RENAME', mode: 'ACCESS EXCLUSIVE', tables: one } : undefined;
    case 'CreatePolicyStmt':
    case 'AlterPolicyStmt':
      return { verb: 'CREATE/ALTER POLICY', mode: 'ACCESS EXCLUSIVE', tables: rangeVars([body.table]) };
    case 'RuleStmt':
      return { verb: 'CREATE RULE', mode: 'ACCESS EXCLUSIVE', tables: one };
    case 'RefreshMatViewStmt':
      return body.concurrent ? undefined : { verb: 'REFRESH MATERIALIZED VIEW', mode: 'ACCESS EXCLUSIVE', tables: one };
    default:
      return undefined;
  }
}

/** REINDEX TABLE: SHARE on the table (and ACCESS EXCLUSIVE on its indexes); REINDEX INDEX names no table. */
function reindexLock(body: Record<string, unknown>, table: RelationName[]): StatementLock | undefined {
  if (JSON.stringify(body.params ?? []).includes('"concurrently"')) return undefined;
  return { verb: 'REINDEX', mode: 'SHARE', tables: body.kind === 'REINDEX_OBJECT_TABLE' ? table : [] };
}

function vacuumLock(body: Record<string, unknown>): StatementLock | undefined {
  const full = ((body.options as unknown[]) ?? []).some(
    (o) => (o as { DefElem?: { defname?: string } }).DefElem?.defname === 'full',
  );
  if (!full || body.is_vacuumcmd === false) return undefined;
  const tables = ((body.rels as unknown[]) ?? [])
    .map((r) => relationOf((r as { VacuumRelation?: { relation?: unknown } }).VacuumRelation?.relation))
    .filter((t) => t !== undefined);
  return { verb: 'VACUUM FULL', mode: 'ACCESS EXCLUSIVE', tables };
}

/** The kinds `lockOf` knows. */
export const LOCKING_KINDS: readonly string[] = [
  'AlterTableStmt',
  'IndexStmt',
  'CreateStmt',
  'DropStmt',
  'TruncateStmt',
  'LockStmt',
  'ReindexStmt',
  'CreateTrigStmt',
  'VacuumStmt',
  'ClusterStmt',
  'RenameStmt',
  'CreatePolicyStmt',
  'AlterPolicyStmt',
  'RuleStmt',
  'RefreshMatViewStmt',
];
