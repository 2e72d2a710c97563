import { ConfigError, ExitCode } from '../../errors';
import { parseVersionFlag } from '../options';
import type { Command } from './types';

export const baselineCommand: Command = {
  usage: 'baseline',
  describe: 'For an existing database: record every migration up to --version V as applied without running it',
  options: {
    version: { type: 'string', describe: 'The last migration the database already has', demandOption: true },
    reason: { type: 'string', describe: 'Kept in the audit table (default: baseline)' },
  },
  async run(args, { config, logger, out, signal }) {
    const { baseline } = await import('../../migrator');
    const version = parseVersionFlag('--version', args.version);
    if (version === undefined) throw new ConfigError('baseline needs --version V.');
    const recorded = await baseline({ config, logger, signal }, { version, reason: args.reason as string | undefined });
    out.result(
      `Baselined ${recorded.length} migration${recorded.length === 1 ? '' : 's'} up to version ${version} as applied (not run).`,
      {
        recorded: recorded.map((p) => p.version.toString()),
      },
    );
    return ExitCode.ok;
  },
};
