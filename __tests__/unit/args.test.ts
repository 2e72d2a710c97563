/**
 * quickArgs reads the plain form of a flag-only command without yargs; it
 * must give exactly the args yargs gives, and leave everything else to yargs.
 */
import { parseArgs, quickArgs, unknownFlagsAsTyped, yargsArgs, type Args } from '../../lib/cli/args';

/** What yargs makes of argv: the args, or the exit code and what it printed. */
async function viaYargs(argv: string[]): Promise<{ args?: Args; code?: number; out: string }> {
  let out = '';
  const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (out += s) }, env: {} };
  const result = await yargsArgs(argv, io);
  return typeof result === 'number' ? { code: result, out } : { args: result, out };
}

const URL = 'postgres://u:secret@127.0.0.1:5432/db?sslmode=disable';

const QUICK: string[][] = [
  ['apply'],
  ['apply', '--dir', '/tmp/m', '--url', URL, '--quiet'],
  ['apply', '--dir=/tmp/m', `--url=${URL}`, '--verbose', '--log-format', 'json'],
  ['apply', '--dry-run', '--out-of-order', '--resume', '--single-transaction', '--target', '20261124093000'],
  ['apply', '--lock-wait', '5', '--lock-timeout', '5s', '--statement-timeout', '5min', '--retries', '3', '--wait', '0'],
  [
    'apply',
    '--dir',
    'true',
    '--schema',
    'public',
    '--table',
    't',
    '--env',
    'production',
    '--config',
    'tidemark.config.json',
  ],
  ['apply', '--dir', '"quoted dir"', '--url', "'x'", '--env', '0x10', '--table', '1e3'],
  ['apply', '--log-format=human', '--dir', 'with space/and=equals'],
  ['status', '--json', '--diff', '--dir', 'sql'],
  ['status', '--log-format', 'json', '--quiet'],
  ['verify', '--dir', 'sql', '--format', 'github', '--strict', '--since', 'origin/main'],
  ['verify', '--offline', '--json', '--format=json'],
  ['rollback', '--steps', '2', '--dry-run'],
  ['repair', '--version', '3', '--all', '--reason', 'fixed a typo', '--lock-wait', '1'],
  ['config', '--json', '--retries', '2'],
  ['test', '--from', '1', '--to', '9', '--template', 'template0', '--data', '--json'],
];

const YARGS_ONLY: string[][] = [
  [],
  ['--help'],
  ['apply', '--help'],
  ['apply', '-h'],
  ['apply', '--dir', 'a', '--dir', 'b'],
  ['apply', '--quiet', '--quiet'],
  ['apply', '--quiet', 'true'],
  ['apply', '--quiet=false'],
  ['apply', '--no-quiet'],
  ['apply', '--dryRun'],
  ['apply', '--dir'],
  ['apply', '--dir', ''],
  ['apply', '--dir', '-x'],
  ['apply', '--retries', '-1'],
  ['apply', '--log-format', 'xml'],
  ['apply', '--json'],
  ['apply', 'extra'],
  ['apply', '--', '--quiet'],
  ['apply', '-q'],
  ['apply', '--dir.x', 'y'],
  ['verify', '--format', 'yaml'],
  ['create', 'users'],
  ['baseline', '--version', '3'],
  ['baseline'],
  ['aply'],
  ['constructor'],
  ['--dir', 'sql', 'apply'],
];

describe('quickArgs', () => {
  it.each(QUICK.map((argv) => [argv.join(' '), argv]))('reads `%s` as yargs does', async (_label, argv) => {
    const quick = quickArgs(argv);
    expect(quick).toBeDefined();
    const { args, out } = await viaYargs(argv);
    expect(out).toBe('');
    expect(quick).toEqual(args);
  });

  it.each(YARGS_ONLY.map((argv) => [argv.join(' '), argv]))('leaves `%s` to yargs', (_label, argv) => {
    expect(quickArgs(argv)).toBeUndefined();
  });

  it('still gets yargs help and usage errors through parseArgs', async () => {
    let out = '';
    const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (out += s) }, env: {} };
    expect(await parseArgs(['apply', '--bogus'], io)).toBe(2);
    expect(out).toContain('Unknown argument: --bogus');
    out = '';
    expect(await parseArgs(['apply', '--help'], io)).toBe(0);
    expect(out).toContain('--single-transaction');
  });
});

describe('unknown flags are named as typed', () => {
  it.each([
    [['apply', '--no-xyz'], 'Unknown argument: --no-xyz'],
    [['apply', '--no-foo-bar', '--dir', 'x'], 'Unknown argument: --no-foo-bar'],
    [['apply', '--foo-bar'], 'Unknown argument: --foo-bar'],
    [['apply', '--no-xyz', '--abc=1'], 'Unknown arguments: --no-xyz, --abc'],
    [['apply', '-x'], 'Unknown argument: -x'],
    [['apply', 'extra'], 'Unknown argument: extra'],
  ])('%j', async (argv, message) => {
    const { code, out } = await viaYargs(argv);
    expect(code).toBe(2);
    expect(out).toContain(`error: ${message}\n`);
  });

  it('leaves other messages alone, and a flag after -- is not a flag', () => {
    expect(unknownFlagsAsTyped('Not enough arguments', ['apply'])).toBe('Not enough arguments');
    expect(unknownFlagsAsTyped('Unknown argument: xyz', ['apply', '--', '--no-xyz'])).toBe('Unknown argument: xyz');
  });
});
