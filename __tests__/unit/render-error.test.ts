import { describeDiscrepancy, errorFields, failureSummary, renderError } from '../../lib/cli/render-error';
import { pair } from '../helpers/pairs';
import { codeFrame, lineColumnAt } from '../../lib/db/sql-position';
import {
  ConfigError,
  DriftError,
  IrreversibleError,
  LockTimeoutError,
  MigrationFailedError,
  ScanError,
  TransactionEndedError,
  type MigrationFailure,
} from '../../lib/errors';
import type { Discrepancy } from '../../lib/types';

const discrepancies: Discrepancy[] = [
  {
    kind: 'edited',
    version: 4n,
    name: 'add_index',
    scripts: ['up', 'down'],
    paths: ['004_add_index.up.sql', '004_add_index.down.sql'],
  },
  {
    kind: 'renamed',
    version: 5n,
    name: 'orders_v2',
    ledgerName: 'orders',
    paths: ['005_orders_v2.up.sql', '005_orders_v2.down.sql'],
  },
  { kind: 'missing', version: 6n, name: 'seed' },
  { kind: 'failed', version: 7n, name: 'concurrent_index', progress: null, path: null, inDoubt: null, holderPid: null },
  { kind: 'out-of-order', version: 8n, name: 'late', path: '008_late.up.sql', highestApplied: 9n },
];

const SQL = 'CREATE TABLE orders (\n\tid bigint PRIMARY KEY,\n\ttotal numeric REFERENCES nope (id)\n);\n';
const at = lineColumnAt(Buffer.from(SQL), Array.from(SQL.slice(0, SQL.indexOf('nope'))).length + 1);

function failure(overrides: Partial<MigrationFailure> = {}): MigrationFailure {
  return {
    version: 2n,
    name: 'orders',
    label: '002_orders',
    direction: 'up',
    path: 'schema/002_orders.up.sql',
    sql: {
      sqlstate: '42P01',
      message: 'relation "nope" does not exist',
      detail: 'Some detail.',
      hint: 'Create it first.',
      where: null,
      line: at.line,
      column: at.column,
    },
    frame: codeFrame(Buffer.from(SQL), at),
    completed: 1,
    notApplied: 2,
    batchRolledBack: false,
    partial: null,
    ...overrides,
  };
}

describe('describeDiscrepancy', () => {
  it('names the kind, migration, version and fix of each discrepancy', () => {
    const edited = describeDiscrepancy(discrepancies[0]);
    expect(edited.startsWith('modified ')).toBe(true);
    expect(edited).toContain('004_add_index.up.sql and 004_add_index.down.sql');
    expect(edited).toContain('tidemark repair --version 4');
    expect(describeDiscrepancy(discrepancies[1])).toContain('"orders"');
    expect(describeDiscrepancy(discrepancies[4])).toContain('--out-of-order');
  });

  it('names only the edited script', () => {
    const onlyDown: Discrepancy = { ...discrepancies[0], scripts: ['down'] } as Discrepancy;
    expect(describeDiscrepancy(onlyDown)).toContain('004_add_index.down.sql changed');
    expect(describeDiscrepancy(onlyDown)).not.toContain('004_add_index.up.sql');
  });
});

describe('renderError', () => {
  it('pins the wording of the drift report', () => {
    expect(renderError(new DriftError(discrepancies))).toMatchSnapshot();
  });

  it('pins the wording of the SQL failure report', () => {
    expect(renderError(new MigrationFailedError(failure()))).toMatchSnapshot();
  });

  it('shows file:line:col, the quoted line with a caret, and the server fields', () => {
    const lines = renderError(new MigrationFailedError(failure())).split('\n');
    expect(lines).toContain('  --> schema/002_orders.up.sql:3:27');
    expect(lines).toContain('3 | \ttotal numeric REFERENCES nope (id)');
    expect(lines).toContain('SQLSTATE 42P01: relation "nope" does not exist');
    expect(lines).toContain('detail: Some detail.');
    expect(lines).toContain('hint: Create it first.');
  });

  it('leaves out what the server did not give', () => {
    const bare = failure({
      sql: { sqlstate: null, message: 'boom', detail: null, hint: null, where: null, line: null, column: null },
      frame: null,
    });
    const lines = renderError(new MigrationFailedError(bare)).split('\n');
    expect(lines.slice(0, 3)).toEqual(['error: applying 002_orders failed', '  --> schema/002_orders.up.sql', 'boom']);
    expect(lines.some((l) => l.startsWith('detail:') || l.startsWith('hint:') || l.startsWith('SQLSTATE'))).toBe(false);
  });

  it('says a rollback failed when a down script fails', () => {
    expect(
      renderError(new MigrationFailedError(failure({ direction: 'down', path: '002_orders.down.sql' }))),
    ).toContain('rolling back 002_orders failed');
  });

  it('prints the message of other errors once, prefixed with error:', () => {
    const err = new ConfigError('--dir "x" does not exist.');
    expect(renderError(err)).toBe('error: --dir "x" does not exist.');
    expect(renderError(new LockTimeoutError(60, 4242))).toContain('4242');
  });

  it('lists every scan problem with its path', () => {
    const text = renderError(
      new ScanError('sql', [
        { path: 'a.sql', reason: 'bad' },
        { path: 'b/001_x.up.sql', reason: 'worse' },
      ]),
    );
    expect(text).toContain('a.sql: bad');
    expect(text).toContain('b/001_x.up.sql: worse');
  });

  it('lists every refused script of an irreversible rollback', () => {
    const text = renderError(
      new IrreversibleError([
        { version: 3n, name: 'm3', path: '003_m3.down.sql', reason: 'marked' },
        { version: 4n, name: 'm4', path: '004_m4.down.sql', reason: 'empty' },
      ]),
    );
    expect(text).toContain('003_m3.down.sql (version 3)');
    expect(text).toContain('004_m4.down.sql (version 4)');
  });
});

