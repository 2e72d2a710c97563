import type { SchemaDifference } from '../../lib/schema';
import { ConfigError, type MigrationFailure } from '../../lib/errors';
import {
  attributeToDown,
  commonTables,
  compareRowCounts,
  judge,
  notTestedReason,
  scriptFailed,
  selectRoundtrip,
  summarize,
  type RoundtripFindings,
  type RoundtripResult,
} from '../../lib/plan/roundtrip';
import { pair } from '../helpers/pairs';

const pairs = [pair(1, 'a'), pair(2, 'b'), pair(5, 'c'), pair(9, 'd')];
const versions = (list: { version: bigint }[]) => list.map((p) => p.version);

const leftover: SchemaDifference = {
  kind: 'added',
  objectType: 'index',
  identity: 'public.t_c_idx',
  subject: 'index t_c_idx on public.t',
  description: 'index t_c_idx on public.t still exists',
  after: 'CREATE INDEX t_c_idx ON public.t USING btree (c)',
};

const failure: MigrationFailure = {
  version: 2n,
  name: 'b',
  label: '002_b',
  direction: 'up',
  path: '002_b.up.sql',
  sql: {
    sqlstate: '42P07',
    message: 'relation "t_c_idx" already exists',
    detail: null,
    hint: null,
    where: null,
    line: null,
    column: null,
  },
  frame: null,
  completed: 0,
  notApplied: 1,
  batchRolledBack: false,
  partial: null,
};

const nothing: RoundtripFindings = { afterDown: [], afterReapply: [], rowChanges: [], failure: null };

describe('selectRoundtrip', () => {
  it('checks every migration when no bounds are given', () => {
    expect(selectRoundtrip(pairs, {})).toEqual({ setup: [], checked: pairs });
  });

  it('applies the migrations below --from first, unchecked, and checks from --from on', () => {
    const { setup, checked } = selectRoundtrip(pairs, { from: 5n });
    expect(versions(setup)).toEqual([1n, 2n]);
    expect(versions(checked)).toEqual([5n, 9n]);
  });

  it('runs nothing above --to', () => {
    const { setup, checked } = selectRoundtrip(pairs, { from: 2n, to: 5n });
    expect(versions(setup)).toEqual([1n]);
    expect(versions(checked)).toEqual([2n, 5n]);
  });

  it('takes bounds that are not versions on disk, inclusively', () => {
    expect(versions(selectRoundtrip(pairs, { from: 3n, to: 8n }).checked)).toEqual([5n]);
  });

  it('refuses --from above --to, and a range without migrations', () => {
    expect(() => selectRoundtrip(pairs, { from: 5n, to: 2n })).toThrow(ConfigError);
    expect(() => selectRoundtrip(pairs, { from: 6n, to: 8n })).toThrow(
      '--from 6 --to 8 selects no migration: the versions on disk run from 1 to 9.',
    );
    expect(() => selectRoundtrip(pairs, { from: 10n })).toThrow(ConfigError);
  });

  it('accepts an empty directory: nothing to test', () => {
    expect(selectRoundtrip([], { from: 3n })).toEqual({ setup: [], checked: [] });
  });
});

describe('notTestedReason', () => {
  it('is null for a down script that does something', () => {
    expect(notTestedReason(pair(1, 'a'))).toBeNull();
  });

  it('names an irreversible down, and an empty one', () => {
    expect(notTestedReason(pair(1, 'a', { down: '-- tidemark:irreversible\n' }))).toBe('irreversible');
    expect(notTestedReason(pair(1, 'a', { down: '-- nothing to undo\n\n' }))).toBe('empty-down');
  });
});

