import path from 'node:path';
import { ExitCode } from '../../errors';
import type { Command } from './types';

export const createCommand: Command = {
  usage: 'create <name>',
  describe: 'Write the next pair of scripts, <version>_<name>.up.sql and .down.sql',
  builder: (y) => y.positional('name', { type: 'string', describe: 'Letters, digits, _ and -', demandOption: true }),
  async run(args, { config, logger, out }) {
    const { create } = await import('../../migrator');
    const created = create(config, String(args.name));
    // On stderr: stdout stays the two paths, for scripts that read them.
    if (created.createdDirectory)
      logger.info(
        { dir: config.dir, created_directory: true },
        `created the migrations directory ${config.dir} (it did not exist)`,
      );
    const up = path.relative(process.cwd(), created.upPath) || created.upPath;
    const down = path.relative(process.cwd(), created.downPath) || created.downPath;
    out.result(`${up}\n${down}`, {
      version: created.version.toString(),
      up,
      down,
      created_directory: created.createdDirectory,
    });
    return ExitCode.ok;
  },
};
