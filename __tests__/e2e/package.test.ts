/**
 * The package as a dependency sees it: `require('tidemark')` resolves
 * package.json's main to the built, typed library, and the bin is the CLI.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/cli';

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

test('main and types point at the built library, which exports the use cases and the typed errors', () => {
  expect(existsSync(path.join(ROOT, pkg.main))).toBe(true);
  expect(existsSync(path.join(ROOT, pkg.types))).toBe(true);
  const exported = execFileSync(
    process.execPath,
    ['-e', `const t = require(${JSON.stringify(ROOT)}); console.log(Object.keys(t).sort().join(','))`],
    { encoding: 'utf8' },
  )
    .trim()
    .split(',');
  expect(exported).toEqual(
    expect.arrayContaining(['apply', 'rollback', 'status', 'create', 'MigrationFailedError', 'DriftError', 'ExitCode']),
  );
});

test('the tidemark bin is the executable CLI', () => {
  expect(pkg.bin.tidemark).toBe('bin/tidemark');
  const out = execFileSync(path.join(ROOT, pkg.bin.tidemark), ['--version'], { encoding: 'utf8' });
  expect(out.trim()).toBe(pkg.version);
});
