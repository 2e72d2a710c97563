/**
 * The one exit-code table: every error class exits with what the README's
 * "Exit codes" table says, taken from EXIT_CODES by its code.
 */
import {
  BatchCommitError,
  ConfigError,
  ConnectionError,
  DriftError,
  EXIT_CODES,
  exitCodeOf,
  InterruptedError,
  IrreversibleError,
  LedgerRelationError,
  LockTimeoutError,
  MigrationFailedError,
  PrivilegeError,
  ScanError,
  TidemarkError,
  TransactionControlError,
  TransactionEndedError,
  TransactionSafetyError,
  type MigrationFailure,
  type SqlErrorFields,
} from '../../lib/errors';
import type { Step } from '../../lib/types';

const sql: SqlErrorFields = {
  sqlstate: '42P01',
  message: 'no such table',
  detail: null,
  hint: null,
  where: null,
  line: null,
  column: null,
};
const failure: MigrationFailure = {
  version: 1n,
  name: 'a',
  label: '001_a',
  direction: 'up',
  path: '001_a.up.sql',
  sql,
  frame: null,
  completed: 0,
  notApplied: 1,
  batchRolledBack: false,
  partial: null,
};
const step = { direction: 'up', pair: { version: 1n, name: 'a', up: { path: '001_a.up.sql' } } } as unknown as Step;
const ended = { step, batch: false, completed: 0, scriptError: null, rowMarked: true, batchRecorded: null };
const problem = { path: 'a.sql', line: 1, column: 1, reason: 'COMMIT', kind: 'transaction-control' as const };
const ledger = { relation: '"public"."t"', kind: 'view' };
const privilege = { role: 'r', action: 'create', missing: 'CREATE', grant: 'GRANT' };

const cases: [TidemarkError, string, number][] = [
  [new MigrationFailedError(failure), 'migration-failed', 1],
  [new TransactionEndedError(ended), 'transaction-ended', 1],
  [new BatchCommitError(2, sql), 'batch-commit-failed', 1],
  [new ConfigError('bad'), 'config', 2],
  [new ScanError('sql', []), 'scan', 2],
  [new IrreversibleError([]), 'irreversible', 2],
  [new TransactionSafetyError([{ ...problem, kind: 'needs-no-transaction' }]), 'needs-no-transaction', 2],
  [new TransactionControlError([problem]), 'transaction-control', 2],
  [new PrivilegeError(privilege), 'privilege', 2],
  [new LedgerRelationError(ledger), 'ledger-relation', 2],
  [new DriftError([]), 'drift', 3],
  [new LockTimeoutError(1, null), 'lock-timeout', 4],
  [new ConnectionError('down'), 'unreachable', 5],
  [new InterruptedError('SIGHUP', ''), 'interrupted', 129],
  [new InterruptedError('SIGINT', ''), 'interrupted', 130],
  [new InterruptedError('SIGQUIT', ''), 'interrupted', 131],
  [new InterruptedError('SIGTERM', ''), 'interrupted', 143],
  [new InterruptedError('SIGUSR1', ''), 'interrupted', 143],
];

test.each(cases)('%p has its code and the exit code of the README', (err, code, exitCode) => {
  expect(err).toBeInstanceOf(TidemarkError);
  expect(err).toMatchObject({ code, exitCode, name: err.constructor.name });
  expect(Object.keys(err).slice(0, 3)).toEqual(['name', 'code', 'exitCode']);
  expect(exitCodeOf(err.code, err instanceof InterruptedError ? err.signal : undefined)).toBe(exitCode);
});

test('every error code of a class is in the table, and the CLI codes too', () => {
  const codes = new Set(cases.map(([, code]) => code));
  expect(Object.keys(EXIT_CODES).sort()).toEqual([...codes, 'usage', 'internal'].sort());
  expect(exitCodeOf('usage')).toBe(2);
  expect(exitCodeOf('internal')).toBe(1);
});
