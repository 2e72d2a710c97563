import { resetSessionQuery, sessionSettingsQuery, transactionSettingsQuery } from '../../../lib/db/session-settings';
import { passwordOf, placeOf, redact } from '../../../lib/fleet/hosts';
import { backoffMs, isTransient, policyProblem, thresholdReached } from '../../../lib/fleet/policy';
import { failedNames, newRunId, parseRunFile } from '../../../lib/fleet/run-file';
import type { FleetPolicy } from '../../../lib/fleet/types';

const base: FleetPolicy = { concurrency: 4, failFast: false, retries: 0 };

test('thresholds: fail-fast, max-failures, max-failure-rate (judged after 10 finished)', () => {
  expect(thresholdReached(base, { finished: 5, failed: 3, total: 10 })).toBeNull();
  expect(thresholdReached({ ...base, failFast: true }, { finished: 1, failed: 1, total: 10 })).toMatch(/--fail-fast/);
  expect(thresholdReached({ ...base, maxFailures: 2 }, { finished: 4, failed: 1, total: 10 })).toBeNull();
  expect(thresholdReached({ ...base, maxFailures: 2 }, { finished: 4, failed: 2, total: 10 })).toBe(
    '--max-failures 2 reached (2 failed)',
  );
  const rate = { ...base, maxFailureRate: 0.2 };
  expect(thresholdReached(rate, { finished: 2, failed: 2, total: 100 })).toBeNull();
  expect(thresholdReached(rate, { finished: 10, failed: 2, total: 100 })).toBeNull();
  expect(thresholdReached(rate, { finished: 10, failed: 3, total: 100 })).toMatch(
    /--max-failure-rate 0.2 exceeded \(3 of 10/,
  );
  expect(thresholdReached(rate, { finished: 4, failed: 2, total: 4 })).toMatch(/exceeded/);
});

test('transient: connection loss, 55P03, 40P01, 57P01, 53300; never a partial no-transaction migration', () => {
  for (const sqlstate of ['55P03', '40P01', '57P01', '53300', 'ECONNRESET'])
    expect(isTransient({ sqlstate, message: 'x', partial: false })).toBe(true);
  expect(isTransient({ code: 'unreachable', message: 'x', partial: false })).toBe(true);
  expect(isTransient({ message: 'Connection terminated unexpectedly', partial: false })).toBe(true);
  expect(isTransient({ sqlstate: '55P03', message: 'x', partial: true })).toBe(false);
  expect(isTransient({ sqlstate: '42P07', message: 'x', partial: false })).toBe(false);
  expect(isTransient({ code: 'drift', message: 'x', partial: false })).toBe(false);
});

test("the migration lock not had within --lock-wait is transient: nothing ran on the target (a retried pod's overlap)", () => {
  expect(isTransient({ code: 'lock-timeout', message: 'x', partial: false })).toBe(true);
});

test('backoff doubles, with jitter, capped', () => {
  expect(backoffMs(1, 1000, () => 0.5)).toBe(1000);
  expect(backoffMs(3, 1000, () => 0.5)).toBe(4000);
  expect(backoffMs(20, 1000, () => 0.5)).toBe(30000);
  expect(backoffMs(1, 1000, () => 0)).toBe(500);
  expect(backoffMs(20, 1000, () => 0.99)).toBe(30000); // the cap holds with the jitter too
});

test('policy numbers', () => {
  expect(policyProblem(base)).toBeNull();
  expect(policyProblem({ ...base, concurrency: 0 })).toMatch(/concurrency/);
  expect(policyProblem({ ...base, perHost: 1.5 })).toMatch(/perHost/);
  expect(policyProblem({ ...base, maxFailureRate: 2 })).toMatch(/maxFailureRate/);
});

test('host grouping and redaction: no password survives', () => {
  expect(placeOf('postgres://u:secret@db1:5433/app', {})).toEqual({ hostKey: 'db1:5433', host: 'db1:5433/app' });
  expect(placeOf('host=db2 dbname=x password=secret', {}).host).toBe('db2:5432/x');
  expect(passwordOf('postgres://u:s3cr%40t@h/d', {})).toBe('s3cr@t');
  expect(redact('failed for postgres://u:hunter2@h/d and password=hunter3 and s3cr@t', ['s3cr@t'])).toBe(
    'failed for postgres://u:***@h/d and password=*** and ***',
  );
  // A password with an @ in a URL a driver echoed unencoded: none of it is left.
  expect(redact('no route to postgres://u:p@ssw0rd@h/d', [])).not.toMatch(/ssw0rd/);
  expect(redact('no route to postgres://u:p@ssw0rd@h/d', ['p@ssw0rd'])).not.toMatch(/ssw0rd/);
});

test('run file: a torn last line is ignored; the failed names are read', () => {
  const text = [
    JSON.stringify({ kind: 'run', runId: 'r', command: 'apply', startedAt: 'x', total: 3, source: 'list' }),
    JSON.stringify({ kind: 'target', name: 'a', state: 'failed' }),
    JSON.stringify({ kind: 'target', name: 'b', state: 'migrated' }),
    JSON.stringify({ kind: 'target', name: 'd', state: 'not-started' }),
    '{"kind":"target","name":"c","sta',
  ].join('\n');
  const run = parseRunFile(text, 'r.json');
  expect(run.ended).toBe(false);
  expect([...failedNames(run)]).toEqual(['a', 'd']);
  expect(() => parseRunFile('{}', 'x.json')).toThrow('x.json is not a tidemark run file');
  expect(newRunId(new Date('2026-12-04T20:10:45.123Z'), 'abc')).toBe('20261204T201045123Z-abc');
});

test("a schema target's search_path: the schema first, quoted by the server, then the session's path; RESET after a no-transaction script", () => {
  const q = transactionSettingsQuery({ environment: 'prod', searchPath: 'Acme "x"' });
  expect(q.text).toContain(
    "pg_catalog.set_config('search_path', pg_catalog.concat_ws(', ', pg_catalog.quote_ident($2), pg_catalog.current_setting('search_path')), true)",
  );
  expect(q.values).toEqual(['prod', 'Acme "x"']);
  expect(transactionSettingsQuery({ environment: 'prod' }).text).not.toContain('search_path');
  expect(sessionSettingsQuery({ environment: 'p', searchPath: 's' }).text).toContain(
    "quote_ident($2), pg_catalog.current_setting('search_path')), false)",
  );
  expect(resetSessionQuery({ environment: 'p', searchPath: 's' })).toMatch(/RESET search_path$/);
  expect(resetSessionQuery({ environment: 'p' })).not.toContain('search_path');
});
