#!/usr/bin/env node
// The quick-start demo: runs `tidemark apply` and `tidemark status` on the
// example migrations in sql/. The target is DEMO_URL, else the demo database
// on the default server (PGHOST/PGPORT, else 127.0.0.1:5432), created when
// missing. When DEMO_URL is not set and no server answers at that address,
// the demo runs on the embedded PostgreSQL kept in .tidemark/pg
// (`--url embedded:.tidemark/pg`), and says how to point it at a real one.
'use strict';
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { Client, escapeIdentifier } = require('pg');

const ROOT = path.join(__dirname, '..');
const EMBEDDED = `embedded:${path.join('.tidemark', 'pg')}`;
const host = process.env.PGHOST || '127.0.0.1';
const port = process.env.PGPORT || '5432';
// A socket folder (/var/run/postgresql) is percent-encoded, an IPv6 address bracketed: both are valid PGHOST values.
const hostInUrl = host.startsWith('/') ? encodeURIComponent(host) : host.includes(':') ? `[${host}]` : host;
const url = new URL(process.env.DEMO_URL || `postgres://postgres@${hostInUrl}:${port}/tidemark_demo`);
const database = decodeURIComponent(url.pathname.slice(1));

/** Nothing listens there (refused, no socket file, no such host, timed out): another error means a server answered. */
const NO_SERVER = new Set(['ECONNREFUSED', 'ENOENT', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'EAI_AGAIN']);

/** Creates the demo database if needed; resolves false when no server answers at the address. */
async function ensureDatabase() {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (err) {
    if (!process.env.DEMO_URL && (NO_SERVER.has(err.code) || /timeout/i.test(err.message))) return false;
    throw err;
  }
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE ${escapeIdentifier(database)}`);
      console.error(`created database ${database}`);
    }
    return true;
  } finally {
    await client.end();
  }
}

function tidemark(target, ...args) {
  const bin = path.join(ROOT, 'bin', 'tidemark');
  execFileSync(process.execPath, [bin, ...args, '--url', target, '--dir', path.join(ROOT, 'sql')], {
    stdio: 'inherit',
    cwd: ROOT,
  });
}

ensureDatabase()
  .then((real) => {
    if (!real)
      console.log(
        `No PostgreSQL answers at ${url.hostname}:${url.port || 5432}: the demo runs on the embedded PostgreSQL ` +
          `kept in .tidemark/pg (--url ${EMBEDDED}). To use a real server: DEMO_URL=postgres://user@host:5432/db npm run demo`,
      );
    const target = real ? url.toString() : EMBEDDED;
    tidemark(target, 'apply');
    tidemark(target, 'status');
  })
  .catch((err) => {
    console.error(`demo failed: ${err.message}`);
    process.exitCode = err.status || 1;
  });
