/** Hand-built snapshots for unit tests of diffSnapshots: plain values, no database. */
import type {
  ColumnInfo,
  Grant,
  IndexInfo,
  RoutineInfo,
  SequenceInfo,
  Snapshot,
  TableInfo,
  TypeInfo,
} from '../../lib/schema';

export function emptySnapshot(extra: Partial<Snapshot> = {}): Snapshot {
  return {
    formatVersion: 1,
    schemas: [publicSchema],
    extensions: [],
    types: [],
    tables: [],
    columns: [],
    constraints: [],
    indexes: [],
    views: [],
    sequences: [],
    routines: [],
    triggers: [],
    policies: [],
    defaultPrivileges: [],
    ...extra,
  };
}

export const ownerGrants: readonly Grant[] = ['SELECT', 'INSERT'].map((privilege) => ({
  grantee: 'postgres',
  privilege,
  grantable: false,
  grantor: 'postgres',
}));

export const publicSchema = { name: 'public', owner: 'pg_database_owner', grants: [], comment: null };

export function table(name: string, extra: Partial<TableInfo> = {}): TableInfo {
  return {
    schema: 'public',
    name,
    kind: 'table',
    persistence: 'permanent',
    partitionKey: null,
    partitionOf: null,
    partitionBound: null,
    inherits: [],
    rowSecurity: false,
    forceRowSecurity: false,
    options: [],
    replicaIdentity: 'default',
    owner: 'postgres',
    grants: ownerGrants,
    comment: null,
    ...extra,
  };
}

export function column(tableName: string, name: string, position: number, extra: Partial<ColumnInfo> = {}): ColumnInfo {
  return {
    schema: 'public',
    table: tableName,
    name,
    position,
    type: 'integer',
    notNull: false,
    default: null,
    generated: null,
    identity: null,
    collation: null,
    comment: null,
    grants: [],
    ...extra,
  };
}

export function index(tableName: string, name: string, columns: string): IndexInfo {
  return {
    schema: 'public',
    table: tableName,
    name,
    definition: `CREATE INDEX ${name} ON public.${tableName} USING btree (${columns})`,
    valid: true,
    clustered: false,
    comment: null,
  };
}

export function sequence(name: string, ownedBy: string | null): SequenceInfo {
  return {
    schema: 'public',
    name,
    type: 'integer',
    start: '1',
    increment: '1',
    min: '1',
    max: '2147483647',
    cache: '1',
    cycle: false,
    ownedBy,
    owner: 'postgres',
    grants: [],
    comment: null,
  };
}

export function routine(name: string, argumentTypes: string, extra: Partial<RoutineInfo> = {}): RoutineInfo {
  return {
    schema: 'public',
    name,
    kind: 'function',
    argumentTypes,
    signature: argumentTypes,
    arguments: argumentTypes,
    result: 'integer',
    language: 'sql',
    body: 'SELECT 1',
    volatility: 'volatile',
    strict: false,
    securityDefiner: false,
    leakproof: false,
    parallel: 'unsafe',
    cost: '100',
    rows: '0',
    config: [],
    owner: 'postgres',
    grants: [],
    comment: null,
    ...extra,
  };
}

export function enumType(name: string, labels: readonly string[]): TypeInfo {
  return { schema: 'public', name, kind: 'enum', labels, owner: 'postgres', grants: [], comment: null };
}
