/**
 * `tidemark test --locks` as a document (`--json`, schema in the README)
 * and as GitHub Actions annotations (`--format github`: one on the
 * statement that took each lock on an existing relation, an error where
 * the budget was broken). Pure.
 */
import { blocksWrites } from '../lint/locks';
import type { LocksOnlyReport, LocksSection } from '../migrator';
import type { BudgetBreach, MigrationObservation, RelationObservation } from '../observe/types';
import { budgetWords, dataNote, firstLine, locksVerdict } from './render-locks';
import { repoPath } from './render-lint';

const round = (n: number) => Math.round(n * 10) / 10;

function relationData(o: MigrationObservation, r: RelationObservation): Record<string, unknown> {
  const statement = (i: number) => o.statements.find((s) => s.index === i);
  return {
    relation: r.relation,
    kind: r.kind,
    existed: r.existed,
    strongest: r.strongest,
    blocks: r.blocks,
    rewritten: r.rewritten,
    taken_at: { statement: r.takenAt, line: statement(r.takenAt)?.line ?? null },
    held_ms: round(r.heldMs),
    under_access_exclusive: r.underAccessExclusive.map((i) => ({
      statement: i,
      line: statement(i)?.line ?? null,
      text: statement(i)?.text ?? null,
    })),
  };
}

function observationData(o: MigrationObservation): Record<string, unknown> {
  return {
    version: o.version.toString(),
    name: o.name,
    path: o.path,
    transactional: o.transactional,
    total_ms: round(o.totalMs),
    relations: o.relations.map((r) => relationData(o, r)),
    statements: o.statements.map((s) => ({
      index: s.index,
      line: s.line,
      text: s.text,
      ms: round(s.ms),
      locks: s.locks.map((l) => ({ relation: l.relation, kind: l.kind, existed: l.existed, mode: l.mode })),
    })),
  };
}

const breachData = (b: BudgetBreach) => ({
  path: b.path,
  line: b.line,
  relation: b.relation,
  kind: b.kind,
  mode: b.mode,
  held_ms: round(b.heldMs),
  message: b.message,
});

/** The `locks` member of `tidemark test --locks --json`. */
export function locksDocument(section: LocksSection): Record<string, unknown> {
  return {
    ok: section.breaches.length === 0,
    with_data: section.withData,
    budget: { max_lock: section.budget.maxLock ?? null, max_lock_ms: section.budget.maxLockMs ?? null },
    migrations: section.observations.map(observationData),
    breaches: section.breaches.map(breachData),
    lint: section.lint.map((c) => ({
      path: c.path,
      line: c.line,
      rule: c.rule,
      relation: c.relation,
      guessed: c.guessed,
      observed: c.observed,
      agrees: c.agrees,
      message: c.message,
    })),
  };
}

/** The `tidemark test --locks-only --json` document. */
export function locksOnlyDocument(report: LocksOnlyReport): Record<string, unknown> {
  const f = report.failure;
  return {
    ok: f === null && report.locks.breaches.length === 0,
    database: report.database,
    template: report.template,
    duration_ms: report.durationMs,
    applied_first: report.appliedFirst,
    total: report.total,
    failure: f && {
      file: f.path,
      line: f.sql.line,
      column: f.sql.column,
      sqlstate: f.sql.sqlstate,
      message: f.sql.message,
    },
    locks: locksDocument(report.locks),
  };
}

/** GitHub's escaping of a workflow command's message and of its properties. */
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

function annotation(level: string, dir: string, path: string, line: number, title: string, message: string): string {
  const file = escapeProperty(repoPath(dir, path));
  return `::${level} file=${file},line=${line},title=${escapeProperty(title)}::${escapeData(message)}`;
}

/** The lock a relation was held at, as an annotation's message. */
function lockMessage(o: MigrationObservation, r: RelationObservation): string {
  const lines = [
    `${r.strongest} on ${r.relation} held ${Math.round(r.heldMs)} ms${r.rewritten ? ', rewritten' : ''}: ${r.blocks}`,
  ];
  if (r.underAccessExclusive.length > 0)
    lines.push(
      'Run under ACCESS EXCLUSIVE:',
      ...r.underAccessExclusive.map((i) => {
        const s = o.statements.find((st) => st.index === i);
        return s ? `line ${s.line}: ${firstLine(s.text)}` : `statement ${i + 1}`;
      }),
    );
  return lines.join('\n');
}

/**
 * One annotation per relation that existed before the migration, on the
 * statement that took its strongest lock: `error` over the budget,
 * `warning` for a lock that blocks writes, else `notice`; then the verdict.
 */
export function renderLocksGithub(section: LocksSection, dir: string, template: string): string {
  const lines: string[] = [];
  for (const o of section.observations) {
    for (const r of o.relations.filter((rel) => rel.existed)) {
      const line = o.statements.find((s) => s.index === r.takenAt)?.line ?? 1;
      const breaches = section.breaches.filter((b) => b.path === o.path && b.relation === r.relation);
      const level = breaches.length > 0 ? 'error' : blocksWrites(r.strongest) ? 'warning' : 'notice';
      const message = [
        ...breaches.map((b) => `Over budget (${budgetWords(section.budget)}): ${b.message}`),
        lockMessage(o, r),
      ];
      lines.push(
        annotation(
          level,
          dir,
          o.path,
          breaches[0]?.line ?? line,
          `tidemark test --locks: ${r.strongest} on ${r.relation}`,
          message.join('\n'),
        ),
      );
    }
  }
  for (const c of section.lint.filter((comparison) => !comparison.agrees))
    lines.push(
      annotation('warning', dir, c.path, c.line, `tidemark test --locks: lint disagrees (${c.rule})`, c.message),
    );
  if (!section.withData) lines.push(dataNote(section, template));
  return [...lines, locksVerdict(section)].join('\n');
}
