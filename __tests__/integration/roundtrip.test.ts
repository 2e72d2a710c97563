/**
 * tidemark test's use case on the real server: each fixture under
 * fixtures/roundtrip/ is a directory whose downs forget one kind of object
 * (or get everything right), and the throwaway database must be gone after
 * every ending.
 */
import path from 'node:path';
import { Client } from 'pg';
import type { Config } from '../../lib/config';
import { InterruptedError } from '../../lib/errors';
import { roundtrip, type RoundtripOptions, type RoundtripReport } from '../../lib/migrator';
import type { RoundtripResult } from '../../lib/plan/roundtrip';
import { contextFor } from '../helpers/context';
import { ADMIN_URL, createTestDatabase } from '../helpers/db';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'roundtrip');
const EXAMPLES = path.join(__dirname, '..', '..', 'sql');

async function databaseExists(name: string): Promise<boolean> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
  } finally {
    await client.end();
  }
}

/** Runs the fixture; checks the throwaway database is gone whatever happened. */
async function run(
  dir: string,
  options: RoundtripOptions = {},
  config: Partial<Config> = {},
): Promise<RoundtripReport> {
  const ctx = contextFor(ADMIN_URL, dir, config);
  try {
    return await roundtrip(ctx, options);
  } finally {
    const created = ctx.lines.find((l) => String(l.msg).startsWith('created throwaway database'));
    if (created) expect(await databaseExists(String(created.database))).toBe(false);
  }
}

const fixture = (name: string, options?: RoundtripOptions) => run(path.join(FIXTURES, name), options);
const statuses = (report: RoundtripReport) => report.results.map((r) => `${r.pair.label} ${r.status}`);
const found = (r: RoundtripResult) => (r.status === 'failed' ? r.findings : null);
const afterDown = (r: RoundtripResult) => found(r)?.afterDown.map((d) => d.description);

describe('a down that forgets one kind of object is caught, and the object named', () => {
  it.each([
    [
      'forgot-index',
      '002_add_theme',
      'index user_preferences_user_id_idx on public.user_preferences still exists',
      'reapply',
    ],
    [
      'forgot-trigger',
      '002_touch_preferences',
      'trigger set_updated_at on public.user_preferences still exists',
      'reapply',
    ],
    [
      'forgot-default',
      '002_locale_required',
      "default of column public.user_preferences.locale: expected none, found 'en'::text",
      null,
    ],
    ['forgot-enum-value', '002_happy_mood', "enum public.mood: label 'happy' still exists", 'reapply'],
    ['forgot-function', '002_full_names', 'function public.full_name(text, text) still exists', 'reapply'],
    ['forgot-policy', '002_own_documents', 'policy own_documents on public.documents still exists', 'reapply'],
    [
      'forgot-column-type',
      '002_mass_as_float',
      'column public.molecules.mass: type changed from numeric(12,5) to double precision',
      null,
    ],
  ])('%s', async (name, label, description, failedPhase) => {
    const report = await fixture(name);
    const result = report.results.find((r) => r.pair.label === label) as RoundtripResult;
    expect(result.status).toBe('failed');
    expect(afterDown(result)).toEqual([description]);
    // Where the down left the object behind, applying the up again collides with it.
    expect(found(result)?.failure?.phase ?? null).toBe(failedPhase);
    expect(found(result)?.afterReapply).toEqual([]);
    expect(report.summary).toMatchObject({ failed: 1, notRun: 0 });
  });

  it('goes on after a failed second up: rebuilds the database and tests the next migration', async () => {
    const report = await fixture('forgot-index');
    expect(statuses(report)).toEqual(['001_user_preferences passed', '002_add_theme failed', '003_add_locale passed']);
    const failure = found(report.results[1])?.failure;
    expect(failure).toMatchObject({
      phase: 'reapply',
      error: { path: '002_add_theme.up.sql', sql: { sqlstate: '42P07' } },
    });
  });
});

describe('directories that round-trip cleanly', () => {
  it('a clean directory with every kind of object passes', async () => {
    const report = await fixture('clean');
    expect(report.summary).toEqual({ total: 7, passed: 7, warnings: 0, failed: 0, notTested: 0, notRun: 0 });
  });

  it('the example sql/ passes, row counts included', async () => {
    const report = await run(EXAMPLES, { data: true });
    expect(report.summary).toMatchObject({ total: 8, passed: 8, failed: 0 });
  });

  it('irreversible and empty downs are applied, reported as not tested, and the run goes on', async () => {
    const report = await fixture('irreversible');
    expect(statuses(report)).toEqual([
      '001_base passed',
      '002_drop_payload not-tested',
      '003_vacuum_note not-tested',
      '004_kind passed',
    ]);
    expect(report.results.map((r) => (r.status === 'not-tested' ? r.reason : null))).toEqual([
      null,
      'irreversible',
      'empty-down',
      null,
    ]);
  });
});

