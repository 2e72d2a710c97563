import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Argv } from 'yargs';
import { ConfigError } from '../../errors';
import type { FleetReport } from '../../fleet/types';
import { redactSecrets } from '../../log';
import type { ReportFile } from '../fleet-options';
import { ACTION_OPTIONS, FLEET_ACTIONS, FLEET_OPTIONS } from '../fleet-options';
import { settingOptions } from '../options';
import type { Command, CommandContext } from './types';

/** The settings of the single-database commands a fleet action runs (but --retries, which is the fleet's). */
function fleetSettings() {
  const all = { ...settingOptions('apply'), ...settingOptions('rollback'), ...settingOptions('verify') };
  delete all.retries;
  return all;
}

const actionOptions = () =>
  Object.fromEntries(Object.entries(ACTION_OPTIONS).map(([name, { actions: _actions, ...def }]) => [name, def]));

/** Makes each report file's folder, so that a bad path fails (exit 2) before any target is touched. */
function prepareReports(reports: readonly ReportFile[]): void {
  for (const report of reports) {
    try {
      mkdirSync(path.dirname(path.resolve(report.path)), { recursive: true });
    } catch (err) {
      throw new ConfigError(
        `--report ${report.format}=${report.path}: cannot create its folder (${(err as Error).message}).`,
      );
    }
  }
}

async function writeReports(report: FleetReport, reports: readonly ReportFile[], ctx: CommandContext): Promise<void> {
  if (reports.length === 0) return;
  const [{ fleetDocument }, { fleetJunit }] = await Promise.all([
    import('../render-fleet'),
    import('../render-fleet-junit'),
  ]);
  for (const file of reports) {
    const text = file.format === 'json' ? `${JSON.stringify(fleetDocument(report), null, 2)}\n` : fleetJunit(report);
    writeFileSync(file.path, redactSecrets(text));
    ctx.logger.debug({ report: file.path, format: file.format }, `wrote the ${file.format} report to ${file.path}`);
  }
}

/**
 * The targets' own log: their warnings and errors; each migration's line
 * ("applied 001_a (2 ms)", times 200 targets) only with --verbose. The
 * fleet's lines (one per target, the waves) are the progress's.
 */
function targetLogger({ logger }: CommandContext) {
  return logger.isLevelEnabled('debug') ? logger : logger.child({}, { level: 'warn' });
}

/** lint, and verify with `"lint": {"inVerify": true}`: the config file's lint section, as the single-database commands read it. */
function withLintSettings(action: string, options: Record<string, unknown>, { resolved }: CommandContext) {
  if (action === 'lint') return { ...options, settings: resolved.lint };
  if (action === 'verify' && resolved.lint.inVerify) return { ...options, lint: resolved.lint };
  return options;
}

async function printReport(report: FleetReport, json: boolean, ctx: CommandContext): Promise<void> {
  const [{ countsLine, fleetDocument, renderFleet }, status] = await Promise.all([
    import('../render-fleet'),
    import('../render-fleet-status'),
  ]);
  const byCommand = {
    status: { text: () => status.renderFleetStatus(report), document: () => status.fleetStatusDocument(report) },
    plan: { text: () => status.renderFleetPlan(report), document: () => fleetDocument(report) },
  } as Record<string, { text: () => string; document: () => Record<string, unknown> } | undefined>;
  const forms = byCommand[report.command] ?? { text: () => renderFleet(report), document: () => fleetDocument(report) };
  ctx.out.report({ json, summary: countsLine(report), ...forms });
}

export const fleetCommand: Command = {
  usage: 'fleet <action>',
  describe:
    'Run apply, rollback, status, verify, lint or plan on many databases or tenant schemas: waves, canary, thresholds, shards. Exit 7 some targets failed, 8 stopped early',
  builder: (y: Argv) =>
    y
      .positional('action', { choices: FLEET_ACTIONS, describe: 'The single-database command to run on every target' })
      .options({ ...FLEET_OPTIONS, ...actionOptions(), ...fleetSettings() }),
  async run(args, ctx) {
    const [{ parseFleetArgs }, { createProgress }, { runFleet }] = await Promise.all([
      import('../fleet-args'),
      import('../render-fleet-progress'),
      import('../../migrator'),
    ]);
    const fleet = parseFleetArgs(args, process.env, ctx.config.retries);
    prepareReports(fleet.reports);
    const progress = createProgress(fleet.action, fleet.policy.concurrency, ctx.logger, ctx.live);
    let report: FleetReport;
    try {
      report = await runFleet(
        { config: ctx.config, logger: targetLogger(ctx), signal: ctx.signal },
        {
          command: fleet.action,
          source: fleet.source,
          policy: fleet.policy,
          commandOptions: withLintSettings(fleet.action, fleet.commandOptions, ctx),
          onEvent: progress.onEvent,
        },
      );
    } finally {
      progress.stop();
    }
    await writeReports(report, fleet.reports, ctx);
    await printReport(report, args.json === true, ctx);
    return report.exitCode;
  },
};
