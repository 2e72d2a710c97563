// One file collects every output the suite captures (CLI runs, library logs);
// global-teardown.js greps it for the test passwords.
const { writeFileSync } = require('node:fs');
const path = require('node:path');
const os = require('node:os');

module.exports = async function outputLogSetup() {
  if (process.env.TIDEMARK_TEST_OUTPUT_LOG) return;
  process.env.TIDEMARK_TEST_OUTPUT_LOG = path.join(
    os.tmpdir(),
    `tidemark-test-outputs-${process.pid}-${Date.now()}.log`,
  );
  writeFileSync(process.env.TIDEMARK_TEST_OUTPUT_LOG, '');
};
