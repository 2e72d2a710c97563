// Four projects: unit (no database), integration (real PostgreSQL, one
// throwaway database per test), cli (the CLI's main() run in the test's
// process, helpers/in-process.ts) and e2e (the built CLI as a child process:
// exit codes, signals, the bundle and the package, another uid).
// ts-jest transpiles each file on its own (isolatedModules in tsconfig.json);
// `npm test` type-checks once, in the pretest step, instead of per test file.
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
  testTimeout: 30000,
};
