import { ExitCode } from '../../errors';
import { parseAssume, parseVersionFlag, WRITE_OPTIONS } from '../options';
import { printRun } from './print-run';
import type { Command } from './types';

export const applyCommand: Command = {
  usage: 'apply',
  describe: 'Apply pending migrations in version order, each in its own transaction',
  options: {
    ...WRITE_OPTIONS,
    target: {
      type: 'string',
      describe: 'Apply pending migrations up to and including this version (must exist on disk)',
    },
    'single-transaction': { type: 'boolean', describe: 'Apply the whole batch in one transaction: all or nothing' },
  },
  async run(args, { config, logger, out, signal, onStepStart }) {
    const [{ apply }, { renderSummary, summaryData }] = await Promise.all([
      import('../../migrator'),
      import('../render'),
    ]);
    const result = await apply(
      { config, logger, signal, onStepStart },
      {
        target: parseVersionFlag('--target', args.target),
        dryRun: args['dry-run'] === true,
        sql: args.sql === true,
        singleTransaction: args['single-transaction'] === true,
        outOfOrder: args['out-of-order'] === true,
        resume: args.resume === true,
        assume: parseAssume(args),
      },
    );
    printRun(result, renderSummary(result), summaryData(result), { out, logger });
    return ExitCode.ok;
  },
};
