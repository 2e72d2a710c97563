/**
 * The contract between tidemark and the pg it pins: every private field and
 * method lib/db/pg-internals.ts reaches into, and the source line
 * scripts/pg-node-only.js patches, checked against the installed pg. A pg
 * upgrade that moves one of them fails here, not in a migration.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Duplex } from 'node:stream';
import path from 'node:path';
import { Query, type Client } from 'pg';
import { connect } from '../../lib/db/connection';
import { disconnect } from '../../lib/db/disconnect';
import {
  backendPid,
  connectionParameters,
  corked,
  destroySocket,
  hasQueriesInFlight,
  onCommandComplete,
  submitRaw,
} from '../../lib/db/pg-internals';
import { ADMIN_URL } from '../helpers/db';
import { captureLogger } from '../helpers/logger';

const root = path.resolve(__dirname, '../..');
const pgVersion = (require('pg/package.json') as { version: string }).version;

let client: Client;
beforeEach(async () => {
  client = await connect({ url: ADMIN_URL, wait: 0 }, captureLogger().logger);
});
afterEach(async () => {
  await disconnect(client);
});

test('package.json pins pg to the exact version installed', () => {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  expect(pkg.dependencies.pg).toMatch(/^\d+\.\d+\.\d+$/);
  expect(pgVersion).toBe(pkg.dependencies.pg);
});

test('the socket is client.connection.stream, a Duplex; corked() sends several queries in one write', async () => {
  const stream = client.connection.stream;
  expect(stream).toBeInstanceOf(Duplex);
  const writes: number[] = []; // chunks per write to the socket
  const socket = stream as Duplex & { _write: Duplex['_write']; _writev?: Duplex['_writev'] };
  const write = socket._write.bind(socket);
  const writev = socket._writev?.bind(socket);
  socket._write = (chunk, encoding, cb) => (writes.push(1), write(chunk, encoding, cb));
  socket._writev = (chunks, cb) => (writes.push(chunks.length), writev!(chunks, cb));
  let whileSending = { corked: 0, writes: -1 };
  const results = corked(client, () => {
    const sent = [client.query('SELECT 1 AS a'), client.query('SELECT 2 AS b'), client.query('SELECT 3 AS c')];
    whileSending = { corked: socket.writableCorked, writes: writes.length };
    return sent;
  });
  expect(await Promise.all(results)).toMatchObject([{ rows: [{ a: 1 }] }, { rows: [{ b: 2 }] }, { rows: [{ c: 3 }] }]);
  expect(whileSending).toEqual({ corked: 1, writes: 0 }); // pipeline mode wrote each query at once, into the corked socket
  expect(writes).toHaveLength(1);
  expect(writes[0]).toBeGreaterThanOrEqual(3);
});

test('hasQueriesInFlight sees a running query; destroySocket fails it at once', async () => {
  await client.query('SELECT 1'); // after the client check connect() sends without waiting
  expect(hasQueriesInFlight(client)).toBe(false);
  const internals = client as unknown as Record<string, unknown>;
  expect(typeof internals._getActiveQuery).toBe('function');
  expect(Array.isArray(internals._sentQueryQueue)).toBe(true);
  expect(Array.isArray(internals._queryQueue)).toBe(true);
  const sleeping = client.query('SELECT pg_catalog.pg_sleep(30)').then(
    () => 'finished',
    () => 'failed',
  );
  expect(hasQueriesInFlight(client)).toBe(true);
  const started = Date.now();
  destroySocket(client);
  expect(await sleeping).toBe('failed');
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(client.connection.stream.destroyed).toBe(true);
});

test('backendPid is the session pid and connectionParameters the settings connected with, without a query', async () => {
  const { rows } = await client.query<{ pid: number; user: string; db: string }>(
    'SELECT pg_catalog.pg_backend_pid() AS pid, current_user AS user, pg_catalog.current_database() AS db',
  );
  expect(backendPid(client)).toBe(rows[0].pid);
  const url = new URL(ADMIN_URL);
  expect(connectionParameters(client)).toMatchObject({
    user: rows[0].user,
    database: rows[0].db,
    host: url.hostname,
    port: Number(url.port || 5432),
  });
});

/** The protocol's Query message for `sql`. */
function queryMessage(sql: string): Buffer {
  const text = Buffer.from(`${sql}\0`);
  const head = Buffer.alloc(5);
  head.write('Q', 0, 'latin1');
  head.writeInt32BE(4 + text.length, 1);
  return Buffer.concat([head, text]);
}

function run(query: Query): Promise<unknown> {
  return new Promise((resolve, reject) => {
    query.once('end', resolve);
    query.once('error', reject);
    client.query(query);
  });
}

test('submitRaw writes the Query message itself; onCommandComplete counts each statement that completed', async () => {
  expect(typeof (Query.prototype as unknown as Record<string, unknown>).handleCommandComplete).toBe('function');
  const ok = new Query('');
  submitRaw(ok, (stream) => stream.write(queryMessage('SELECT 1; SELECT 2; SELECT 3')));
  let completed = 0;
  onCommandComplete(ok, () => void completed++);
  const rows: unknown[] = [];
  ok.on('row', (row: unknown) => rows.push(row));
  await run(ok);
  expect(completed).toBe(3);
  expect(rows.length).toBeGreaterThan(0); // pg still read the answers for it

  const failing = new Query('');
  submitRaw(failing, (stream) => stream.write(queryMessage('SELECT 1; SELECT 1/0; SELECT 3')));
  let before = 0;
  onCommandComplete(failing, () => void before++);
  await expect(run(failing)).rejects.toMatchObject({ code: '22012' });
  expect(before).toBe(1);
  expect((await client.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }]); // the session is usable after it
});

test("scripts/build.js's pg patch finds its probe in pg/lib/stream.js, and the patched module no longer touches Response", () => {
  const { PROBE, patchPgStream } = require('../../scripts/pg-node-only') as {
    PROBE: string;
    patchPgStream(source: string): string | null;
  };
  const file = path.join(path.dirname(require.resolve('pg')), 'stream.js');
  const source = readFileSync(file, 'utf8');
  expect(source).toContain(PROBE);
  const patched = patchPgStream(source);
  expect(patched).not.toBeNull();
  // Load the module in a fresh Node, with a trap on the global `Response`: pg's probe touches it, the patched one must not.
  const touches = (code: string) =>
    execFileSync(
      process.execPath,
      [
        '-e',
        `const Module = require('node:module');
         let touched = false;
         const R = globalThis.Response;
         Object.defineProperty(globalThis, 'Response', { configurable: true, get() { touched = true; return R; } });
         const m = new Module(${JSON.stringify(file)});
         m.filename = ${JSON.stringify(file)};
         m.paths = Module._nodeModulePaths(${JSON.stringify(path.dirname(file))});
         m._compile(require('node:fs').readFileSync(0, 'utf8'), ${JSON.stringify(file)});
         process.stdout.write(String(touched));`,
      ],
      { input: code, encoding: 'utf8' },
    );
  expect(touches(source)).toBe('true');
  expect(touches(patched!)).toBe('false');
});
