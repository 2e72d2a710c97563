/**
 * Every sslmode against a server that has SSL and accepts only SSL
 * connections (pg_hba `hostssl`), with a self-signed certificate for
 * `localhost`: a second, throwaway cluster on a spare port (the distribution's
 * binaries, else the embedded package's: helpers/cluster.ts). Which way a
 * connection went is read by a migration from pg_stat_ssl.
 */
import { execFile } from 'node:child_process';
import { chownSync, chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { runInProcess } from '../helpers/in-process';
import { binaries, freePort, pg as pg_, type Binaries } from '../helpers/cluster';
import { writeMigrations } from '../helpers/files';

const run = promisify(execFile);
let using: Binaries;
const pg = (binary: string, args: string[]) => pg_(using, binary, args);

let home: string;
let data: string;
let port: number;
let rootCert: string;
let dir: string;

beforeAll(async () => {
  home = mkdtempSync(path.join(tmpdir(), 'tidemark-ssl-'));
  data = path.join(home, 'data');
  using = binaries(home);
  if (using.user) chownSync(home, using.user.uid, using.user.gid);
  await pg('initdb', ['-D', data, '--auth=trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const [key, cert] = [path.join(home, 'server.key'), path.join(home, 'server.crt')];
  await run('openssl', [
    'req',
    '-new',
    '-x509',
    '-days',
    '2',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost',
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  rootCert = path.join(home, 'root.crt');
  copyFileSync(cert, rootCert);
  for (const file of [key, cert]) {
    if (using.user) chownSync(file, using.user.uid, using.user.gid);
    chmodSync(file, 0o600);
  }
  writeFileSync(
    path.join(data, 'pg_hba.conf'),
    'local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostssl all all ::1/128 trust\n',
  );
  port = await freePort();
  const options = `-p ${port} -k ${home} -c listen_addresses=127.0.0.1 -c fsync=off -c ssl=on -c ssl_cert_file=${cert} -c ssl_key_file=${key}`;
  await pg('pg_ctl', ['-D', data, '-o', options, '-l', path.join(home, 'server.log'), '-w', '-t', '30', 'start']);
  dir = writeMigrations(path.join(home, 'sql'), {
    '001_ssl.up.sql':
      'CREATE TABLE seen AS SELECT ssl FROM pg_catalog.pg_stat_ssl WHERE pid = pg_catalog.pg_backend_pid();',
    '001_ssl.down.sql': 'DROP TABLE seen;',
  });
}, 60_000);
afterAll(async () => {
  await pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
  rmSync(home, { recursive: true, force: true });
});

/** Creates database `name` on the SSL cluster, over its socket. */
async function createDatabase(name: string): Promise<void> {
  const admin = new Client({ host: home, port, user: 'postgres', database: 'postgres' });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
}

async function sawSsl(name: string): Promise<boolean> {
  const client = new Client({ host: home, port, user: 'postgres', database: name });
  await client.connect();
  try {
    return (await client.query<{ ssl: boolean }>('SELECT ssl FROM seen')).rows[0].ssl;
  } finally {
    await client.end();
  }
}

let counter = 0;
async function applyWith(host: string, query: string): Promise<{ code: number | null; stderr: string; db: string }> {
  const db = `ssl_${++counter}`;
  await createDatabase(db);
  const result = await runInProcess(
    ['apply', '--dir', dir, '--url', `postgres://postgres@${host}:${port}/${db}?${query}`],
    {
      env: { HOME: home },
    },
  );
  return { code: result.code, stderr: result.stderr, db };
}

test.each([
  ['allow', 'sslmode=allow'],
  ['prefer', 'sslmode=prefer'],
  ['require', 'sslmode=require'],
  ['verify-ca with the root certificate', 'sslmode=verify-ca&sslrootcert=ROOT'],
])('%s connects with SSL to a server that accepts only SSL', async (_label, query) => {
  const result = await applyWith('127.0.0.1', query.replace('ROOT', rootCert));
  expect([result.code, result.stderr]).toEqual([0, expect.not.stringContaining('error')]);
  expect(await sawSsl(result.db)).toBe(true);
});

test('verify-full with the root certificate connects by the name the certificate holds', async () => {
  const result = await applyWith('localhost', `sslmode=verify-full&sslrootcert=${rootCert}`);
  expect(result.code).toBe(0);
  expect(await sawSsl(result.db)).toBe(true);
});

test.each([
  ['disable', '127.0.0.1', 'sslmode=disable', 'no pg_hba.conf entry'],
  [
    'verify-ca without the root certificate',
    '127.0.0.1',
    'sslmode=verify-ca',
    "the server's certificate was not accepted (self-signed certificate); sslmode=verify-ca",
  ],
  [
    'verify-full by IP address',
    '127.0.0.1',
    'sslmode=verify-full&sslrootcert=ROOT',
    "the server's certificate is not for this host",
  ],
])('%s: exit 5, saying why', async (_label, host, query, reason) => {
  const result = await applyWith(host, query.replace('ROOT', rootCert));
  expect(result.code).toBe(5);
  expect(result.stderr).toContain(reason);
});
