import type { Argv } from 'yargs';
import { ConfigError, ExitCode } from '../../errors';
import type { LintReport } from '../../migrator';
import type { Output } from '../output';
import type { Command } from './types';

/** A database is configured: a URL, or libpq variables naming a server or database (as verify reads it). */
export function hasDatabase(url: string | undefined, env: NodeJS.ProcessEnv): boolean {
  return url !== undefined || ['PGHOST', 'PGDATABASE', 'PGSERVICE'].some((name) => env[name]);
}

export const LINT_FORMATS = ['human', 'json', 'github', 'gitlab', 'sarif'] as const;
type Format = (typeof LINT_FORMATS)[number];

/** Prints the report in `format` (the renderers are loaded only for lint). */
export async function printLint(report: LintReport, format: Format, dir: string, out: Output): Promise<void> {
  const [human, json, ci, sarif] = await Promise.all([
    import('../render-lint'),
    import('../render-lint-json'),
    import('../render-lint-ci'),
    import('../render-lint-sarif'),
  ]);
  // gitlab and sarif are documents for a file (a CI artifact), printed as they are in any log format.
  if (format === 'gitlab') return out.document(ci.lintGitlabDocument(report, dir));
  if (format === 'sarif') return out.document(sarif.lintSarifDocument(report, dir));
  out.report({
    json: format === 'json',
    // --log-format json: one record, the summary line as msg and the document as fields (annotations stay lines).
    ...(format === 'github' ? {} : { summary: human.lintSummaryLine(report) }),
    document: () => json.lintDocument(report),
    text: () => (format === 'github' ? ci.renderLintGithub(report, dir) : human.renderLint(report, dir)),
  });
}

export const lintCommand: Command = {
  usage: 'lint [files..]',
  describe:
    'Check migrations for locks and breakage on PostgreSQL’s parser: the pending ones, those added --since REV, or FILES. Exit 0 clean, 6 unsafe',
  builder: (y: Argv) =>
    y
      .positional('files', {
        type: 'string',
        array: true,
        describe: 'Migration scripts to lint (up or down); default: the pending up scripts',
      })
      .options({
        format: {
          choices: LINT_FORMATS,
          default: 'human',
          describe: 'Report format: github annotations, gitlab Code Quality JSON, sarif 2.1.0',
        },
        json: { type: 'boolean', describe: 'Same as --format json' },
        since: { type: 'string', describe: 'Git revision: lint the up scripts added since (no database needed)' },
        offline: { type: 'boolean', describe: 'Lint without the database, even if one is configured' },
      }),
  async run(args, { config, resolved, logger, out, signal }) {
    const { lint } = await import('../../migrator');
    const format = (args.json ? 'json' : String(args.format)) as Format;
    if (args.since !== undefined && String(args.since).trim() === '')
      throw new ConfigError('--since needs a git revision, e.g. origin/main.');
    const files = ((args.files as unknown[] | undefined) ?? []).map(String);
    const report = await lint(
      { config, logger, signal },
      {
        online: !args.offline && hasDatabase(config.url, process.env),
        files,
        ...(args.since !== undefined ? { since: String(args.since) } : {}),
        settings: resolved.lint,
      },
    );
    await printLint(report, format, config.dir, out);
    return report.summary.error > 0 ? ExitCode.unsafe : ExitCode.ok;
  },
};
