/**
 * Statements and how PostgreSQL treats them inside a transaction block,
 * shared by the unit tests of lib/sql/classify.ts and the integration test
 * that checks them against a live server. The reasons are PostgreSQL's own
 * command names from "… cannot run inside a transaction block".
 */

/** [statement, reason]: refused inside a transaction block (SQLSTATE 25001). */
export const NON_TRANSACTIONAL: readonly (readonly [string, string])[] = [
  ['CREATE INDEX CONCURRENTLY t_a ON t (a)', 'CREATE INDEX CONCURRENTLY'],
  ['create unique index concurrently if not exists t_a on t (a)', 'CREATE INDEX CONCURRENTLY'],
  ['/* why */ CREATE -- note\n INDEX\tCONCURRENTLY ON t (a)', 'CREATE INDEX CONCURRENTLY'],
  ['DROP INDEX CONCURRENTLY IF EXISTS t_a', 'DROP INDEX CONCURRENTLY'],
  ['REINDEX INDEX CONCURRENTLY t_pkey', 'REINDEX CONCURRENTLY'],
  ['REINDEX (CONCURRENTLY) TABLE t', 'REINDEX CONCURRENTLY'],
  ['REINDEX (VERBOSE, CONCURRENTLY true) TABLE t', 'REINDEX CONCURRENTLY'],
  ['REINDEX (verbose) table concurrently t', 'REINDEX CONCURRENTLY'],
  ['REINDEX SCHEMA public', 'REINDEX SCHEMA'],
  ['REINDEX DATABASE current_database', 'REINDEX DATABASE'],
  ['REINDEX SYSTEM current_database', 'REINDEX SYSTEM'],
  ['VACUUM', 'VACUUM'],
  ['vacuum (analyze, verbose) t', 'VACUUM'],
  ["ALTER SYSTEM SET work_mem = '64MB'", 'ALTER SYSTEM'],
  ['CREATE DATABASE tidemark_never_created', 'CREATE DATABASE'],
  ['DROP DATABASE IF EXISTS tidemark_never_created', 'DROP DATABASE'],
  ["CREATE TABLESPACE tidemark_never_created LOCATION '/nonexistent'", 'CREATE TABLESPACE'],
  ['DROP TABLESPACE IF EXISTS tidemark_never_created', 'DROP TABLESPACE'],
  ['ALTER DATABASE current_database SET TABLESPACE pg_default', 'ALTER DATABASE SET TABLESPACE'],
  ['ALTER DATABASE current_database TABLESPACE pg_default', 'ALTER DATABASE SET TABLESPACE'],
  ['alter database current_database with tablespace = pg_default', 'ALTER DATABASE SET TABLESPACE'],
  ['ALTER DATABASE "current_database" SET /* move */ TABLESPACE pg_default', 'ALTER DATABASE SET TABLESPACE'],
  ['ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY', 'ALTER TABLE ... DETACH CONCURRENTLY'],
  ['CLUSTER', 'CLUSTER'],
  ['CLUSTER VERBOSE', 'CLUSTER'],
  ['DISCARD ALL', 'DISCARD ALL'],
  ["COMMIT PREPARED 'tidemark_none'", 'COMMIT PREPARED'],
  ["ROLLBACK PREPARED 'tidemark_none'", 'ROLLBACK PREPARED'],
  ["CREATE SUBSCRIPTION s CONNECTION 'dbname=none' PUBLICATION p", 'CREATE SUBSCRIPTION ... WITH (create_slot = true)'],
  [
    "CREATE SUBSCRIPTION s CONNECTION 'dbname=none' PUBLICATION p WITH (create_slot = 'on', enabled = false)",
    'CREATE SUBSCRIPTION ... WITH (create_slot = true)',
  ],
];

/** [statement, reason]: refused only in cases the text cannot show, so not checked on the server. */
export const NON_TRANSACTIONAL_UNCHECKED: readonly (readonly [string, string])[] = [
  ['ALTER SUBSCRIPTION s REFRESH PUBLICATION', 'ALTER SUBSCRIPTION ... REFRESH'],
  ['ALTER SUBSCRIPTION s SET PUBLICATION p', 'ALTER SUBSCRIPTION with refresh'],
  ['ALTER SUBSCRIPTION s ADD PUBLICATION p WITH (copy_data = false)', 'ALTER SUBSCRIPTION with refresh'],
  ['DROP SUBSCRIPTION IF EXISTS s', 'DROP SUBSCRIPTION'],
];

/** Statements that PostgreSQL (12+) accepts inside a transaction block. */
export const TRANSACTIONAL: readonly string[] = [
  'CREATE INDEX t_b ON t (a)',
  'CREATE INDEX "concurrently" ON t (a)',
  'DROP INDEX IF EXISTS t_b',
  'REINDEX TABLE t',
  'REINDEX (CONCURRENTLY false) TABLE t',
  'REINDEX (concurrently off) INDEX t_pkey',
  'ANALYZE t',
  '"vacuum"',
  'SELECT 1 /* VACUUM */',
  '-- VACUUM\nSELECT 1',
  "SELECT 'CREATE INDEX CONCURRENTLY'",
  "ALTER DATABASE current_database SET default_tablespace = ''",
  'ALTER DATABASE current_database CONNECTION LIMIT 5',
  'ALTER DATABASE current_database WITH CONNECTION LIMIT -1',
  "ALTER DATABASE current_database SET tablespace = 'x'",
  'ALTER TABLE p DETACH PARTITION p1',
  'ALTER TABLE t ADD COLUMN b int',
  'CLUSTER t USING t_pkey',
  'DISCARD PLANS',
  "ALTER TYPE mood ADD VALUE 'sad'",
  'REFRESH MATERIALIZED VIEW CONCURRENTLY mv',
  "CREATE SUBSCRIPTION s CONNECTION 'dbname=none' PUBLICATION p WITH (connect = false)",
  'ALTER SUBSCRIPTION s SET PUBLICATION p WITH (refresh = false)',
  'ALTER SUBSCRIPTION s SET (slot_name = NONE)',
];
