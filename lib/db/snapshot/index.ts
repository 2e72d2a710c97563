/**
 * Schema snapshots: describe a database's schema canonically
 * (takeSnapshot), compare two descriptions (diffSnapshots), and count rows
 * (rowCounts). `tidemark test` rests on these: the schema after a down must
 * equal the schema before its up.
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
 * Works on PostgreSQL 12 and later (tested on 15).
 */
export { takeSnapshot, type SnapshotOptions } from './take';
export { diffSnapshots } from './diff';
export { describeDifference, isLongValue, type ObjectType, type SchemaDifference } from './difference';
export { rowCounts, type RowCount } from './row-counts';
export type * from './types';
