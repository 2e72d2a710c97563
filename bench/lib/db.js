'use strict';
/**
 * Throwaway databases for the benchmark, all named with the `tmbench_` prefix
 * so that a crashed run's leftovers are found and dropped by the next one.
 * Uses the project's own `pg` (a dependency), outside every measurement.
 */
const { Client, escapeIdentifier } = require('pg');

const PREFIX = 'tmbench_';
/** The fleet workloads' databases (fleet-workload.js): their own prefix, see fleetDbName. */
const FLEET_PREFIX = 'tmfleet_';

class Databases {
  /** @param {string} serverUrl postgres://user@host:port (no database) */
  constructor(serverUrl) {
    this.serverUrl = serverUrl.replace(/\/+$/, '');
  }

  url(name) {
    return `${this.serverUrl}/${name}`;
  }

  async withClient(name, fn) {
    const client = new Client({ connectionString: this.url(name) });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  async query(name, sql, values) {
    return this.withClient(name, async (c) => (await c.query(sql, values)).rows);
  }

  /** One number from a `SELECT count(*)`-like query (0 when the relation does not exist). */
  async count(name, sql) {
    try {
      const rows = await this.query(name, sql);
      return Number(Object.values(rows[0])[0]);
    } catch (err) {
      if (err.code === '42P01' || err.code === '3F000') return 0;
      throw err;
    }
  }

  async exists(name) {
    const rows = await this.query('postgres', 'SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return rows.length > 0;
  }

  /** Creates `name` (dropping it first), empty or as a copy of `template`. */
  async create(name, template) {
    await this.drop(name);
    const from = template ? ` TEMPLATE ${escapeIdentifier(template)} STRATEGY FILE_COPY` : '';
    await this.query('postgres', `CREATE DATABASE ${escapeIdentifier(name)}${from}`);
    return this.url(name);
  }

  async rename(from, to) {
    await this.drop(to);
    await this.query('postgres', `ALTER DATABASE ${escapeIdentifier(from)} RENAME TO ${escapeIdentifier(to)}`);
  }

  async drop(name) {
    await this.query('postgres', `DROP DATABASE IF EXISTS ${escapeIdentifier(name)} WITH (FORCE)`);
  }

  /** Drops every database a previous run left behind. */
  async dropAll() {
    const rows = await this.query(
      'postgres',
      `SELECT datname FROM pg_database WHERE datname LIKE '${PREFIX}%' OR datname LIKE '${FLEET_PREFIX}%'`,
    );
    // Four at a time: each DROP DATABASE waits for a checkpoint, and concurrent ones share it (the fleet workload leaves 200).
    const queue = rows.map((r) => r.datname);
    const worker = async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) await this.drop(name);
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
  }

  async serverVersion() {
    const rows = await this.query('postgres', 'SHOW server_version');
    return rows[0].server_version;
  }
}

/** A database name for this workload, tool and run. */
function dbName(...parts) {
  return (PREFIX + parts.join('_'))
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_')
    .slice(0, 63);
}

/** A fleet workload's database name: not tmbench_, so that another bench's clean-up at its start or end leaves a fleet run's 200 databases alone. */
const fleetDbName = (...parts) => FLEET_PREFIX + dbName(...parts).slice(PREFIX.length);

module.exports = { Databases, dbName, fleetDbName, PREFIX };
