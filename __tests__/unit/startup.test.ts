/**
 * Start-up is on the critical path of every deploy (a no-op `apply`), so what
 * the CLI initialises before a command runs is pinned here: the command
 * definitions, but not yargs (loaded only when args.ts's quick reading of
 * argv gives up), the driver, the logger or the diff library.
 * Commands load what they need with `await import()` inside run(), and
 * log.ts requires pino when a logger is made.
 */
import path from 'node:path';
import { buildSync } from 'esbuild';

const ROOT = path.resolve(__dirname, '..', '..');

/** The modules the bundle initialises when it is loaded: the static imports reachable from `entry`. */
function eagerModules(entry: string): string[] {
  const { metafile } = buildSync({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    outfile: 'startup-check.js',
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['pg-native'],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const imported of metafile.inputs[file]?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) todo.push(imported.path);
    }
  }
  return [...seen];
}

test('the CLI loads no argument parser, driver, logger or diff library before a command runs', () => {
  const eager = eagerModules('lib/cli/main.ts');
  expect(eager).toContain('lib/cli/commands/index.ts');
  expect(eager.filter((f) => f.startsWith('node_modules/yargs'))).toEqual([]);
  expect(
    eager.filter(
      (f) =>
        /^node_modules\/(pg|pg-[a-z-]+|pino|diff)\//.test(f) ||
        f.startsWith('lib/migrator/') ||
        f.startsWith('lib/db/'),
    ),
  ).toEqual([]);
});
