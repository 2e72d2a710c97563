/**
 * `tidemark fleet <action>`'s args → the runner's options. Pure: the
 * environment and the base configuration's retries are passed in.
 */
import { ConfigError } from '../errors';
import type { FleetCommandName, FleetPolicy } from '../fleet/types';
import {
  ACTION_OPTIONS,
  FLEET_ACTIONS,
  parseRate,
  parseReports,
  parseShard,
  parseSource,
  parseWaves,
  type FleetArgs,
} from './fleet-options';
import { parseCountFlag, parseVersionFlag } from './options';

function parseAction(raw: unknown): FleetCommandName {
  const action = String(raw) as FleetCommandName;
  if (!FLEET_ACTIONS.includes(action))
    throw new ConfigError(`Unknown fleet action "${String(raw)}": give one of ${FLEET_ACTIONS.join(', ')}.`);
  return action;
}

/** A single-database flag given to an action that does not take it. */
function checkActionFlags(action: FleetCommandName, args: Record<string, unknown>): void {
  for (const [flag, def] of Object.entries(ACTION_OPTIONS)) {
    if (args[flag] === undefined || args[flag] === false || def.actions.includes(action)) continue;
    throw new ConfigError(`--${flag} is not a flag of fleet ${action} (it goes with fleet ${def.actions.join(', ')}).`);
  }
}

function nonNegative(flag: string, raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (String(raw).trim() === '' || !Number.isInteger(n) || n < 0)
    throw new ConfigError(`${flag} must be a whole number of 0 or more (got "${String(raw)}").`);
  return n;
}

/** The policy flags; `retries` falls back to the configuration's (TIDEMARK_RETRIES, the file's "retries"). */
export function parsePolicy(args: Record<string, unknown>, env: NodeJS.ProcessEnv, configRetries: number): FleetPolicy {
  const canary = args.canary === undefined ? undefined : String(args.canary).trim();
  if (canary === '')
    throw new ConfigError('--canary is empty: give a count ("2") or a label selector ("tier=canary").');
  if (canary !== undefined && /^\d+$/.test(canary)) parseCountFlag('--canary', canary);
  const perHost = parseCountFlag('--per-host', args['per-host']);
  const waves = parseWaves(args.waves);
  const maxFailures = parseCountFlag('--max-failures', args['max-failures']);
  const maxFailureRate = parseRate(args['max-failure-rate']);
  const shard = parseShard(args, env);
  return {
    concurrency: parseCountFlag('--concurrency', args.concurrency) ?? 4,
    failFast: args['fail-fast'] === true,
    retries: nonNegative('--retries', args.retries) ?? configRetries,
    onlyFailed: args.only === 'failed',
    ...(perHost === undefined ? {} : { perHost }),
    ...(canary === undefined ? {} : { canary }),
    ...(waves === undefined ? {} : { waves }),
    ...(maxFailures === undefined ? {} : { maxFailures }),
    ...(maxFailureRate === undefined ? {} : { maxFailureRate }),
    ...(shard === undefined ? {} : { shard }),
  };
}

/** The single-database command's options, by the names its use case takes. */
function commandOptions(action: FleetCommandName, args: Record<string, unknown>): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  const target = parseVersionFlag('--target', args.target);
  if (target !== undefined) options.target = target;
  const steps = parseCountFlag('--steps', args.steps);
  if (steps !== undefined) options.steps = steps;
  if (action === 'apply' || action === 'rollback') {
    options.dryRun = args['dry-run'] === true;
    options.outOfOrder = args['out-of-order'] === true;
  }
  if (action === 'plan') options.outOfOrder = args['out-of-order'] === true;
  if (action === 'apply') options.singleTransaction = args['single-transaction'] === true;
  if (action === 'verify') options.strict = args.strict === true;
  return options;
}

/** Reads every fleet flag. @throws ConfigError (exit 2) naming the flag and the fix. */
export function parseFleetArgs(args: Record<string, unknown>, env: NodeJS.ProcessEnv, configRetries = 0): FleetArgs {
  const action = parseAction(args.action);
  checkActionFlags(action, args);
  return {
    action,
    source: parseSource(args),
    policy: parsePolicy(args, env, configRetries),
    commandOptions: commandOptions(action, args),
    reports: parseReports(args.report),
  };
}
