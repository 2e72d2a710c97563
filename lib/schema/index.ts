/**
 * Schema snapshots, the pure half: the model of a database's schema
 * (Snapshot and its parts) and how two of them differ (diffSnapshots).
 * `tidemark test` rests on these: the schema after a down must equal the
 * schema before its up. Reading a snapshot from a database is
 * `lib/db/catalog`'s job; nothing here touches PostgreSQL.
 *
 * Covered: schemas, extensions (not their members), enums, domains, ranges,
 * composite types, tables (partitioning, inheritance, RLS, storage
 * parameters), columns, constraints, indexes, views, materialized views,
 * sequences, functions, procedures, aggregates, triggers, policies, default
 * privileges, and the comments, owners and grants of all of these.
 *
 * Not covered (yet): rules, event triggers, casts, operators and operator
 * classes, collations, text search objects, statistics objects, foreign
 * servers, publications and subscriptions, column storage/compression and
 * statistics targets, and anything cluster-wide (roles, tablespaces).
 * Sequence values and other data are not schema and are never compared.
 */
export { diffSnapshots } from './diff';
export { BY_NAME, BY_TABLE, narrowed, relationKey } from './narrow';
export { isLongValue, type ObjectType, type SchemaDifference } from './difference';
export type { RowCount } from './row-count';
export type * from './types';
