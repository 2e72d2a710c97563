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
import { onCommandComplete, submitRaw } from './pg-internals';

const PIECE = 1024 * 1024;

const COMPLETED = Symbol('statements completed before the error');

/**
 * Runs the script as one simple query (several statements allowed); rejects
 * with pg's error, from which {@link statementsCompletedBefore} then reads
 * which statement failed.
 */
export function runScriptQuery(client: Client, script: Script): Promise<unknown> {
  const { body } = script;
  const query = new Query(body.big ? '' : body.text());
  if (body.big) {
    const { bytes } = body;
    submitRaw(query, (stream) => void writeQueryMessage(stream, bytes).catch((err: Error) => stream.destroy(err)));
  }
  // The server runs the statements of a simple query one after the other and
  // ends each with a CommandComplete; an error ends the query. So the count
  // of CommandCompletes before it is the 0-based index of the failed
  // statement, among the non-empty statements the lexer finds too: known
  // without a position, and without a message more on the wire.
  let completed = 0;
  onCommandComplete(query, () => void completed++);
  return new Promise((resolve, reject) => {
    query.once('end', resolve);
    query.once('error', (err: unknown) => {
      if (typeof err === 'object' && err !== null) Object.defineProperty(err, COMPLETED, { value: completed });
      reject(err);
    });
    client.query(query);
  });
}

/**
 * How many statements of a script had completed when it failed with `err`
 * (so the failed one is the statement at this 0-based index), or null when
 * `err` did not come from {@link runScriptQuery}.
 */
export function statementsCompletedBefore(err: unknown): number | null {
  const completed = typeof err === 'object' && err !== null ? (err as { [COMPLETED]?: number })[COMPLETED] : undefined;
  return completed ?? null;
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
