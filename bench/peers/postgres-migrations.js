#!/usr/bin/env node
'use strict';
// postgres-migrations has no CLI of its own: this is the handful of lines a
// project writes to call it. Usage: postgres-migrations.js --url URL --dir DIR
const args = process.argv.slice(2);
const flag = (name) => args[args.indexOf(name) + 1];

if (args.includes('--help')) {
  require('postgres-migrations');
  require('pg');
  process.stdout.write('usage: postgres-migrations.js --url URL --dir DIR\n');
  process.exit(0);
}

const { migrate } = require('postgres-migrations');
const { Client } = require('pg');

(async () => {
  const client = new Client({ connectionString: flag('--url') });
  await client.connect();
  try {
    const done = await migrate({ client }, flag('--dir'));
    process.stdout.write(`applied ${done.length} migration(s)\n`);
  } finally {
    await client.end();
  }
})().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exitCode = 1;
});
