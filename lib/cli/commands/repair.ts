import { ConfigError, ExitCode } from '../../errors';
import type { RepairCandidate } from '../../migrator';
import { parseVersionFlag } from '../options';
import { describeDiscrepancy } from '../render-error';
import type { Command } from './types';

const ACTIONS: Record<string, string> = {
  'accept-edit': "accept today's scripts (checksums and text)",
  'accept-rename': "accept today's name and scripts",
  choose:
    'stopped part-way: check the database, then --applied if you finished it by hand (the row becomes applied), or --not-applied if you undid it by hand (the row is removed)',
  'mark-applied': 'recorded as applied: you finished it by hand',
  'mark-not-applied': 'row removed, not applied: you undid it by hand',
};

function line(c: RepairCandidate): string {
  const what =
    c.action === null
      ? 'cannot be repaired: ' + describeDiscrepancy(c.discrepancy).replace(/^\S+\s+/, '')
      : ACTIONS[c.action];
  return `  version ${c.version} (${c.name}): ${what}`;
}

export const repairCommand: Command = {
  usage: 'repair',
  describe:
    "Accept today's file on purpose (--version V or --all, with --reason); plain repair lists what it would change",
  options: {
    version: { type: 'string', describe: 'The applied migration to repair' },
    all: { type: 'boolean', describe: 'Repair every repairable discrepancy' },
    reason: { type: 'string', describe: 'Why: kept in the audit table with who and when' },
    applied: {
      type: 'boolean',
      describe: 'A failed or interrupted migration was finished by hand: record it as applied',
    },
    'not-applied': {
      type: 'boolean',
      describe: 'A failed or interrupted migration was undone by hand: remove its row',
    },
  },
  async run(args, { config, logger, out, signal }) {
    const { repair } = await import('../../migrator');
    const version = parseVersionFlag('--version', args.version);
    if (args.applied === true && args['not-applied'] === true)
      throw new ConfigError('Give either --applied or --not-applied, not both.');
    const outcome = args.applied === true ? 'applied' : args['not-applied'] === true ? 'not-applied' : undefined;
    const report = await repair(
      { config, logger, signal },
      { version, all: args.all === true, reason: args.reason as string | undefined, outcome },
    );
    const data = {
      candidates: report.candidates.map((c) => ({
        version: c.version.toString(),
        name: c.name,
        action: c.action,
        kind: c.discrepancy.kind,
      })),
      repaired: report.repaired.map((c) => c.version.toString()),
    };
    if (report.candidates.length === 0) out.result('Nothing to repair: the ledger matches the files.', data);
    else if (report.repaired.length === 0)
      out.result(
        [
          'Repair would change:',
          ...report.candidates.map(line),
          'Run with --version V --reason "…" (or --all --reason "…") to do it.',
        ].join('\n'),
        data,
      );
    else
      out.result(
        `Repaired ${report.repaired.length}:\n${report.repaired.map(line).join('\n')}\nRecorded in the audit table ${report.auditTable}.`,
        data,
      );
    return ExitCode.ok;
  },
};
