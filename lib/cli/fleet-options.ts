/**
 * `tidemark fleet`: its flags, and their reading into the runner's options
 * (lib/fleet/types.ts). Pure: the environment is passed in.
 */
import type { Options } from 'yargs';
import { ConfigError } from '../errors';
import type { FleetCommandName, FleetPolicy, TargetSource } from '../fleet/types';
import { resolveShard } from '../fleet/select';

export const FLEET_ACTIONS: readonly FleetCommandName[] = ['apply', 'rollback', 'status', 'verify', 'lint', 'plan'];

/** The flags of every fleet action (the actions' own flags are in ACTION_OPTIONS). */
export const FLEET_OPTIONS: Record<string, Options> = {
  targets: {
    type: 'string',
    describe: 'Targets: a JSON file (an array, or one object per line) of {name, url, schema, labels}',
  },
  'targets-query': {
    type: 'string',
    describe: 'Targets: a SELECT on the --url database returning name, url, schema, labels',
  },
  'targets-cmd': { type: 'string', describe: 'Targets: a shell command printing one JSON target per line' },
  concurrency: { type: 'string', describe: 'Targets in flight at once (default: 4)' },
  'per-host': {
    type: 'string',
    describe: 'At most N targets in flight per host:port (default: no limit but --concurrency)',
  },
  canary: {
    type: 'string',
    describe: 'Run these first, and stop unless all succeed: a count ("2") or a label selector ("tier=canary")',
  },
  waves: {
    type: 'string',
    describe: 'Then run in waves: cumulative shares ("10%,50%,100%") or label selectors in order ("ring=1,ring=2")',
  },
  'max-failures': { type: 'string', describe: 'Start no target once N have failed (exit 8)' },
  'max-failure-rate': {
    type: 'string',
    describe: 'Start no target once failed/finished exceeds P ("0.1" or "10%"; exit 8)',
  },
  'fail-fast': { type: 'boolean', describe: 'Start no target after the first failure (exit 8)' },
  retries: {
    type: 'string',
    describe:
      'Retry a target up to N times, with backoff, on a transient error (connection lost, 55P03, 40P01, 57P01, 53300) [env TIDEMARK_RETRIES] (default: 0)',
  },
  'shard-index': {
    type: 'string',
    describe: 'This process takes shard I of --shard-count (default: $JOB_COMPLETION_INDEX)',
  },
  'shard-count': { type: 'string', describe: 'Split the targets into N stable shards, by a hash of the name' },
  only: {
    choices: ['failed'],
    describe: 'Run only the targets that failed in the last run (its run file in .tidemark/runs)',
  },
  report: { type: 'string', describe: 'Also write a report file: json=PATH or junit=PATH (repeatable)' },
  json: { type: 'boolean', describe: 'Print the report as a JSON document' },
};

/** The single-database commands' flags a fleet action takes. */
export const ACTION_OPTIONS: Record<string, Options & { actions: readonly FleetCommandName[] }> = {
  target: {
    type: 'string',
    describe: 'apply: up to this version; rollback: down to this version (0 = all)',
    actions: ['apply', 'rollback', 'plan'],
  },
  steps: { type: 'string', describe: 'rollback: this many migrations per target', actions: ['rollback'] },
  'dry-run': {
    type: 'boolean',
    describe: 'apply, rollback: report each target’s plan; change nothing',
    actions: ['apply', 'rollback'],
  },
  'single-transaction': {
    type: 'boolean',
    describe: 'apply: each target’s batch in one transaction',
    actions: ['apply'],
  },
  'out-of-order': {
    type: 'boolean',
    describe: 'apply, rollback: allow pending migrations below the highest applied',
    actions: ['apply', 'rollback', 'plan'],
  },
  strict: { type: 'boolean', describe: 'verify: cosmetic edits fail too', actions: ['verify'] },
};

export type ReportFile = { readonly format: 'json' | 'junit'; readonly path: string };

