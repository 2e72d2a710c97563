/** `tidemark adopt`: the report for humans, and its JSON document. Pure. */
import type { AdoptReport } from '../migrator';

const BECAUSE = {
  history: 'in the history',
  'up-to-latest': 'up to the latest version',
  'below-baseline': 'below the baseline',
} as const;

function headline(r: AdoptReport): string {
  const n = `${r.adopted.length} migration${r.adopted.length === 1 ? '' : 's'}`;
  if (r.alreadyAdopted) return `Already adopted: the ledger holds the ${n} ${r.tool} applied; nothing was written.`;
  if (r.dryRun)
    return `Dry run: adopt would record ${n} from ${r.tool}'s ${r.historyTable} as applied; nothing was written.`;
  return `Adopted ${n} from ${r.tool}'s ${r.historyTable}: recorded as applied (not run), in one transaction.`;
}

function proofLines(r: AdoptReport): string[] {
  if (!r.proof) return [];
  return [
    `Proved: the ${r.proof.replayed} migration(s), replayed on scratch database ${r.proof.database} (${r.proof.server}, dropped), build the live schema exactly.`,
  ];
}

export function renderAdopt(r: AdoptReport): string {
  const width = Math.max(0, ...r.adopted.map((a) => a.label.length));
  const rows = r.adopted.map(
    (a) =>
      `  ${a.label.padEnd(width)}  ← ${r.tool} ${a.sourceVersion} (${BECAUSE[a.because]}${a.appliedAt ? `, ran ${a.appliedAt.toISOString()}` : ''})`,
  );
  const { verified, unverified } = r.checksums;
  const checks =
    verified + unverified === 0
      ? []
      : [
          `Checksums: ${verified} matched ${r.tool}'s${unverified > 0 ? `, ${unverified} not checked (the mapping has no checksum for them)` : ''}.`,
        ];
  return [
    headline(r),
    ...rows,
    ...r.notes.map((n) => `Note: ${n}`),
    ...checks,
    ...proofLines(r),
    r.pending.length > 0
      ? `Pending (${r.tool} never ran them; \`tidemark apply\` will): ${r.pending.map((p) => p.label).join(', ')}.`
      : 'Nothing pending.',
    `${r.historyTable} was left as it was. Once no deploy runs ${r.tool} any more, drop it: ${r.dropStatement}`,
  ].join('\n');
}

export function adoptDocument(r: AdoptReport): object {
  return {
    ok: true,
    tool: r.tool,
    historyTable: r.historyTable,
    mappingFile: r.mappingFile,
    dryRun: r.dryRun,
    alreadyAdopted: r.alreadyAdopted,
    adopted: r.adopted.map((a) => ({
      version: a.version.toString(),
      label: a.label,
      sourceVersion: a.sourceVersion,
      because: a.because,
      appliedAt: a.appliedAt?.toISOString() ?? null,
    })),
    pending: r.pending.map((p) => ({ version: p.version.toString(), label: p.label })),
    notes: r.notes,
    checksums: r.checksums,
    proof: r.proof && {
      database: r.proof.database,
      replayed: r.proof.replayed,
      differences: r.proof.differences.length,
    },
    dropStatement: r.dropStatement,
  };
}