describe('failing scripts', () => {
  it('an up that fails on a fresh database stops the run: file, line and column; the rest not run', async () => {
    const report = await fixture('failing-up');
    expect(statuses(report)).toEqual(['001_base passed', '002_mass failed', '003_formula not-run']);
    expect(found(report.results[1])?.failure).toMatchObject({
      phase: 'up',
      error: { path: '002_mass.up.sql', sql: { sqlstate: '42704', line: 3, column: 19 } },
    });
  });

  it('a failing down is reported; the migration stays applied and the next one is tested', async () => {
    const report = await fixture('failing-down');
    expect(statuses(report)).toEqual(['001_base passed', '002_name_index failed', '003_formula passed']);
    expect(found(report.results[1])?.failure).toMatchObject({
      phase: 'down',
      error: { path: '002_name_index.down.sql', sql: { sqlstate: '42704' } },
    });
  });
});

describe('--data', () => {
  it('catches a down that deletes rows it did not create', async () => {
    const report = await fixture('data', { data: true });
    expect(found(report.results[2])?.rowChanges).toEqual([
      { schema: 'public', table: 'property_kinds', before: 3, after: 0 },
    ]);
    expect(report.summary.failed).toBe(1);
  });

  it('is off by default: the schema alone round-trips', async () => {
    expect((await fixture('data')).summary.failed).toBe(0);
  });
});

describe('--from and --to', () => {
  it('applies the migrations below --from unchecked and checks the range', async () => {
    const report = await fixture('forgot-index', { from: 3n });
    expect(report.appliedFirst).toBe(2);
    expect(statuses(report)).toEqual(['003_add_locale passed']);
  });

  it('runs nothing above --to', async () => {
    const report = await fixture('forgot-index', { to: 1n });
    expect(statuses(report)).toEqual(['001_user_preferences passed']);
  });

  it('refuses a range without migrations before creating anything', async () => {
    await expect(fixture('forgot-index', { from: 7n })).rejects.toMatchObject({ code: 'config', exitCode: 2 });
  });
});

describe('the throwaway database', () => {
  it('is created from the template given, on the server of the URL, and dropped', async () => {
    const template = await createTestDatabase();
    try {
      await template.query('CREATE TABLE existing (id int); INSERT INTO existing VALUES (1), (2)');
      const ctx = contextFor(template.url, path.join(FIXTURES, 'clean'));
      const report = await roundtrip(ctx, { template: template.name, data: true });
      expect(report.summary.passed).toBe(7);
      expect(await databaseExists(report.database as string)).toBe(false);
    } finally {
      await template.drop();
    }
  });

  it('a template that does not exist is a configuration error', async () => {
    await expect(fixture('clean', { template: 'tidemark_no_such_template' })).rejects.toMatchObject({
      code: 'config',
      exitCode: 2,
    });
  });

  it('keeps the ledger (in its own schema) out of the comparison', async () => {
    const report = await run(path.join(FIXTURES, 'clean'), {}, { schema: 'tidemark', table: 'history' });
    expect(report.summary.failed).toBe(0);
  });

  it('is dropped when the run is aborted mid-script, then InterruptedError', async () => {
    const controller = new AbortController();
    const ctx = contextFor(ADMIN_URL, path.join(FIXTURES, 'slow'));
    const running = roundtrip(ctx, { signal: controller.signal });
    const name = await sleepingIn(ctx.lines);
    controller.abort('SIGINT');
    await expect(running).rejects.toBeInstanceOf(InterruptedError);
    await expect(running).rejects.toMatchObject({ exitCode: 130, signal: 'SIGINT' });
    expect(await databaseExists(name)).toBe(false);
  });
});

/** Waits until the throwaway database (named in the log) runs pg_sleep; returns its name. */
async function sleepingIn(lines: Record<string, unknown>[]): Promise<string> {
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    for (let i = 0; i < 200; i++) {
      const name = lines.find((l) => String(l.msg).startsWith('created throwaway database'))?.database;
      const { rowCount } = await admin.query(
        "SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND query LIKE '%pg_sleep%'",
        [name ?? ''],
      );
      if (rowCount) return String(name);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the slow migration never started');
  } finally {
    await admin.end();
  }
}
