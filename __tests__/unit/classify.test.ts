import {
  isAddEnumValue,
  isDdl,
  isTransactionControl,
  mayBeNonTransactional,
  nonTransactionalReason,
  transactionControlReason,
} from '../../lib/sql/classify';
import { splitStatements, statementsInBytes } from '../../lib/sql/lexer';
import { NON_TRANSACTIONAL, NON_TRANSACTIONAL_UNCHECKED, TRANSACTIONAL } from '../helpers/classify-samples';

describe('nonTransactionalReason', () => {
  it.each([...NON_TRANSACTIONAL, ...NON_TRANSACTIONAL_UNCHECKED])('%s → %s', (sql, reason) => {
    expect(nonTransactionalReason(sql)).toBe(reason);
  });

  it.each(TRANSACTIONAL)('%s → null', (sql) => {
    expect(nonTransactionalReason(sql)).toBeNull();
  });

  it('accepts a Statement from the splitter', () => {
    const [, second] = splitStatements('SELECT 1; /* c */ VACUUM t;');
    expect(second && nonTransactionalReason(second)).toBe('VACUUM');
  });

  it('returns null for empty and comment-only text', () => {
    expect(nonTransactionalReason('')).toBeNull();
    expect(nonTransactionalReason('-- VACUUM')).toBeNull();
  });
});

describe('isAddEnumValue', () => {
  it.each([
    ["ALTER TYPE mood ADD VALUE 'sad'", true],
    ["alter type public.mood add value if not exists 'sad' before 'ok'", true],
    ['ALTER TYPE "My Type" ADD VALUE \'x\'', true],
    ["ALTER TYPE add ADD VALUE 'x'", true],
    ['ALTER TYPE compfoo ADD ATTRIBUTE f3 int', false],
    ["ALTER TYPE mood RENAME VALUE 'a' TO 'b'", false],
    ["SELECT 'ALTER TYPE mood ADD VALUE'", false],
  ])('%s → %s', (sql, expected) => {
    expect(isAddEnumValue(sql)).toBe(expected);
  });

  it('is not itself a reason to leave the transaction (PostgreSQL 12+ allows it)', () => {
    expect(nonTransactionalReason("ALTER TYPE mood ADD VALUE 'sad'")).toBeNull();
  });
});

describe('transactionControlReason', () => {
  it.each([
    ['BEGIN', 'BEGIN'],
    ['begin transaction isolation level serializable', 'BEGIN'],
    ['START TRANSACTION', 'START TRANSACTION'],
    ['COMMIT', 'COMMIT'],
    ['commit work', 'COMMIT'],
    ['COMMIT AND CHAIN', 'COMMIT AND CHAIN'],
    ['commit transaction and chain', 'COMMIT AND CHAIN'],
    ['COMMIT AND NO CHAIN', 'COMMIT'],
    ['END', 'END'],
    ['end transaction', 'END'],
    ['ROLLBACK', 'ROLLBACK'],
    ['rollback and chain', 'ROLLBACK AND CHAIN'],
    ['ABORT', 'ABORT'],
    ["PREPARE TRANSACTION 'x'", 'PREPARE TRANSACTION'],
    ['/* c */ Commit', 'COMMIT'],
    ['-- c\nrollback work', 'ROLLBACK'],
  ])('%s → %s', (sql, reason) => {
    expect(transactionControlReason(sql)).toBe(reason);
    expect(isTransactionControl(sql)).toBe(true);
  });

  it.each([
    'ROLLBACK TO SAVEPOINT a',
    'rollback to a',
    'ROLLBACK WORK TO SAVEPOINT a',
    'SAVEPOINT a',
    'RELEASE SAVEPOINT a',
    'RELEASE a',
    "COMMIT PREPARED 'x'",
    "ROLLBACK PREPARED 'x'",
    'PREPARE q AS SELECT 1',
    'START',
    'SELECT 1',
    'SET TRANSACTION ISOLATION LEVEL SERIALIZABLE',
    '"begin"',
    '"commit"',
    '',
    'DO $$ BEGIN COMMIT; END $$',
    'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END',
  ])('%s → null', (sql) => {
    expect(transactionControlReason(sql)).toBeNull();
    expect(isTransactionControl(sql)).toBe(false);
  });
});

describe('isDdl', () => {
  it.each([
    'CREATE TABLE t (a int)',
    'alter table t add column b int',
    'DROP TABLE t',
    "COMMENT ON TABLE t IS 'x'",
    'GRANT SELECT ON t TO public',
    'REVOKE ALL ON t FROM public',
    "SECURITY LABEL ON TABLE t IS 'x'",
    'IMPORT FOREIGN SCHEMA s FROM SERVER x INTO public',
    'REASSIGN OWNED BY a TO b',
    'REFRESH MATERIALIZED VIEW mv',
    "ALTER TYPE mood ADD VALUE 'x'",
    'CREATE INDEX ON t (a)',
  ])('%s → true', (sql) => {
    expect(isDdl(sql)).toBe(true);
  });

  it.each([
    'CREATE INDEX CONCURRENTLY ON t (a)',
    'DROP DATABASE d',
    'ALTER SYSTEM SET x = 1',
    'VACUUM',
    'INSERT INTO t VALUES (1)',
    'SELECT 1',
    'TRUNCATE t',
    'SECURITY DEFINER',
    'BEGIN',
    '',
  ])('%s → false', (sql) => {
    expect(isDdl(sql)).toBe(false);
  });
});

describe('mayBeNonTransactional (which statements of a big script are decoded)', () => {
  it.each([...NON_TRANSACTIONAL, ...NON_TRANSACTIONAL_UNCHECKED])('is true for the first word of %s', (sql) => {
    const [statement] = [...statementsInBytes(Buffer.from(sql))];
    expect(mayBeNonTransactional(statement.firstWord)).toBe(true);
  });

  it('is true for the first words of transaction control', () => {
    for (const word of ['begin', 'start', 'commit', 'end', 'rollback', 'abort', 'prepare'])
      expect(mayBeNonTransactional(word)).toBe(true);
  });

  it('is false for other words and for no word', () => {
    for (const word of ['insert', 'select', 'update', 'copy', 'savepoint', 'release', 'database', 'system', null])
      expect(mayBeNonTransactional(word)).toBe(false);
  });
});
