// Four projects: unit (no database), integration (real PostgreSQL, one
// throwaway database per test), cli (the CLI's main() run in the test's
// process, helpers/in-process.ts) and e2e (the built CLI as a child process:
// exit codes, signals, the bundle and the package, another uid).
// ts-jest transpiles each file on its own (isolatedModules in tsconfig.json);
// `npm test` type-checks once, in the pretest step, instead of per test file.
const { availableParallelism } = require('node:os');

// The database tests mostly wait (on the server, on timeouts, on child
// processes), so more workers than cores pay: jest's default (cores - 1) ran the
// whole suite in one worker on a 2-core machine. Capped so that the workers'
// sessions stay well under PostgreSQL's default max_connections (100).
const maxWorkers = Math.min(8, Math.max(2, Math.round(availableParallelism() * 1.5)));

const transform = { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] };
const project = (name, extra = {}) => ({
  displayName: name,
  testMatch: [`<rootDir>/__tests__/${name}/**/*.test.ts`],
  transform,
  testEnvironment: 'node',
  ...extra,
});

module.exports = {
  globalSetup: '<rootDir>/__tests__/helpers/output-log-setup.js',
  globalTeardown: '<rootDir>/__tests__/helpers/global-teardown.js',
  reporters: ['default', '<rootDir>/__tests__/helpers/summary-reporter.js'],
  projects: [
    project('unit'),
    project('integration', { globalSetup: '<rootDir>/__tests__/helpers/global-setup.js' }),
    project('cli', { globalSetup: '<rootDir>/__tests__/helpers/global-setup.js' }),
    project('e2e', { globalSetup: '<rootDir>/__tests__/helpers/global-setup.js' }),
  ],
  maxWorkers,
  testTimeout: 30000,
};
