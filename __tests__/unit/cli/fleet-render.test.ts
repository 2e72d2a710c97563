import type { FleetReport, TargetResult, TargetState } from '../../../lib/fleet/types';
import { fleetJunit, xmlEscape } from '../../../lib/cli/render-fleet-junit';
import { fleetDocument, renderFleet, targetLine } from '../../../lib/cli/render-fleet';
import { fleetStatusDocument, groupOf, renderFleetStatus, versionSpread } from '../../../lib/cli/render-fleet-status';
import { createProgress, progressText } from '../../../lib/cli/render-fleet-progress';
import { captureLogger } from '../../helpers/logger';
import { parseXml, type XmlElement } from '../../helpers/xml';

const result = (name: string, state: TargetState, extra: Partial<TargetResult> = {}): TargetResult => ({
  name,
  host: '127.0.0.1:5432/app',
  labels: {},
  state,
  wave: 'wave 1',
  attempts: 1,
  durationMs: 120,
  versions: [],
  ...extra,
});

function report(results: TargetResult[], extra: Partial<FleetReport> = {}): FleetReport {
  const counts = { migrated: 0, 'up-to-date': 0, failed: 0, 'not-started': 0, checked: 0 };
  for (const r of results) counts[r.state]++;
  const failed = counts.failed > 0;
  return {
    runId: '20261204-201500-abcd',
    command: 'apply',
    startedAt: '2026-12-04T20:15:00.000Z',
    durationMs: 4321,
    results,
    counts,
    exitCode: extra.stoppedBy ? 8 : failed ? 7 : 0,
    ...extra,
  };
}

const nasty = `relation "t<1>" & 'x' does not exist\u0001\nsecond line`;
const failedResult = result('tenant "b" <&>', 'failed', {
  schema: 'tenant_b',
  attempts: 3,
  failure: {
    message: nasty,
    sqlstate: '42P01',
    location: 'sql/0003_orders.up.sql:4:8',
    version: '3',
    exitCode: 1,
    transient: false,
  },
});
const sample = report(
  [
    result('tenant-a', 'migrated', { versions: ['1', '2', '3'] }),
    failedResult,
    result('tenant-c', 'up-to-date'),
    result('tenant-d', 'not-started', { wave: 'wave 2', durationMs: 0, attempts: 0 }),
  ],
  { stoppedBy: 'max-failures 1 reached' },
);

const elements = (root: XmlElement, name: string): XmlElement[] =>
  root.children.flatMap((c) => [...(c.name === name ? [c] : []), ...elements(c, name)]);

