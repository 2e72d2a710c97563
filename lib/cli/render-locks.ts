/**
 * `tidemark test --locks`' human report: per migration, a table of the
 * relations it touched (strongest lock, what it blocks, rewritten, held
 * ms), the statements run under ACCESS EXCLUSIVE, and the budget's
 * breaches; then the verdict. Pure.
 */
import type { LocksOnlyReport, LocksSection } from '../migrator';
import type { BudgetBreach, LockBudget, MigrationObservation, RelationObservation } from '../observe/types';
import { columns } from './columns';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const ms = (n: number) => `${Math.round(n)}`;

/** The budget in words: `max lock SHARE UPDATE EXCLUSIVE, ACCESS EXCLUSIVE at most 200 ms`; null without one. */
export function budgetWords(budget: LockBudget): string | null {
  const parts = [
    budget.maxLock === undefined ? '' : `max lock ${budget.maxLock}`,
    budget.maxLockMs === undefined ? '' : `ACCESS EXCLUSIVE at most ${budget.maxLockMs} ms`,
  ].filter(Boolean);
  return parts.length === 0 ? null : parts.join(', ');
}

/** The first line of a statement, cut to fit a report line. */
export function firstLine(text: string, max = 100): string {
  const line = text.trim().split('\n')[0].trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

const relationCell = (r: RelationObservation) => `${r.relation}${r.existed ? '' : ' (new)'}`;

function relationTable(o: MigrationObservation): string[] {
  if (o.relations.length === 0) return ['no lock on any relation'];
  return columns([
    ['relation', 'strongest lock', 'blocks', 'rewritten', 'held ms'],
    ...o.relations.map((r) => [relationCell(r), r.strongest, r.blocks, r.rewritten ? 'yes' : 'no', ms(r.heldMs)]),
  ]);
}

/**
 * For each relation that existed before and was held at ACCESS EXCLUSIVE:
 * the statements that ran while it was (on a relation the migration
 * created, nobody waited).
 */
function underAccessExclusive(o: MigrationObservation): string[] {
  return o.relations
    .filter((r) => r.existed && r.underAccessExclusive.length > 0)
    .flatMap((r) => [
      `under ACCESS EXCLUSIVE on ${r.relation} (${ms(r.heldMs)} ms):`,
      ...r.underAccessExclusive.map((i) => {
        const s = o.statements.find((st) => st.index === i);
        return s === undefined ? `  statement ${i + 1}` : `  line ${s.line}: ${firstLine(s.text)} (${ms(s.ms)} ms)`;
      }),
    ]);
}

/** One migration's block, each line indented by the caller. */
export function observationLines(o: MigrationObservation, breaches: readonly BudgetBreach[]): string[] {
  const how = o.transactional ? 'in one transaction' : 'without a transaction (-- tidemark:no-transaction)';
  return [
    `${o.path}  ${how}, ${ms(o.totalMs)} ms`,
    ...relationTable(o).map((l) => `  ${l}`),
    ...underAccessExclusive(o).map((l) => `  ${l}`),
    ...breaches.filter((b) => b.path === o.path).map((b) => `  OVER BUDGET: ${b.path}:${b.line}: ${b.message}`),
  ];
}

/** The note on what the times mean. */
export function dataNote(section: LocksSection, template: string): string {
  return section.withData
    ? `Times are measured on the rows of template ${template}.`
    : 'No --template: the tables hold only what the migrations insert, so the times are for an empty schema (give --template DB, a copy of production-like data, for meaningful times).';
}

/** Lint's guess beside the observation, for one migration: `lint rule: SHARE on t — observed` or the disagreement. */
export function lintLines(section: LocksSection, path: string): string[] {
  return section.lint
    .filter((c) => c.path === path)
    .map((c) =>
      c.agrees
        ? `lint ${c.rule} (line ${c.line}): ${c.guessed} on ${c.relation} — observed`
        : `LINT DISAGREES: ${c.message}`,
    );
}

/** The locks part of a report: heading, the note on data, one block per migration. */
export function renderLocks(section: LocksSection, heading: string, template: string): string[] {
  const lines = [heading, `  ${dataNote(section, template)}`];
  for (const o of section.observations) {
    const block = [...observationLines(o, section.breaches), ...lintLines(section, o.path).map((l) => `  ${l}`)];
    lines.push('', ...block.map((l) => `  ${l}`));
  }
  return lines;
}

/** `; lint agrees on 3 locks` / `; lint disagrees on 1 of 3 locks`: the comparison in the verdict. */
function lintWords(section: LocksSection): string {
  const total = section.lint.length;
  if (total === 0) return '';
  const wrong = section.lint.filter((c) => !c.agrees).length;
  return wrong === 0
    ? `; lint agrees on ${plural(total, 'lock')}`
    : `; lint disagrees on ${wrong} of ${plural(total, 'lock')}`;
}

/** The verdict of the observation: observed, and within the budget or not. */
export function locksVerdict(section: LocksSection): string {
  const budget = budgetWords(section.budget);
  const observed = `${plural(section.observations.length, 'migration')} observed`;
  if (section.breaches.length > 0) {
    const migrations = new Set(section.breaches.map((b) => b.path)).size;
    return `locks: OVER BUDGET — ${plural(section.breaches.length, 'breach', 'breaches')} of the budget (${budget}) in ${plural(migrations, 'migration')}; ${observed}.`;
  }
  return `locks: OK — ${observed}${budget === null ? ', no budget set' : `, within the budget (${budget})`}${lintWords(section)}.`;
}

/** `test --locks-only`: the observation alone, a failure where the run stopped, the verdict. */
export function renderLocksOnly(report: LocksOnlyReport): string {
  if (report.database === null) return 'test: nothing to observe (no migrations).';
  const lines = renderLocks(
    report.locks,
    `Locks of each up script, observed on throwaway database ${report.database}, template ${report.template}:`,
    report.template,
  );
  if (report.appliedFirst > 0)
    lines.splice(1, 0, `  (${plural(report.appliedFirst, 'earlier migration')} applied first without observing)`);
  const f = report.failure;
  if (f !== null) {
    const at = `${f.path}${f.sql.line === null ? '' : `:${f.sql.line}:${f.sql.column}`}`;
    const rest = report.total - report.locks.observations.length;
    lines.push(
      '',
      `  FAILED  ${at}: ${f.sql.sqlstate ? `SQLSTATE ${f.sql.sqlstate}: ` : ''}${f.sql.message}`,
      ...(f.frame ?? '')
        .split('\n')
        .filter(Boolean)
        .map((l) => `      ${l}`),
      `  ${plural(rest, 'migration')} of ${report.total} not observed`,
    );
  }
  const seconds = `${(report.durationMs / 1000).toFixed(2)}s`;
  const verdict =
    f === null ? locksVerdict(report.locks) : `locks: FAILED — ${f.path} failed on the throwaway database.`;
  return [...lines, '', `${verdict.replace(/\.$/, '')} (${seconds}).`].join('\n');
}