export interface FleetArgs {
  readonly action: FleetCommandName;
  readonly source: TargetSource;
  readonly policy: FleetPolicy;
  readonly commandOptions: Record<string, unknown>;
  readonly reports: readonly ReportFile[];
}

const given = (raw: unknown) => raw !== undefined && raw !== false;

/** Exactly one of --targets, --targets-query, --targets-cmd. */
export function parseSource(args: Record<string, unknown>): TargetSource {
  const str = (name: string) => (given(args[name]) ? String(args[name]).trim() : undefined);
  const sources: TargetSource[] = [];
  const file = str('targets');
  const sql = str('targets-query');
  const command = str('targets-cmd');
  if (file !== undefined) sources.push({ kind: 'file', path: file });
  if (sql !== undefined) sources.push({ kind: 'query', sql });
  if (command !== undefined) sources.push({ kind: 'command', command });
  if (sources.length !== 1)
    throw new ConfigError(
      `${sources.length === 0 ? 'No targets' : 'Targets given twice'}: give exactly one of --targets FILE, --targets-query SQL or --targets-cmd CMD (see docs/fleet.md).`,
    );
  const [source] = sources;
  const [flag, value] =
    file !== undefined
      ? ['--targets', file]
      : sql !== undefined
        ? ['--targets-query', sql]
        : ['--targets-cmd', command];
  if (value === '')
    throw new ConfigError(
      `${flag} is empty: give ${flag === '--targets' ? 'a file' : flag === '--targets-query' ? 'a SELECT' : 'a command'}.`,
    );
  return source;
}

/** "0.1" or "10%": a share in (0, 1]. */
export function parseRate(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const text = String(raw).trim();
  const n = text.endsWith('%') ? Number(text.slice(0, -1)) / 100 : Number(text);
  if (text === '' || !Number.isFinite(n) || n <= 0 || n > 1)
    throw new ConfigError(
      `--max-failure-rate must be a share above 0 and at most 1, as "0.1" or "10%" (got "${text}").`,
    );
  return n;
}

/** "10%,50%,100%" or "ring=1,ring=2": the list (the runner checks each wave against the targets). */
export function parseWaves(raw: unknown): string[] | undefined {
  if (raw === undefined) return undefined;
  const waves = String(raw)
    .split(',')
    .map((w) => w.trim());
  if (waves.some((w) => w === ''))
    throw new ConfigError(
      `--waves "${String(raw)}": a wave is empty. Give ascending shares ("10%,50%,100%") or label selectors ("ring=1,ring=2").`,
    );
  return waves;
}

/**
 * --shard-index (else $JOB_COMPLETION_INDEX) with --shard-count, read by
 * the runner's resolveShard. One more rule here: a JOB_COMPLETION_INDEX
 * without --shard-count is refused, not read as "every pod runs every target".
 */
export function parseShard(args: Record<string, unknown>, env: NodeJS.ProcessEnv): FleetPolicy['shard'] {
  const index = args['shard-index'] as string | undefined;
  const count = args['shard-count'] as string | undefined;
  const fromEnv = env.JOB_COMPLETION_INDEX;
  if (count === undefined && index === undefined && fromEnv !== undefined && fromEnv !== '')
    throw new ConfigError(
      `JOB_COMPLETION_INDEX is ${fromEnv} but --shard-count is not given: give --shard-count N (the Job's completions), or --shard-count 1 to run every target in each pod.`,
    );
  return resolveShard({ index, count }, env);
}

/** --report json=PATH / junit=PATH, each as often as wanted. */
export function parseReports(raw: unknown): ReportFile[] {
  if (raw === undefined) return [];
  const values = (Array.isArray(raw) ? raw : [raw]).map(String);
  return values.map((value) => {
    const match = /^(json|junit)=(.+)$/.exec(value);
    if (!match) throw new ConfigError(`--report "${value}": give json=PATH or junit=PATH.`);
    return { format: match[1] as 'json' | 'junit', path: match[2] };
  });
}
