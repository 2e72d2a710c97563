import type { Argv } from 'yargs';
import { ConfigError, ExitCode } from '../../errors';
import { TOOLS, type Tool } from '../../import/types';
import type { Command } from './types';

export const importCommand: Command = {
  usage: 'import <src>',
  describe:
    'Write tidemark pairs and tidemark-import.json into --dir from another tool’s migrations folder (--from). Exit 0 written, 2 refused (nothing written)',
  builder: (y: Argv) =>
    y
      .positional('src', { type: 'string', describe: 'The other tool’s migrations folder', demandOption: true })
      .options({
        from: { choices: TOOLS, demandOption: true, describe: 'The tool that wrote SRC' },
        placeholder: {
          type: 'string',
          array: true,
          describe: 'Flyway: a ${name} value, NAME=VALUE (repeat the flag for each)',
        },
        'skip-unsupported': {
          type: 'boolean',
          describe: 'Import what can be and list the rest (Go, Java, JS migrations, repeatables) instead of refusing',
        },
        'into-existing': {
          type: 'boolean',
          describe: 'Write into a --dir that already holds files (never replacing one or reusing a version)',
        },
        json: { type: 'boolean', describe: 'Print the report as JSON' },
      }),
  async run(args, { config, out }) {
    const [{ importMigrations }, { parsePlaceholders }, render] = await Promise.all([
      import('../../migrator'),
      import('../../import/placeholders'),
      import('../render-import'),
    ]);
    const placeholders = parsePlaceholders(((args.placeholder as unknown[]) ?? []).map(String));
    if ('problem' in placeholders) throw new ConfigError(placeholders.problem);
    if (args.from !== 'flyway' && placeholders.size > 0)
      throw new ConfigError(`--placeholder is for --from flyway only (${String(args.from)} has no placeholders).`);
    const report = importMigrations({
      tool: args.from as Tool,
      sourceDir: String(args.src),
      outDir: config.dir,
      placeholders,
      skipUnsupported: args['skip-unsupported'] === true,
      intoExisting: args['into-existing'] === true,
    });
    out.report({
      json: args.json === true,
      summary: render.importSummary(report),
      document: () => render.importDocument(report),
      text: () => render.renderImport(report),
    });
    return report.refused ? ExitCode.usage : ExitCode.ok;
  },
};
