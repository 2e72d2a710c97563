/**
 * The report of `import`: the mapping as a table, what is unsupported, the
 * problems, the notes, and what was written (or why nothing was).
 */
import type { ImportReport } from '../migrator';
import { columns } from './columns';

export function renderImport(report: ImportReport): string {
  const { plan, mapping } = report;
  const lines: string[] = [];
  if (plan.migrations.length > 0) {
    const rows = plan.migrations.map((m) => [
      m.sourceVersion,
      m.version,
      m.name,
      [m.irreversible ? 'irreversible' : '', m.noTransaction ? 'no-transaction' : ''].filter(Boolean).join(', '),
      m.sourceFiles.join(', '),
    ]);
    lines.push(
      ...columns([[`${plan.tool} version`, 'tidemark version', 'name', 'marked', 'from'], ...rows], { rule: true }),
      '',
    );
  }
  if (plan.unsupported.length > 0) {
    lines.push(`Cannot be imported (${plan.unsupported.length}):`);
    lines.push(...plan.unsupported.map((u) => `  ${u.file}: ${u.reason}`), '');
  }
  if (plan.problems.length > 0) {
    lines.push(`Refused (${plan.problems.length}):`);
    lines.push(...plan.problems.map((p) => `  ${p.file}${p.line === undefined ? '' : `:${p.line}`}: ${p.reason}`), '');
  }
  if (plan.notes.length > 0) lines.push('Notes:', ...plan.notes.map((n) => `  ${n}`), '');
  lines.push(summary(report, mapping.migrations.length));
  return lines.join('\n');
}

/** The last line of the report: what was written, or why nothing was. */
export function importSummary(report: ImportReport): string {
  return summary(report, report.mapping.migrations.length);
}

function summary(report: ImportReport, count: number): string {
  const { plan } = report;
  if (report.written)
    return `Imported ${count} migration${count === 1 ? '' : 's'} from ${plan.tool} into ${report.outDir}, with the mapping in ${report.outDir}/tidemark-import.json${plan.unsupported.length > 0 ? ` (${plan.unsupported.length} unsupported file(s) skipped)` : ''}. Check them with: tidemark verify --offline --dir ${report.outDir}`;
  const why =
    plan.problems.length > 0
      ? 'fix the files refused above'
      : 'rewrite the unsupported files as SQL, or add --skip-unsupported to import the rest';
  return `Nothing was written: ${why}.`;
}

/** `--json`: the mapping file's document, with the outcome. */
export function importDocument(report: ImportReport): object {
  return {
    written: report.written,
    refused: report.refused,
    dir: report.outDir,
    problems: report.plan.problems,
    ...report.mapping,
  };
}
