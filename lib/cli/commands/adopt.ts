import { ExitCode } from '../../errors';
import { MIGRATION_TOOLS, type MigrationTool } from '../../types';
import type { Command } from './types';

export const adoptCommand: Command = {
  usage: 'adopt',
  describe:
    "Take over another tool's history: record the migrations `tidemark import` wrote into --dir as applied, as that tool's history table says. Exit 2 dirty/failed/mismatched history, 3 a checksum or --prove difference",
  options: {
    from: { choices: MIGRATION_TOOLS, describe: 'The tool whose history table to read', demandOption: true },
    'history-table': {
      type: 'string',
      describe: "The tool's history table, [schema.]table (default: the tool's own, on the search_path)",
    },
    'dry-run': { type: 'boolean', describe: 'Show what would be recorded; write nothing' },
    prove: {
      type: 'boolean',
      describe: 'First replay the migrations on a scratch database and compare its schema with the live one',
    },
    json: { type: 'boolean', describe: 'Print the report as a JSON document' },
  },
  async run(args, { config, logger, out, signal }) {
    const [{ adopt }, { renderAdopt, adoptDocument }] = await Promise.all([
      import('../../migrator'),
      import('../render-adopt'),
    ]);
    const report = await adopt(
      { config, logger, signal },
      {
        from: args.from as MigrationTool,
        historyTable: args['history-table'] === undefined ? undefined : String(args['history-table']),
        dryRun: args['dry-run'] === true,
        prove: args.prove === true,
      },
    );
    out.report({
      json: args.json === true,
      document: () => adoptDocument(report),
      text: () => renderAdopt(report),
      data: { adopted: report.adopted.map((a) => a.version.toString()), dryRun: report.dryRun },
    });
    return ExitCode.ok;
  },
};
