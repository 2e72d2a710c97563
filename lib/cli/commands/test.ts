import type { Config } from '../../config';
import { ConfigError, ExitCode } from '../../errors';
import type { RoundtripReport } from '../../migrator';
import { parseVersionFlag } from '../options';
import type { Output } from '../output';
import type { Command, CommandContext } from './types';

export const TEST_FORMATS = ['human', 'json', 'github'] as const;
type Format = (typeof TEST_FORMATS)[number];

/** The flags of the run, checked together. */
interface Mode {
  readonly format: Format;
  /** Observe the first up of each migration (`--locks`, `--locks-only`, or a budget). */
  readonly locks: boolean;
  readonly locksOnly: boolean;
}

function modeOf(args: Record<string, unknown>, config: Config): Mode {
  const format = (args.json ? 'json' : String(args.format ?? 'human')) as Format;
  const locksOnly = args['locks-only'] === true;
  const budget = config.maxLock !== undefined || config.maxLockMs !== undefined;
  const locks = locksOnly || args.locks === true || budget;
  if (format === 'github' && !locks)
    throw new ConfigError('--format github annotates the observed locks: add --locks or --locks-only.');
  if (locksOnly && (args.data === true || args.strict === true))
    throw new ConfigError(
      `${args.data === true ? '--data' : '--strict'} checks the round trip, which --locks-only leaves out: use --locks instead.`,
    );
  return { format, locks, locksOnly };
}

/** Exit 3 when a round trip failed (it wins), 6 when the lock budget was broken, else 0. */
function exitOf(failed: boolean, breaches: number): number {
  if (failed) return ExitCode.drift;
  return breaches > 0 ? ExitCode.unsafe : ExitCode.ok;
}

const rangeOf = (args: Record<string, unknown>) => ({
  from: parseVersionFlag('--from', args.from),
  to: parseVersionFlag('--to', args.to),
  template: args.template === undefined ? undefined : String(args.template),
});

async function locksOnly(options: ReturnType<typeof rangeOf>, mode: Mode, ctx: CommandContext): Promise<number> {
  const [{ observeLocks, budgetOf }, human, json] = await Promise.all([
    import('../../migrator'),
    import('../render-locks'),
    import('../render-locks-json'),
  ]);
  const { config, logger, out, signal } = ctx;
  const report = await observeLocks({ config, logger }, { ...options, budget: budgetOf(config), signal });
  const text = () =>
    mode.format === 'github'
      ? json.renderLocksGithub(report.locks, config.dir, report.template)
      : human.renderLocksOnly(report);
  out.report({
    json: mode.format === 'json',
    document: () => json.locksOnlyDocument(report),
    text,
    data: { ok: report.failure === null && report.locks.breaches.length === 0 },
  });
  return exitOf(report.failure !== null, report.locks.breaches.length);
}

async function printRoundtrip(report: RoundtripReport, mode: Mode, config: Config, out: Output): Promise<void> {
  const [{ renderRoundtrip, roundtripDocument }, human, json] = await Promise.all([
    import('../render-test'),
    import('../render-locks'),
    import('../render-locks-json'),
  ]);
  const { locks } = report;
  const ok = report.summary.failed === 0 && (locks?.breaches.length ?? 0) === 0;
  const text = () => {
    if (locks === undefined || report.database === null) return renderRoundtrip(report);
    // Annotations may come anywhere in a workflow's log: the round trip's report first, as without --format.
    if (mode.format === 'github')
      return [renderRoundtrip(report), '', json.renderLocksGithub(locks, config.dir, report.template)].join('\n');
    const heading = `Locks of each first up, observed on throwaway database ${report.database}:`;
    return [
      renderRoundtrip(report),
      '',
      ...human.renderLocks(locks, heading, report.template),
      '',
      human.locksVerdict(locks),
    ].join('\n');
  };
  const document = () => ({
    ...roundtripDocument(report),
    ...(locks && { ok, locks: json.locksDocument(locks) }),
  });
  out.report({
    json: mode.format === 'json',
    document,
    text,
    data: { ok, summary: roundtripDocument(report).summary },
  });
}

export const testCommand: Command = {
  usage: 'test',
  describe:
    'Prove every rollback: up → down → up on a throwaway database, comparing schemas; --locks observes the locks each up takes. Exit 0 all pass, 3 any fail, 6 over the lock budget',
  options: {
    from: {
      type: 'string',
      describe: 'Check migrations from this version on; those below it are applied first, unchecked',
    },
    to: { type: 'string', describe: 'Check migrations up to this version; nothing above it runs' },
    template: {
      type: 'string',
      describe: 'Template of the throwaway database (default: template0); with data, --locks measures real lock times',
    },
    data: {
      type: 'boolean',
      describe: 'Also check that tables existing before an up hold as many rows after its down',
    },
    strict: {
      type: 'boolean',
      describe:
        'Fail on a column order that differs too (by default a warning: a down script can only add a column back at the end)',
    },
    locks: {
      type: 'boolean',
      describe: 'Also observe each first up: the locks it holds, the tables it rewrites, how long each lock is held',
    },
    'locks-only': { type: 'boolean', describe: 'Only observe each up, in order: no down, no second up (faster)' },
    format: {
      choices: TEST_FORMATS,
      default: 'human',
      describe: 'Report format: github annotations on the statements that took the locks (with --locks)',
    },
    json: { type: 'boolean', describe: 'Print the report as a JSON document (same as --format json)' },
  },
  async run(args, ctx) {
    const mode = modeOf(args, ctx.config);
    const options = rangeOf(args);
    if (mode.locksOnly) return locksOnly(options, mode, ctx);
    const { roundtrip, budgetOf } = await import('../../migrator');
    const { config, logger, out, signal } = ctx;
    // SIGINT / SIGTERM abort `signal` (cli/signals.ts): the throwaway database is dropped, then InterruptedError (130 / 143).
    const report = await roundtrip(
      { config, logger },
      {
        ...options,
        data: args.data === true,
        strict: args.strict === true,
        locks: mode.locks,
        budget: budgetOf(config),
        signal,
      },
    );
    await printRoundtrip(report, mode, config, out);
    return exitOf(report.summary.failed > 0, report.locks?.breaches.length ?? 0);
  },
};
