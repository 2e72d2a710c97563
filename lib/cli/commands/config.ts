import { ExitCode } from '../../errors';
import { WRITE_OPTIONS } from '../options';
import { configDocument, renderConfig } from '../render-config';
import type { Command } from './types';

/** The settings apply and rollback take, so `config` shows what they would use. */
const SETTING_OPTIONS = Object.fromEntries(['lock-wait', 'lock-timeout', 'statement-timeout', 'retries'].map((name) => [name, WRITE_OPTIONS[name]]));

export const configCommand: Command = {
  usage: 'config',
  describe: 'Print the resolved settings and where each came from (password masked); never connects',
  options: { ...SETTING_OPTIONS, json: { type: 'boolean', describe: 'Print a JSON document instead of the lines' } },
  async run(args, { resolved, out, format }) {
    const doc = configDocument(resolved);
    const msg = `configuration${resolved.file ? ` from ${resolved.file.path}` : ''}`;
    if (args.json) out.document(format === 'json' ? { level: 30, msg, ...doc } : doc);
    else if (format === 'json') out.result(msg, doc);
    else out.result(renderConfig(resolved));
    return ExitCode.ok;
  },
};
