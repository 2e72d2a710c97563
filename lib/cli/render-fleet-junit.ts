/**
 * `--report junit=PATH`: the JUnit XML that Jenkins (junit step), GitLab
 * (artifacts:reports:junit) and GitHub test reporters read. One
 * <testsuite> per command run, one <testcase> per target: a failed target
 * has a <failure> (type = SQLSTATE, message = SQLSTATE, file:line and the
 * error), a target not started is <skipped>. Pure.
 */
import type { FleetReport, TargetResult } from '../fleet/types';
import { failureLine, whereOf } from './render-fleet';

/** XML 1.0 forbids these characters even escaped: they are dropped. */
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text or attribute value, escaped for XML (attribute-safe: quotes, and newlines as &#10;). */
export function xmlEscape(text: string): string {
  return text
    .replace(INVALID_XML, '')
    .replace(/[&<>"']/g, (c) => ESCAPES[c])
    .replace(/\r/g, '&#13;')
    .replace(/\n/g, '&#10;');
}

/** Element text: escaped, newlines kept as newlines. */
const textOf = (text: string) => xmlEscape(text).replace(/&#10;/g, '\n').replace(/&#13;/g, '');

const time = (ms: number) => (ms / 1000).toFixed(3);

function testcase(r: TargetResult, suite: string): string {
  const attrs = `name="${xmlEscape(r.name)}" classname="${xmlEscape(`${suite}.${r.wave.replace(/\s+/g, '_')}`)}" time="${time(r.durationMs)}"${
    r.failure?.location ? ` file="${xmlEscape(r.failure.location.split(':')[0])}"` : ''
  }`;
  const where = `target ${r.name} (${whereOf(r)}), ${r.wave}, ${r.attempts} attempt${r.attempts === 1 ? '' : 's'}`;
  if (r.state === 'failed' && r.failure) {
    const f = r.failure;
    const body = [
      where,
      f.version ? `migration ${f.version}` : '',
      f.sqlstate ? `SQLSTATE ${f.sqlstate}` : '',
      f.location ? `at ${f.location}` : '',
      `exit code ${f.exitCode}${f.transient ? ' (transient)' : ''}`,
      '',
      f.message,
    ].filter((l, i) => l !== '' || i === 5);
    const type = f.sqlstate ?? `exit-${f.exitCode}`;
    return `    <testcase ${attrs}>\n      <failure message="${xmlEscape(failureLine(r))}" type="${xmlEscape(type)}">${textOf(body.join('\n'))}</failure>\n    </testcase>`;
  }
  if (r.state === 'not-started')
    return `    <testcase ${attrs}>\n      <skipped message="not started: the run stopped early"/>\n    </testcase>`;
  if (r.state === 'checked' && r.exitCode)
    return `    <testcase ${attrs}>\n      <failure message="${xmlEscape(`fleet check found a problem: exit ${r.exitCode}`)}" type="exit-${r.exitCode}">${textOf(where)}</failure>\n    </testcase>`;
  const out = r.versions.length > 0 ? `${r.state}: ${r.versions.join(', ')}` : r.state;
  return `    <testcase ${attrs}>\n      <system-out>${textOf(`${where}: ${out}`)}</system-out>\n    </testcase>`;
}

/** The report as a JUnit XML document. */
export function fleetJunit(report: FleetReport): string {
  const suite = `tidemark.fleet.${report.command}`;
  const failures = report.results.filter((r) => r.state === 'failed' || (r.state === 'checked' && r.exitCode)).length;
  const skipped = report.counts['not-started'];
  const shard = report.shard ? ` shard ${report.shard.index} of ${report.shard.count}` : '';
  const suiteAttrs = [
    `name="${xmlEscape(`${suite}${shard}`)}"`,
    `tests="${report.results.length}"`,
    `failures="${failures}"`,
    'errors="0"',
    `skipped="${skipped}"`,
    `time="${time(report.durationMs)}"`,
    `timestamp="${xmlEscape(report.startedAt.replace(/\.\d+Z$/, '').replace(/Z$/, ''))}"`,
  ].join(' ');
  const stopped = report.stoppedBy
    ? `\n    <system-err>${textOf(`stopped early: ${report.stoppedBy}`)}</system-err>`
    : '';
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="tidemark fleet ${xmlEscape(report.command)}" tests="${report.results.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time(report.durationMs)}">`,
    `  <testsuite ${suiteAttrs}>`,
    `    <properties>\n      <property name="run_id" value="${xmlEscape(report.runId)}"/>\n      <property name="exit_code" value="${report.exitCode}"/>\n    </properties>`,
    ...report.results.map((r) => testcase(r, suite)),
    `${stopped ? stopped.slice(1) : ''}`,
    '  </testsuite>',
    '</testsuites>',
    '',
  ]
    .filter((l) => l !== '')
    .join('\n')
    .concat('\n');
}
