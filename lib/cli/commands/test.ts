import { ExitCode } from '../../errors';
import { parseVersionFlag } from '../options';
import type { Command } from './types';

export const testCommand: Command = {
  usage: 'test',
  describe:
    'Prove every rollback: up → down → up on a throwaway database, comparing schemas. Exit 0 all pass, 3 any fail',
  options: {
    from: {
      type: 'string',
      describe: 'Check migrations from this version on; those below it are applied first, unchecked',
    },
    to: { type: 'string', describe: 'Check migrations up to this version; nothing above it runs' },
    template: { type: 'string', describe: 'Template of the throwaway database (default: template0)' },
    data: {
      type: 'boolean',
      describe: 'Also check that tables existing before an up hold as many rows after its down',
    },
    strict: {
      type: 'boolean',
      describe:
        'Fail on a column order that differs too (by default a warning: a down script can only add a column back at the end)',
    },
    json: { type: 'boolean', describe: 'Print the report as a JSON document' },
  },
  async run(args, { config, logger, out, signal }) {
    const [{ roundtrip }, { renderRoundtrip, roundtripDocument }] = await Promise.all([
      import('../../migrator'),
      import('../render-test'),
    ]);
    const options = {
      from: parseVersionFlag('--from', args.from),
      to: parseVersionFlag('--to', args.to),
      template: args.template === undefined ? undefined : String(args.template),
      data: args.data === true,
      strict: args.strict === true,
    };
    // SIGINT / SIGTERM abort `signal` (cli/signals.ts): the throwaway database is dropped, then InterruptedError (130 / 143).
    const report = await roundtrip({ config, logger }, { ...options, signal });
    out.report({
      json: Boolean(args.json),
      document: () => roundtripDocument(report),
      text: () => renderRoundtrip(report),
      data: { ok: report.summary.failed === 0, summary: roundtripDocument(report).summary },
    });
    return report.summary.failed > 0 ? ExitCode.drift : ExitCode.ok;
  },
};
