// Makes sure the integration, cli and e2e suites have a PostgreSQL: the one at
// TIDEMARK_TEST_ADMIN_URL (default 127.0.0.1:5432) when it answers, else ONE
// embedded server (lib/embedded, from the built dist/) for the whole run,
// whose URL the workers inherit through TIDEMARK_TEST_ADMIN_URL; the global
// teardown stops it. TIDEMARK_TEST_NO_EMBEDDED=1 fails instead, loudly: the
// suites never skip for lack of a database.
const path = require('node:path');
const { Client } = require('pg');

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const masked = (url) => url.replace(/:[^:@/]*@/, ':***@');

async function reachable(url) {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return err;
  } finally {
    await client.end().catch(() => {});
  }
}

async function startEmbedded(url, why) {
  let embedded;
  try {
    embedded = require(path.join(__dirname, '..', '..', 'dist', 'lib', 'embedded'));
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${masked(url)} (${why.message}), and the embedded server is not built (${err.message}): run \`npm run build\`.`,
    );
  }
  const started = Date.now();
  const server = await embedded.startThrowaway();
  globalThis.__TIDEMARK_EMBEDDED__ = server;
  process.env.TIDEMARK_TEST_ADMIN_URL = server.url;
  console.log(
    `\nPostgreSQL is not reachable at ${masked(url)} (${why.message}): the suite runs on an embedded PostgreSQL ${server.binaries.version} at ${server.url} (started in ${Date.now() - started} ms).`,
  );
}

module.exports = async function globalSetup() {
  const url = process.env.TIDEMARK_TEST_ADMIN_URL || DEFAULT_URL;
  const err = await reachable(url);
  if (err === null) return;
  if (process.env.TIDEMARK_TEST_NO_EMBEDDED === '1' || globalThis.__TIDEMARK_EMBEDDED__)
    throw new Error(
      `PostgreSQL is not reachable at ${masked(url)}: ${err.message}. Start it (see README) and run the tests again.`,
    );
  await startEmbedded(url, err);
};
