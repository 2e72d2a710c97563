// Stops the embedded server of the run (global-setup.js), if any; then the password grep over every output of the suite: the CLI runs (runCli)
// and the library's logs (captureLogger) were appended to one file.
const { existsSync, readFileSync, rmSync } = require('node:fs');

// The passwords the tests hand to tidemark (URLs, PGPASSWORD, config files).
const TEST_PASSWORDS = ['s3cretPW', 's3cretpw', 's3cret', 's3cretWAIT', 's3cretCFG', 'pw1234', 'hunter2xyz'];

/** Stops the embedded server the global setup started, if it did. */
async function stopEmbedded() {
  const server = globalThis.__TIDEMARK_EMBEDDED__;
  if (!server) return;
  globalThis.__TIDEMARK_EMBEDDED__ = undefined;
  await server.stop();
}

module.exports = async function globalTeardown() {
  await stopEmbedded();
  const file = process.env.TIDEMARK_TEST_OUTPUT_LOG;
  if (!file || !existsSync(file)) return;
  const text = readFileSync(file, 'utf8');
  rmSync(file, { force: true });
  const leaked = TEST_PASSWORDS.filter((pw) => text.includes(pw));
  if (leaked.length > 0) {
    const line = text.split('\n').find((l) => leaked.some((pw) => l.includes(pw)));
    throw new Error(`A test password appeared in tidemark's output (${leaked.join(', ')}): ${line}`);
  }
  console.log(`\npassword check: ${text.split('\n').length} output lines scanned, no test password found.`);
};
