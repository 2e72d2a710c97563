import { ExitCode } from '../../errors';
import type { Command } from './types';

export const statusCommand: Command = {
  usage: 'status',
  describe: 'List every migration on disk or in the ledger with its state; never writes',
  options: {
    json: { type: 'boolean', describe: 'Print a JSON document instead of the table' },
    diff: { type: 'boolean', describe: 'Also show a unified diff of each edited migration: as applied vs on disk' },
  },
  async run(args, { config, logger, out, signal }) {
    const [{ status }, { renderStatus, renderStatusDiffs, statusDocument, statusSummary }] = await Promise.all([
      import('../../migrator'),
      import('../render'),
    ]);
    const report = await status({ config, logger, signal });
    out.report({
      json: Boolean(args.json),
      summary: statusSummary(report),
      document: () => statusDocument(report),
      text: () => renderStatus(report),
    });
    if (args.diff && !args.json) out.result(renderStatusDiffs(report));
    return ExitCode.ok;
  },
};
