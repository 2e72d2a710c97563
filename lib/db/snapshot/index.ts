/**
 * Schema snapshots: describe a database's schema canonically
 * (takeSnapshot), compare two descriptions (diffSnapshots), and count rows
 * (rowCounts). `tidemark test` rests on these: the schema after a down must
 * equal the schema before its up.
 */
export { takeSnapshot, type SnapshotOptions } from './take';
export { diffSnapshots } from './diff';
export { describeDifference, type ObjectType, type SchemaDifference } from './difference';
export { rowCounts, type RowCount } from './row-counts';
export type * from './types';
