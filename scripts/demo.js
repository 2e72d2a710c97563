#!/usr/bin/env node
// The quick-start demo: makes sure the demo database exists, then runs
// `tidemark apply` and `tidemark status` on the example migrations in sql/.
// DEMO_URL overrides the target (default postgres://postgres@127.0.0.1:5432/tidemark_demo).
'use strict';
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { Client, escapeIdentifier } = require('pg');

const url = new URL(process.env.DEMO_URL || 'postgres://postgres@127.0.0.1:5432/tidemark_demo');
const database = decodeURIComponent(url.pathname.slice(1));

async function ensureDatabase() {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE ${escapeIdentifier(database)}`);
      console.error(`created database ${database}`);
    }
  } finally {
    await client.end();
  }
}

function tidemark(...args) {
  const bin = path.join(__dirname, '..', 'bin', 'tidemark');
  execFileSync(process.execPath, [bin, ...args, '--url', url.toString(), '--dir', path.join(__dirname, '..', 'sql')], {
    stdio: 'inherit',
  });
}

ensureDatabase()
  .then(() => {
    tidemark('apply');
    tidemark('status');
  })
  .catch((err) => {
    console.error(`demo failed: ${err.message}`);
    process.exitCode = err.status || 1;
  });
