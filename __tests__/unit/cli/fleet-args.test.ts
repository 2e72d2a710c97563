import { parseFleetArgs } from '../../../lib/cli/fleet-args';

const base = { action: 'apply', targets: 'targets.json' };
const parse = (args: Record<string, unknown>, env: Record<string, string> = {}, retries = 0) =>
  parseFleetArgs({ ...base, ...args }, env, retries);
const usage = (args: Record<string, unknown>, env: Record<string, string> = {}) => {
  try {
    parse(args, env);
  } catch (err) {
    return { code: (err as { exitCode?: number }).exitCode, message: (err as Error).message };
  }
  throw new Error('no error');
};

describe('fleet flags', () => {
  test('defaults: concurrency 4, one wave, no shard, retries from the configuration', () => {
    const { policy, source, reports } = parse({}, {}, 2);
    expect(source).toEqual({ kind: 'file', path: 'targets.json' });
    expect(policy).toEqual({ concurrency: 4, failFast: false, retries: 2, onlyFailed: false });
    expect(reports).toEqual([]);
  });

  test('every policy flag', () => {
    const { policy, reports } = parse({
      concurrency: '8',
      'per-host': '2',
      canary: 'tier=canary',
      waves: '10%, 50%,100%',
      'max-failures': '3',
      'max-failure-rate': '5%',
      'fail-fast': true,
      retries: '0',
      'shard-index': '1',
      'shard-count': '4',
      only: 'failed',
      report: ['json=out/r.json', 'junit=out/r.xml'],
    });
    expect(policy).toEqual({
      concurrency: 8,
      perHost: 2,
      canary: 'tier=canary',
      waves: ['10%', '50%', '100%'],
      maxFailures: 3,
      maxFailureRate: 0.05,
      failFast: true,
      retries: 0,
      shard: { index: 1, count: 4 },
      onlyFailed: true,
    });
    expect(reports).toEqual([
      { format: 'json', path: 'out/r.json' },
      { format: 'junit', path: 'out/r.xml' },
    ]);
  });

  test('the shard index defaults from JOB_COMPLETION_INDEX, as an Indexed Job sets it', () => {
    expect(parse({ 'shard-count': '4' }, { JOB_COMPLETION_INDEX: '3' }).policy.shard).toEqual({ index: 3, count: 4 });
    expect(parse({ 'shard-count': '4', 'shard-index': '0' }, { JOB_COMPLETION_INDEX: '3' }).policy.shard).toEqual({
      index: 0,
      count: 4,
    });
  });

  test('exactly one target source, else exit 2 naming the three flags', () => {
    for (const args of [{ targets: undefined }, { 'targets-query': 'SELECT 1' }, { 'targets-cmd': 'echo' }]) {
      const { code, message } = usage(args);
      expect(code).toBe(2);
      expect(message).toContain('--targets FILE, --targets-query SQL or --targets-cmd CMD');
    }
    expect(parse({ targets: undefined, 'targets-cmd': './list' }).source).toEqual({
      kind: 'command',
      command: './list',
    });
    expect(parse({ targets: undefined, 'targets-query': 'SELECT name FROM t' }).source).toEqual({
      kind: 'query',
      sql: 'SELECT name FROM t',
    });
    expect(usage({ targets: '  ' }).message).toContain('--targets is empty');
  });

  test.each([
    [{ concurrency: '0' }, '--concurrency must be a whole number of 1 or more'],
    [{ 'per-host': 'x' }, '--per-host must be'],
    [{ waves: '10%,,100%' }, 'a wave is empty'],
    [{ canary: '' }, '--canary is empty'],
    [{ canary: '0' }, '--canary must be a whole number of 1 or more'],
    [{ 'max-failures': '0' }, '--max-failures must be'],
    [{ 'max-failure-rate': '1.5' }, '--max-failure-rate must be a share'],
    [{ retries: '-1' }, '--retries must be a whole number of 0 or more'],
    [{ 'shard-index': '4', 'shard-count': '4' }, 'shards are numbered 0 to 3'],
    [{ 'shard-index': '1' }, '--shard-index needs --shard-count'],
    [{ 'shard-count': '4' }, '--shard-count needs --shard-index I'],
    [{ report: 'xml=a' }, 'give json=PATH or junit=PATH'],
    [{ steps: '2' }, '--steps is not a flag of fleet apply'],
    [{ action: 'status', 'dry-run': true }, '--dry-run is not a flag of fleet status'],
  ])('%j is a usage error (exit 2): %s', (args, message) => {
    const error = usage(args);
    expect(error.code).toBe(2);
    expect(error.message).toContain(message);
  });

  test('a JOB_COMPLETION_INDEX without --shard-count is an error, not N pods each running everything', () => {
    expect(usage({}, { JOB_COMPLETION_INDEX: '1' }).message).toContain(
      'JOB_COMPLETION_INDEX is 1 but --shard-count is not given',
    );
  });

  test("the single-database command's options go to its use case", () => {
    expect(parse({ action: 'rollback', target: '3', 'dry-run': true }).commandOptions).toEqual({
      target: 3n,
      dryRun: true,
      outOfOrder: false,
    });
    expect(parse({ action: 'rollback', steps: '2' }).commandOptions).toMatchObject({ steps: 2 });
    expect(parse({ 'single-transaction': true }).commandOptions).toMatchObject({ singleTransaction: true });
    expect(parse({ action: 'verify', strict: true }).commandOptions).toEqual({ strict: true });
  });
});
