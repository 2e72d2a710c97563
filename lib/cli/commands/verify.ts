import { ConfigError, ExitCode } from '../../errors';
import type { VerifyReport } from '../../migrator';
import { hasDatabase } from './lint';
import type { Command } from './types';

/** Drift (3) wins over an unsafe migration (6): history that disagrees with the files is fixed first. */
function exitCodeOf(report: VerifyReport): number {
  if (report.failing > 0) return ExitCode.drift;
  return report.lint && report.lint.summary.error > 0 ? ExitCode.unsafe : ExitCode.ok;
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
  async run(args, { config, resolved, logger, out, signal }) {
    const [{ verify }, { renderGithub, renderVerify, verifyDocument }] = await Promise.all([
      import('../../migrator'),
      import('../render-verify'),
    ]);
    const lint = resolved.lint.inVerify ? await import('../render-lint-verify') : undefined;
    const format = args.json ? 'json' : String(args.format);
    if (args.since !== undefined && String(args.since).trim() === '')
      throw new ConfigError('--since needs a git revision, e.g. origin/main.');
    const online = !args.offline && hasDatabase(config.url, process.env);
    const report = await verify(
      { config, logger, signal },
      {
        online,
        since: args.since as string | undefined,
        strict: args.strict === true,
        ...(lint ? { lint: resolved.lint } : {}),
      },
    );
    const text = () => (format === 'github' ? renderGithub(report, config.dir) : renderVerify(report));
    out.report({
      json: format === 'json',
      document: () => (lint ? lint.withLintDocument(verifyDocument(report), report) : verifyDocument(report)),
      text: lint ? () => lint.withLintText(text(), report, format, config.dir) : text,
    });
    return exitCodeOf(report);
  },
};
