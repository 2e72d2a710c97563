// Fails the run, loudly, when PostgreSQL cannot be reached: the integration
// and e2e suites never skip for lack of a database.
const { Client } = require('pg');

module.exports = async function globalSetup() {
  const url = process.env.TIDEMARK_TEST_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    throw new Error(
      `PostgreSQL is not reachable at ${url.replace(/:[^:@/]*@/, ':***@')}: ${err.message}. Start it (see README) and run the tests again.`,
    );
  } finally {
    await client.end().catch(() => {});
  }
};
