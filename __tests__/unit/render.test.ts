import { renderPlan, renderStatus, renderSummary, statusDocument, summaryData } from '../../lib/cli/render';
import type { RunResult, StatusReport } from '../../lib/migrator';
import { countStates } from '../../lib/plan/status';
import type { Plan, StatusEntry } from '../../lib/types';
import { pair } from '../helpers/pairs';

const p1 = pair(1, 'users');
const p2 = pair(2, 'orders');
const applyPlan: Plan = { direction: 'up', steps: [p1, p2].map((p) => ({ direction: 'up', pair: p })) };
const rollbackPlan: Plan = { direction: 'down', steps: [{ direction: 'down', pair: p2 }] };

function run(plan: Plan, overrides: Partial<RunResult> = {}): RunResult {
  return {
    plan,
    dryRun: false,
    completed: plan.steps.map((step) => ({ step, durationMs: 7 })),
    pending: 0,
    durationMs: 1234,
    ...overrides,
  };
}

function report(entries: StatusEntry[]): StatusReport {
  return { entries, pairs: [], audit: [], counts: countStates(entries), discrepancies: [], ledgerExists: true };
}

const APPLIED_AT = new Date(Date.UTC(2026, 10, 24, 9, 30, 5, 123));
const entries: StatusEntry[] = [
  { version: 1n, name: 'users', state: 'applied', appliedAt: APPLIED_AT, path: '001_users.up.sql' },
  { version: 20261124093000n, name: 'orders', state: 'pending', appliedAt: null, path: '20261124093000_orders.up.sql' },
];

describe('renderPlan', () => {
  it('lists each step with its script, in order, and says nothing changed', () => {
    expect(renderPlan(applyPlan).split('\n')).toEqual([
      'Dry run: would apply 2 migrations, in this order:',
      '  001_users  001_users.up.sql',
      '  002_orders  002_orders.up.sql',
      'Nothing was changed.',
    ]);
  });

  it('names the down script of a rollback step', () => {
    expect(renderPlan(rollbackPlan)).toContain('002_orders.down.sql');
    expect(renderPlan(rollbackPlan)).toContain('roll back 1 migration,');
  });

  it('says when there is nothing to do', () => {
    expect(renderPlan({ direction: 'down', steps: [] })).toBe('Dry run: nothing to roll back.');
  });
});

describe('renderSummary', () => {
  it('counts applied migrations, time and pending', () => {
    expect(renderSummary(run(applyPlan, { pending: 3 }))).toBe('Applied 2 migrations in 1.23s; 3 pending.');
  });

  it('says the database is up to date when nothing was pending', () => {
    expect(renderSummary(run({ direction: 'up', steps: [] }))).toBe('Nothing to apply: the database is up to date.');
  });

  it('says what is pending above a target', () => {
    expect(renderSummary(run({ direction: 'up', steps: [] }, { pending: 2 }))).toContain('2 pending');
  });

  it('counts rolled-back migrations', () => {
    expect(renderSummary(run(rollbackPlan, { pending: 1 }))).toBe('Rolled back 1 migration in 1.23s; 1 pending.');
    expect(renderSummary(run({ direction: 'down', steps: [] }))).toBe('Nothing to roll back.');
  });

  it('prints the plan for a dry run', () => {
    expect(renderSummary(run(applyPlan, { dryRun: true, completed: [] }))).toBe(renderPlan(applyPlan));
  });
});

describe('summaryData', () => {
  it('gives versions as strings so the data serialises to JSON', () => {
    const data = summaryData(run(applyPlan, { pending: 1 }));
    expect(JSON.parse(JSON.stringify(data))).toEqual({
      direction: 'up',
      dry_run: false,
      planned: [
        { version: '1', name: 'users' },
        { version: '2', name: 'orders' },
      ],
      completed: [
        { version: '1', name: 'users', duration_ms: 7 },
        { version: '2', name: 'orders', duration_ms: 7 },
      ],
      pending: 1,
      duration_ms: 1234,
    });
  });
});

describe('renderStatus', () => {
  it('prints an aligned table with one row per migration, then the summary', () => {
    expect(renderStatus(report(entries)).split('\n')).toEqual([
      'VERSION         NAME    STATE    APPLIED AT',
      '1               users   applied  2026-11-24 09:30:05Z',
      '20261124093000  orders  pending  -',
      '',
      '2 migrations: 1 applied, 1 pending, 0 modified, 0 missing, 0 failed.',
    ]);
  });

  it('shows a cosmetic edit as cosmetic, counted in the summary', () => {
    const edited: StatusEntry[] = [
      { version: 1n, name: 'users', state: 'cosmetic', appliedAt: APPLIED_AT, path: '001_users.up.sql' },
      { version: 2n, name: 'orders', state: 'modified', appliedAt: APPLIED_AT, path: '002_orders.up.sql' },
    ];
    expect(renderStatus(report(edited)).split('\n')).toEqual([
      'VERSION  NAME    STATE     APPLIED AT',
      '1        users   cosmetic  2026-11-24 09:30:05Z',
      '2        orders  modified  2026-11-24 09:30:05Z',
      '',
      '2 migrations: 0 applied, 0 pending, 1 modified, 1 cosmetic, 0 missing, 0 failed.',
    ]);
    expect(statusDocument(report(edited)).summary).toMatchObject({ modified: 1, cosmetic: 1 });
  });

  it('prints only the headers and a zero summary for an empty directory and ledger', () => {
    expect(renderStatus(report([]))).toBe(
      'VERSION  NAME  STATE  APPLIED AT\n\n0 migrations: 0 applied, 0 pending, 0 modified, 0 missing, 0 failed.',
    );
  });
});

describe('statusDocument', () => {
  it('is a JSON document with string versions, ISO times and a summary', () => {
    expect(JSON.parse(JSON.stringify(statusDocument(report(entries))))).toEqual({
      migrations: [
        {
          version: '1',
          name: 'users',
          state: 'applied',
          applied_at: '2026-11-24T09:30:05.123Z',
          path: '001_users.up.sql',
        },
        {
          version: '20261124093000',
          name: 'orders',
          state: 'pending',
          applied_at: null,
          path: '20261124093000_orders.up.sql',
        },
      ],
      summary: {
        total: 2,
        applied: 1,
        pending: 1,
        modified: 0,
        cosmetic: 0,
        missing: 0,
        failed: 0,
        interrupted: 0,
        running: 0,
      },
      ledger_exists: true,
      audit: [],
    });
  });
});
