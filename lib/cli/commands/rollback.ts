import { ExitCode } from '../../errors';
import { parseAssume, parseCountFlag, parseVersionFlag, WRITE_OPTIONS } from '../options';
import { printRun } from './print-run';
import type { Command } from './types';

export const rollbackCommand: Command = {
  usage: 'rollback',
  describe: 'Roll back the most recent migration (or --target / --steps) by running its down script',
  options: {
    ...WRITE_OPTIONS,
    target: {
      type: 'string',
      describe: 'Roll back every applied migration above this version (0 = all, a version 0 included)',
    },
    steps: { type: 'string', describe: 'Roll back this many migrations, most recent first' },
  },
  async run(args, { config, logger, out, signal, onStepStart }) {
    const [{ rollback }, { renderSummary, summaryData }] = await Promise.all([
      import('../../migrator'),
      import('../render'),
    ]);
    const result = await rollback(
      { config, logger, signal, onStepStart },
      {
        target: parseVersionFlag('--target', args.target),
        steps: parseCountFlag('--steps', args.steps),
        dryRun: args['dry-run'] === true,
        sql: args.sql === true,
        outOfOrder: args['out-of-order'] === true,
        resume: args.resume === true,
        assume: parseAssume(args),
      },
    );
    printRun(result, renderSummary(result), summaryData(result), { out, logger });
    return ExitCode.ok;
  },
};