describe('the JUnit report', () => {
  test('is well-formed XML with the attributes Jenkins and GitLab read: one testcase per target', () => {
    const root = parseXml(fleetJunit(sample));
    expect(root.name).toBe('testsuites');
    const [suite] = elements(root, 'testsuite');
    expect(suite.attrs).toMatchObject({
      tests: '4',
      failures: '1',
      errors: '0',
      skipped: '1',
      time: '4.321',
      timestamp: '2026-12-04T20:15:00',
    });
    const cases = elements(suite, 'testcase');
    expect(cases.map((c) => c.attrs.name)).toEqual(['tenant-a', 'tenant "b" <&>', 'tenant-c', 'tenant-d']);
    for (const c of cases) expect(Number(c.attrs.time)).not.toBeNaN();
    expect(cases[0].attrs.classname).toBe('tidemark.fleet.apply.wave_1');
  });

  test('a failure carries the SQLSTATE, file:line and the message, escaped; control characters are dropped', () => {
    const cases = elements(parseXml(fleetJunit(sample)), 'testcase');
    const [failure] = elements(cases[1], 'failure');
    expect(failure.attrs.type).toBe('42P01');
    expect(failure.attrs.message).toBe(
      `SQLSTATE 42P01: sql/0003_orders.up.sql:4:8: relation "t<1>" & 'x' does not exist`,
    );
    expect(cases[1].attrs.file).toBe('sql/0003_orders.up.sql');
    expect(failure.text).toContain('at sql/0003_orders.up.sql:4:8');
    expect(failure.text).toContain('migration 3');
    expect(failure.text).toContain('3 attempts');
    expect(failure.text).toContain(`does not exist\nsecond line`);
    expect(elements(cases[3], 'skipped')).toHaveLength(1);
    expect(elements(cases[0], 'failure')).toHaveLength(0);
  });

  test('xmlEscape leaves no character that breaks an attribute', () => {
    expect(xmlEscape(`a<b>&"c'\n\u0000`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;&#10;');
    expect(parseXml(`<x a="${xmlEscape(nasty)}"/>`).attrs.a).toBe(nasty.replace('\u0001', ''));
  });
});

describe('the summary and the lines', () => {
  test('the summary counts every state, lists the failure with SQLSTATE and file:line, and says why it stopped', () => {
    const text = renderFleet(sample);
    expect(text).toMatch(/^fleet apply: 4 targets: 1 failed, 1 not started, 1 migrated, 1 up to date in 4\.32s/);
    expect(text).toMatch(
      /tenant "b" <&>\s+127\.0\.0\.1:5432\/app schema tenant_b\s+42P01\s+sql\/0003_orders\.up\.sql:4:8/,
    );
    expect(text).toContain('Stopped early: max-failures 1 reached; 1 target not started.');
    expect(text).toContain('--only failed');
    expect(text).toMatch(/wave 1\s+3\s+1\s+1\s+1\s+0/);
  });

  test('one plain line per finished target', () => {
    expect(targetLine(sample.results[0])).toBe('✓ tenant-a (127.0.0.1:5432/app): 3 migrations (1, 2, 3) in 0.12s');
    expect(targetLine(failedResult)).toMatch(
      /^✗ tenant "b" <&> \(127\.0\.0\.1:5432\/app schema tenant_b\): failed after 0\.12s, 3 attempts: SQLSTATE 42P01: sql\/0003_orders\.up\.sql:4:8: relation/,
    );
  });

  test('the JSON document is snake_case and complete', () => {
    const doc = fleetDocument(sample) as {
      counts: Record<string, number>;
      targets: Record<string, unknown>[];
      exit_code: number;
      stopped_by: string;
    };
    expect(doc.counts).toEqual({ migrated: 1, up_to_date: 1, failed: 1, not_started: 1, checked: 0 });
    expect(doc.exit_code).toBe(8);
    expect(doc.stopped_by).toBe('max-failures 1 reached');
    expect(doc.targets[1]).toMatchObject({
      name: 'tenant "b" <&>',
      schema: 'tenant_b',
      failure: { sqlstate: '42P01', location: 'sql/0003_orders.up.sql:4:8', exit_code: 1 },
    });
  });

  test('progress: done, failed, running and an ETA from the pace so far', () => {
    const counts = { total: 200, done: 50, failed: 2, running: 4, startedAt: 0, busyMs: 50 * 400 };
    expect(progressText('apply', counts, 4, 10_000)).toBe('fleet apply: 50/200 done, 2 failed, 4 running, ETA 30s');
    expect(progressText('apply', { ...counts, done: 0 }, 4, 3_000)).toBe(
      'fleet apply: 0/200 done, 2 failed, 4 running, 3s',
    );
  });
});

describe('fleet status: the version matrix', () => {
  const status = (name: string, highestApplied: string | null, pending: number, drift = 0, failedRows = 0) =>
    result(name, 'checked', { status: { highestApplied, pending, drift, failedRows } });
  const matrix = report(
    [
      status('t1', '20', 0),
      status('t2', '18', 2),
      status('t3', '19', 1),
      status('t4', '20', 0, 1),
      status('t5', '12', 8, 0, 1),
      status('t6', null, 20),
      result('t7', 'failed', { failure: { message: 'could not connect', exitCode: 5, transient: true } }),
    ],
    { command: 'status' },
  );

  test('each target in its worst group', () => {
    expect(matrix.results.map(groupOf)).toEqual([
      'up-to-date',
      'behind',
      'behind',
      'drift',
      'failed-rows',
      'behind',
      'unreadable',
    ]);
  });

  test('groups worst first, the behind ones by version, and the spread of highest versions', () => {
    const text = renderFleetStatus(matrix);
    expect(versionSpread(matrix.results)).toBe('20 on 2 targets, 19 on 1, 18 on 1, 12 on 1, none on 1');
    const order = [
      'Could not be read: 1',
      'Failed or interrupted',
      'Drift',
      'Behind: migrations pending: 3',
      'Up to date: 1',
    ].map((h) => text.indexOf(h));
    expect(order.every((at, i) => at > 0 && (i === 0 || at > order[i - 1]))).toBe(true);
    const behind = text.slice(text.indexOf('Behind'), text.indexOf('Up to date'));
    expect(behind.indexOf('t6')).toBeLessThan(behind.indexOf('t2'));
    expect(behind.indexOf('t2')).toBeLessThan(behind.indexOf('t3'));
    expect(behind).toMatch(/t2\s+127\.0\.0\.1:5432\/app\s+18\s+2\s+0\s+0/);
  });

  test('--json names the members of each group', () => {
    expect(fleetStatusDocument(matrix).groups).toEqual({
      unreadable: ['t7'],
      failed_rows: ['t5'],
      drift: ['t4'],
      behind: ['t6', 't2', 't3'],
      up_to_date: ['t1'],
    });
  });
});

describe('the progress display', () => {
  const events = (p: ReturnType<typeof createProgress>) => {
    p.onEvent({ kind: 'start', total: 3, runId: 'r' });
    p.onEvent({ kind: 'wave', wave: 'wave 1', targets: 3 });
    p.onEvent({ kind: 'target-start', name: 'tenant-a', wave: 'wave 1', attempt: 1 });
    p.onEvent({ kind: 'target-start', name: 'tenant "b" <&>', wave: 'wave 1', attempt: 1 });
    p.onEvent({ kind: 'target-end', result: sample.results[0] });
    p.onEvent({ kind: 'target-end', result: failedResult });
    p.onEvent({ kind: 'stopped', reason: 'max-failures 1 reached' });
    p.stop();
  };

  test('off a terminal: one line per finished target (JSON fields with --log-format json), failures as errors', () => {
    const { logger, lines } = captureLogger();
    events(createProgress('apply', 4, logger));
    expect(lines.map((l) => [l.level, l.target ?? l.wave ?? l.reason])).toEqual([
      [30, 'wave 1'],
      [30, 'tenant-a'],
      [50, 'tenant "b" <&>'],
      [40, 'max-failures 1 reached'],
    ]);
    expect(lines[2]).toMatchObject({
      state: 'failed',
      sqlstate: '42P01',
      location: 'sql/0003_orders.up.sql:4:8',
      attempts: 3,
    });
  });

  test('on a terminal: the live line counts done, failed and running; only failures are logged', () => {
    const { logger, lines } = captureLogger();
    const shown: string[] = [];
    let stopped = false;
    events(createProgress('apply', 4, logger, { show: (t) => shown.push(t), stop: () => (stopped = true) }));
    expect(shown[shown.length - 1]).toMatch(/^fleet apply: 2\/3 done, 1 failed, 0 running, ETA \d+s$/);
    expect(shown).toContainEqual(expect.stringMatching(/^fleet apply: 0\/3 done, 0 failed, 2 running, \d+s$/));
    expect(lines.filter((l) => l.target !== undefined).map((l) => l.target)).toEqual(['tenant "b" <&>']);
    expect(stopped).toBe(true);
  });

  test('a retried target is one running target, not one per attempt', () => {
    const shown: string[] = [];
    const p = createProgress('apply', 4, captureLogger().logger, { show: (t) => shown.push(t), stop: () => {} });
    p.onEvent({ kind: 'start', total: 1, runId: 'r' });
    p.onEvent({ kind: 'target-start', name: 'tenant-a', wave: 'wave 1', attempt: 1 });
    p.onEvent({ kind: 'target-start', name: 'tenant-a', wave: 'wave 1', attempt: 2 });
    p.onEvent({ kind: 'target-end', result: sample.results[0] });
    expect(shown[shown.length - 1]).toMatch(/^fleet apply: 1\/1 done, 0 failed, 0 running/);
    p.stop();
  });
});
