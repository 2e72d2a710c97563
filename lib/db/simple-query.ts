/**
 * A script as one simple query, without a second copy of a big script in
 * memory.
 *
 * pg serialises a simple query into one Buffer: the whole script again, as
 * UTF-8. For a big script (one that keeps its bytes, see Script.bytes) the
 * Query message is written from those bytes instead, 1 MiB at a time, each
 * piece after the socket drained the previous one, through pg's own Query
 * class, which reads the responses as for any other query. The server gets
 * the same bytes either way: the file's, BOM removed.
 */
import type { Duplex } from 'node:stream';
import { Query, type Client } from 'pg';
import type { Script } from '../types';

const PIECE = 1024 * 1024;

/** Runs the script as one simple query (several statements allowed); rejects with pg's error. */
export function runScriptQuery(client: Client, script: Script): Promise<unknown> {
  return script.bytes ? streamedQuery(client, script.bytes) : client.query(script.sql);
}

function streamedQuery(client: Client, bytes: Buffer): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const query = new Query('');
    query.submit = (connection) => {
      writeQueryMessage(connection.stream, bytes).catch((err: Error) => connection.stream.destroy(err));
    };
    query.once('end', resolve);
    query.once('error', reject);
    client.query(query);
  });
}

/** The protocol's Query message: 'Q', int32 length, the text as UTF-8, a NUL. */
async function writeQueryMessage(stream: Duplex, bytes: Buffer): Promise<void> {
  const head = Buffer.alloc(5);
  head.write('Q', 0, 'latin1');
  head.writeInt32BE(4 + bytes.length + 1, 1);
  stream.write(head);
  for (let start = 0; start < bytes.length; start += PIECE) {
    const drained = stream.write(bytes.subarray(start, start + PIECE));
    if (!drained) await drainOrClose(stream);
    if (stream.destroyed) return; // pg reports the dropped connection to the query
  }
  stream.write(Buffer.from([0]));
}

function drainOrClose(stream: Duplex): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}
