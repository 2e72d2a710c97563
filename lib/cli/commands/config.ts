import { embeddedSpec, resolveTarget, type SettingSource } from '../../config';
import { ExitCode } from '../../errors';
import { configDocument, renderConfig } from '../render-config';
import type { Command } from './types';

/** How messages name the URL's source: `--url`, `$DATABASE_URL`, `url in tidemark.config.json`. */
function urlOrigin(source: SettingSource): string {
  if (source.source === 'flag') return source.name ?? '--url';
  if (source.source === 'file') return source.variable ? `$${source.variable}` : `${source.key} in ${source.name}`;
  return source.source === 'env' && source.name !== undefined && !source.name.includes(',')
    ? `$${source.name}`
    : 'the connection string';
}

export const configCommand: Command = {
  usage: 'config',
  describe: 'Print the resolved settings and where each came from (password masked); never connects',
  options: { json: { type: 'boolean', describe: 'Print a JSON document instead of the lines' } },
  async run(args, { resolved, out }) {
    // Resolved as a command would connect (service file, PG* variables): an undefined service is exit 2 here too.
    // `embedded` is started by the commands that connect: no server to show until then.
    const target = embeddedSpec(resolved.config.url)
      ? undefined
      : resolveTarget(resolved.config.url, process.env, urlOrigin(resolved.sources.url));
    const doc = configDocument(resolved, process.env, target);
    out.report({
      json: Boolean(args.json),
      summary: `configuration${resolved.file ? ` from ${resolved.file.path}` : ''}`,
      document: () => doc,
      text: () => renderConfig(resolved, process.env, target),
    });
    return ExitCode.ok;
  },
};
