import { findingLines, renderRoundtrip, roundtripDocument } from '../../lib/cli/render-test';
import type { SchemaDifference } from '../../lib/schema';
import type { MigrationFailure } from '../../lib/errors';
import type { RoundtripReport } from '../../lib/migrator';
import { judge, scriptFailed, summarize, type RoundtripResult } from '../../lib/plan/roundtrip';
import { pair } from '../helpers/pairs';

const users = pair(1, 'users');
const prefs = pair(4, 'add_preferences');
const events = pair(5, 'drop_payload', { down: '-- tidemark:irreversible\n' });
const later = pair(6, 'later');

const index: SchemaDifference = {
  kind: 'added',
  objectType: 'index',
  identity: 'public.user_preferences_user_id_idx',
  subject: 'index user_preferences_user_id_idx on public.user_preferences',
  description: 'index user_preferences_user_id_idx on public.user_preferences still exists',
  after: 'CREATE INDEX user_preferences_user_id_idx ON public.user_preferences USING btree (user_id)',
};
const trigger: SchemaDifference = {
  kind: 'added',
  objectType: 'trigger',
  identity: 'public.user_preferences.set_updated_at',
  subject: 'trigger set_updated_at on public.user_preferences',
  description: 'trigger set_updated_at on public.user_preferences still exists',
  after: 'CREATE TRIGGER …',
};
const type: SchemaDifference = {
  kind: 'changed',
  objectType: 'column',
  identity: 'public.molecules.mass',
  property: 'type',
  description: 'column public.molecules.mass: type changed from numeric to double precision',
  before: 'numeric',
  after: 'double precision',
};

const failure: MigrationFailure = {
  version: 4n,
  name: 'add_preferences',
  label: '004_add_preferences',
  direction: 'up',
  path: '004_add_preferences.up.sql',
  sql: {
    sqlstate: '42P07',
    message: 'relation "user_preferences_user_id_idx" already exists',
    detail: null,
    hint: 'Drop it first.',
    where: null,
    line: 3,
    column: 14,
  },
  frame: '  |\n3 | CREATE INDEX user_preferences_user_id_idx ON user_preferences (user_id);\n  |              ^',
  completed: 0,
  notApplied: 1,
  batchRolledBack: false,
  partial: null,
};

const results: RoundtripResult[] = [
  judge(users, 12, { afterDown: [], afterReapply: [], rowChanges: [], failure: null }),
  judge(
    prefs,
    31,
    scriptFailed('reapply', failure, {
      afterDown: [index, trigger],
      rowChanges: [{ schema: 'public', table: 'kinds', before: 8, after: 0 }],
    }),
  ),
  { status: 'not-tested', pair: events, durationMs: 2, reason: 'irreversible' },
  judge(later, 9, { afterDown: [], afterReapply: [type], rowChanges: [], failure: null }),
];

const report: RoundtripReport = {
  database: 'tidemark_rt_0123456789ab',
  template: 'template0',
  data: true,
  strict: false,
  appliedFirst: 0,
  results,
  summary: summarize(results),
  durationMs: 1234,
};

describe('findingLines', () => {
  it('names the down script before each leftover, as the issue words it', () => {
    expect(findingLines(results[1])).toEqual([
      'after 004_add_preferences.down.sql: index user_preferences_user_id_idx on public.user_preferences still exists',
      'after 004_add_preferences.down.sql: trigger set_updated_at on public.user_preferences still exists',
      'after 004_add_preferences.down.sql: table public.kinds holds 0 rows; it held 8 before the up',
      '004_add_preferences.up.sql:3:14: failed when applied again after the down: SQLSTATE 42P07: relation "user_preferences_user_id_idx" already exists',
    ]);
  });

  it('names the up script for a difference after the second up', () => {
    expect(findingLines(results[3])).toEqual([
      'after applying 006_later.up.sql again: column public.molecules.mass: type changed from numeric to double precision',
    ]);
  });

  it('says why a migration was not round-trip tested', () => {
    expect(findingLines(results[2])).toEqual([
      '005_drop_payload.down.sql is marked -- tidemark:irreversible: applied, not round-trip tested',
    ]);
    expect(findingLines(results[0])).toEqual([]);
  });
});

describe('renderRoundtrip', () => {
  it('lists every migration with its findings and the code frame, then the verdict', () => {
    expect(renderRoundtrip(report)).toMatchSnapshot();
  });

  it('says OK when nothing failed', () => {
    const ok = [results[0], results[2]];
    expect(
      renderRoundtrip({ ...report, results: ok, summary: summarize(ok) })
        .split('\n')
        .pop(),
    ).toBe('test: OK — 1 migration round-trip tested, 1 not round-trip tested (1.23s).');
  });

  it('says so when there was nothing to test', () => {
    expect(renderRoundtrip({ ...report, database: null, results: [], summary: summarize([]) })).toBe(
      'test: nothing to test (no migrations).',
    );
  });
});

