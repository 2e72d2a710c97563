import { ConfigError, ExitCode } from '../../errors';
import type { Command } from './types';

/** A database is configured: a URL, or libpq variables naming a server or database. */
function hasDatabase(url: string | undefined, env: NodeJS.ProcessEnv): boolean {
  return url !== undefined || ['PGHOST', 'PGDATABASE', 'PGSERVICE'].some((name) => env[name]);
}

export const verifyCommand: Command = {
  usage: 'verify',
  describe: 'CI drift check: files well formed; with a database, history unedited and in order. Exit 0 clean, 3 drift',
  options: {
    format: {
      choices: ['human', 'json', 'github'],
      default: 'human',
      describe: 'Report format; github prints ::error annotations',
    },
    json: { type: 'boolean', describe: 'Same as --format json' },
    strict: { type: 'boolean', describe: 'Cosmetic edits (comments, whitespace) fail too' },
    since: {
      type: 'string',
      describe: 'Git revision: migrations added since must sort above those that existed there (no database needed)',
    },
    offline: { type: 'boolean', describe: 'Check the files only, even if a database is configured' },
  },
  async run(args, { config, logger, out, signal }) {
    const [{ verify }, { renderGithub, renderVerify, verifyDocument }] = await Promise.all([
      import('../../migrator'),
      import('../render-verify'),
    ]);
    const format = args.json ? 'json' : String(args.format);
    if (args.since !== undefined && String(args.since).trim() === '')
      throw new ConfigError('--since needs a git revision, e.g. origin/main.');
    const online = !args.offline && hasDatabase(config.url, process.env);
    const report = await verify(
      { config, logger, signal },
      { online, since: args.since as string | undefined, strict: args.strict === true },
    );
    out.report({
      json: format === 'json',
      document: () => verifyDocument(report),
      text: () => (format === 'github' ? renderGithub(report, config.dir) : renderVerify(report)),
    });
    return report.failing > 0 ? ExitCode.drift : ExitCode.ok;
  },
};