describe('row counts', () => {
  const t = (table: string, rows: number) => ({ schema: 'public', table, rows });

  it('keeps the tables present before and after, in the order before', () => {
    const before = [
      { schema: 'public', table: 'a' },
      { schema: 'app', table: 'b' },
      { schema: 'public', table: 'c' },
    ];
    expect(commonTables(before, [before[2], before[0]])).toEqual([before[0], before[2]]);
  });

  it('reports the tables whose count changed, with both counts', () => {
    expect(compareRowCounts([t('kinds', 3), t('users', 0), t('gone', 4)], [t('users', 0), t('kinds', 0)])).toEqual([
      { schema: 'public', table: 'kinds', before: 3, after: 0 },
    ]);
  });
});

describe('judge and summarize', () => {
  it('passes a round trip that found nothing, and fails one that found anything', () => {
    expect(judge(pair(1, 'a'), 12, nothing).status).toBe('passed');
    expect(judge(pair(1, 'a'), 12, { ...nothing, afterDown: [leftover] }).status).toBe('failed');
    expect(judge(pair(1, 'a'), 12, { ...nothing, afterReapply: [leftover] }).status).toBe('failed');
    expect(
      judge(pair(1, 'a'), 12, { ...nothing, rowChanges: [{ schema: 'public', table: 't', before: 1, after: 0 }] })
        .status,
    ).toBe('failed');
    expect(judge(pair(2, 'b'), 12, scriptFailed('reapply', failure, { afterDown: [leftover] }))).toMatchObject({
      status: 'failed',
      findings: { afterDown: [leftover], failure: { phase: 'reapply', error: failure } },
    });
  });

  it('counts each status', () => {
    const results: RoundtripResult[] = [
      judge(pair(1, 'a'), 1, nothing),
      judge(pair(2, 'b'), 1, scriptFailed('up', failure)),
      { status: 'not-tested', pair: pair(3, 'c'), durationMs: 1, reason: 'irreversible' },
      { status: 'not-run', pair: pair(4, 'd') },
    ];
    expect(summarize(results)).toEqual({ total: 4, passed: 1, warnings: 0, failed: 1, notTested: 1, notRun: 1 });
  });

  it('passes a round trip whose only difference is the column order, with a warning; --strict fails it', () => {
    const moved: SchemaDifference = {
      kind: 'changed',
      objectType: 'table',
      identity: 'public.t',
      property: 'column order',
      description: 'table public.t: column order changed from a, b to b, a',
      before: 'a, b',
      after: 'b, a',
    };
    const warned = judge(pair(1, 'a'), 1, { ...nothing, afterDown: [moved] });
    expect(warned.status).toBe('passed');
    expect(summarize([warned])).toMatchObject({ passed: 1, warnings: 1, failed: 0 });
    expect(judge(pair(1, 'a'), 1, { ...nothing, afterDown: [moved] }, true).status).toBe('failed');
    expect(judge(pair(1, 'a'), 1, { ...nothing, afterDown: [moved, leftover] }).status).toBe('failed');
    const labels = { ...moved, objectType: 'type', identity: 'public.mood', property: 'label order' } as const;
    expect(judge(pair(1, 'a'), 1, { ...nothing, afterDown: [labels] }).status).toBe('failed');
  });
});

describe('attributeToDown', () => {
  const extra: SchemaDifference = {
    kind: 'added',
    objectType: 'table',
    identity: 'public.extra',
    subject: 'table public.extra',
    description: 'table public.extra still exists',
    after: 'table',
  };

  it('says an object the down script created was created by it, not that it "still exists"', () => {
    expect(attributeToDown([leftover, extra], [extra], 'afterDown').map((d) => d.description)).toEqual([
      'index t_c_idx on public.t still exists',
      'table public.extra was created by the down script',
    ]);
    expect(attributeToDown([extra], [extra], 'afterReapply').map((d) => d.description)).toEqual([
      'table public.extra, created by the down script, still exists',
    ]);
  });

  it('leaves a leftover of the up alone', () => {
    expect(attributeToDown([leftover], [], 'afterDown')).toEqual([leftover]);
  });
});