describe('roundtripDocument', () => {
  it('is the documented JSON shape', () => {
    const doc = roundtripDocument(report) as { ok: boolean; summary: unknown; migrations: Record<string, unknown>[] };
    expect(doc.ok).toBe(false);
    expect(doc.summary).toEqual({
      total: 4,
      passed: 1,
      warnings: 0,
      failed: 2,
      not_tested: 1,
      not_run: 0,
      applied_first: 0,
    });
    expect(doc.migrations[1]).toEqual({
      version: '4',
      name: 'add_preferences',
      up: '004_add_preferences.up.sql',
      down: '004_add_preferences.down.sql',
      status: 'failed',
      duration_ms: 31,
      not_tested_reason: null,
      after_down: [
        {
          severity: 'error',
          object_type: 'index',
          identity: 'public.user_preferences_user_id_idx',
          kind: 'added',
          property: null,
          expected: null,
          found: index.kind === 'added' ? index.after : null,
          description: index.description,
          message: `after 004_add_preferences.down.sql: ${index.description}`,
        },
        expect.objectContaining({ object_type: 'trigger' }),
      ],
      after_reapply: [],
      row_counts: [{ table: 'public.kinds', before: 8, after: 0 }],
      failure: {
        phase: 'reapply',
        file: '004_add_preferences.up.sql',
        line: 3,
        column: 14,
        sqlstate: '42P07',
        message: 'relation "user_preferences_user_id_idx" already exists',
        detail: null,
        hint: 'Drop it first.',
      },
    });
    expect(doc.migrations[2]).toMatchObject({ status: 'not-tested', not_tested_reason: 'irreversible', failure: null });
    expect(doc.migrations[3]).toMatchObject({
      after_reapply: [{ property: 'type', expected: 'numeric', found: 'double precision' }],
    });
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });
});

describe('what a one-line finding leaves out is shown under it', () => {
  const columns = ['id', 'customer_id', 'shipping_address_line_one', 'shipping_address_line_two', 'created_at'];
  const moved: SchemaDifference = {
    kind: 'changed',
    objectType: 'table',
    identity: 'public.orders',
    property: 'column order',
    description: 'table public.orders: column order changed',
    before: columns.join(', '),
    after: [...columns.slice(1), columns[0]].join(', '),
  };
  const body: SchemaDifference = {
    kind: 'changed',
    objectType: 'function',
    identity: 'public.f()',
    property: 'body',
    description: 'function public.f(): body changed',
    before: '\nBEGIN\n  RETURN 1;\nEND\n',
    after: '\nBEGIN\n  RETURN 2;\nEND\n',
  };
  const made: SchemaDifference = {
    kind: 'added',
    objectType: 'table',
    identity: 'public.extra',
    subject: 'table public.extra',
    description: 'table public.extra was created by the down script',
    after: 'table',
  };
  const render = (list: RoundtripResult[], strict = false) =>
    renderRoundtrip({ ...report, data: false, strict, results: list, summary: summarize(list) });

  it('a column order alone: ok with a warning, both lists, exit-0 verdict', () => {
    const list = [judge(prefs, 5, { afterDown: [moved], afterReapply: [], rowChanges: [], failure: null })];
    const text = render(list);
    expect(text).toContain(
      [
        '  ok          004_add_preferences  5 ms',
        '      warning: after 004_add_preferences.down.sql: table public.orders: column order changed (a down script can only add a column back at the end; not a failure without --strict)',
        '        expected: id, customer_id, shipping_address_line_one, shipping_address_line_two, created_at',
        '        found:    customer_id, shipping_address_line_one, shipping_address_line_two, created_at, id',
      ].join('\n'),
    );
    expect(text.split('\n').pop()).toBe(
      'test: OK — 1 migration round-trip tested, 1 with a column-order warning (1.23s).',
    );
    const doc = roundtripDocument({ ...report, results: list, summary: summarize(list) }) as {
      ok: boolean;
      summary: unknown;
      migrations: { after_down: unknown[] }[];
    };
    expect(doc.ok).toBe(true);
    expect(doc.summary).toMatchObject({ passed: 1, warnings: 1, failed: 0 });
    expect(doc.migrations[0].after_down).toEqual([
      expect.objectContaining({ severity: 'warning', property: 'column order' }),
    ]);
  });

  it('under --strict the column order fails, without the warning note', () => {
    const list = [judge(prefs, 5, { afterDown: [moved], afterReapply: [], rowChanges: [], failure: null }, true)];
    const text = render(list, true);
    expect(text).toContain(
      '  FAILED      004_add_preferences  5 ms\n      after 004_add_preferences.down.sql: table public.orders: column order changed\n        expected: id,',
    );
    expect(roundtripDocument({ ...report, strict: true, results: list, summary: summarize(list) })).toMatchObject({
      ok: false,
      strict: true,
    });
  });

  it('a changed body: a unified diff, expected before the up against found after the down', () => {
    const text = render([
      judge(prefs, 5, { afterDown: [body, made], afterReapply: [], rowChanges: [], failure: null }),
    ]);
    expect(text).toContain(
      [
        '      after 004_add_preferences.down.sql: function public.f(): body changed',
        '        --- expected (before 004_add_preferences.up.sql)',
        '        +++ found (after 004_add_preferences.down.sql)',
        '        @@ -1,4 +1,4 @@',
        '         ',
        '         BEGIN',
        '        -  RETURN 1;',
        '        +  RETURN 2;',
        '         END',
        '      after 004_add_preferences.down.sql: table public.extra was created by the down script',
      ].join('\n'),
    );
  });
});