describe('failureSummary', () => {
  it('says how many were applied, which failed and how many are not done', () => {
    expect(failureSummary(failure())).toBe(
      'Applied 1 of 3; 002_orders failed and was rolled back (no changes, no ledger row); 2 not done.',
    );
  });

  it('says the whole batch was rolled back with --single-transaction', () => {
    const text = failureSummary(failure({ batchRolledBack: true, completed: 0, notApplied: 3 }));
    expect(text).toContain('whole batch was rolled back at 002_orders');
    expect(text).toContain('3 still to do');
  });
});

describe('errorFields', () => {
  it('gives the file, SQLSTATE, line and column of a failed migration as fields', () => {
    expect(errorFields(new MigrationFailedError(failure()))).toEqual({
      outcome: 'failed',
      code: 'migration-failed',
      exit_code: 1,
      version: '2',
      name: 'orders',
      direction: 'up',
      file: 'schema/002_orders.up.sql',
      sqlstate: '42P01',
      line: 3,
      column: 27,
      detail: 'Some detail.',
      hint: 'Create it first.',
      completed: 1,
      not_applied: 2,
    });
  });

  it('gives discrepancies with string versions, so the line serialises to JSON', () => {
    const fields = errorFields(new DriftError(discrepancies));
    const parsed = JSON.parse(JSON.stringify(fields));
    expect(parsed).toMatchObject({ code: 'drift', exit_code: 3 });
    expect(parsed.discrepancies.map((d: { kind: string; version: string }) => [d.kind, d.version])).toEqual([
      ['edited', '4'],
      ['renamed', '5'],
      ['missing', '6'],
      ['failed', '7'],
      ['out-of-order', '8'],
    ]);
    expect(parsed.discrepancies[4].highestApplied).toBe('9');
  });

  it('gives the problems of a scan error, and only code and exit code otherwise', () => {
    const problems = [{ path: 'a.sql', reason: 'bad' }];
    expect(errorFields(new ScanError('sql', problems))).toEqual({ code: 'scan', exit_code: 2, problems });
    expect(errorFields(new ConfigError('x'))).toEqual({ code: 'config', exit_code: 2 });
  });

  it('gives where a script ended its transaction, and what the batch kept', () => {
    const step = { direction: 'up' as const, pair: pair(2, 'b') };
    const err = new TransactionEndedError({
      step,
      batch: true,
      completed: 0,
      scriptError: 'division by zero',
      rowMarked: true,
      batchRecorded: [1n],
    });
    expect(errorFields(err)).toEqual({
      code: 'transaction-ended',
      exit_code: 1,
      outcome: 'transaction-ended',
      version: '2',
      name: 'b',
      direction: 'up',
      file: '002_b.up.sql',
      script_error: 'division by zero',
      row_marked_failed: true,
      batch_recorded: ['1'],
    });
    expect(err.message).toContain('the batch was NOT rolled back as a whole; the ledger now records as applied: 1');
    expect(err.message).not.toMatch(/\brolled back \(/);
  });

  it('serialises every kind of error to JSON', () => {
    const errors = [
      new IrreversibleError([{ version: 3n, name: 'm3', path: '003_m3.down.sql', reason: 'marked' }]),
      new LockTimeoutError(1, null),
      new MigrationFailedError(failure()),
      new DriftError(discrepancies),
    ];
    for (const err of errors) expect(() => JSON.stringify(errorFields(err))).not.toThrow();
  });
});
