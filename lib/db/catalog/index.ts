/**
 * The catalog reader: the queries that describe a database's schema
 * (takeSnapshot) and count rows (rowCounts), into lib/schema's model.
 * Works on PostgreSQL 12 and later (tested on 15).
 */
export { takeSnapshot, type SnapshotOptions } from './take';
export { rowCounts } from './row-counts';
export { relationsChangedSince, ScopedSnapshots, unscopedReason } from './scoped';
