/**
 * A fake PostgreSQL server that never closes a connection: it ignores the
 * client's Terminate and keeps its side of the socket open, as a stalled
 * proxy can. pg's `end()` waits for the server to close, so against this
 * server an unbounded `end()` never settles.
 */
import net from 'node:net';

export type FakeServerMode =
  /** Answers the startup message with a FATAL error (SQLSTATE 28000). */
  | 'refuse-login'
  /** Logs the client in, then answers every query with an ERROR (SQLSTATE XX000). */
  | 'fail-queries';

export interface FakeServer {
  readonly port: number;
  close(): Promise<void>;
}

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

const int32 = (...values: number[]) =>
  Buffer.concat(
    values.map((v) => {
      const b = Buffer.alloc(4);
      b.writeInt32BE(v);
      return b;
    }),
  );

function errorResponse(severity: string, code: string, text: string): Buffer {
  const fields = [
    ['S', severity],
    ['V', severity],
    ['C', code],
    ['M', text],
  ]
    .map(([k, v]) => `${k}${v}\0`)
    .join('');
  return message('E', Buffer.from(`${fields}\0`, 'utf8'));
}

const READY = message('Z', Buffer.from('I'));

function serve(socket: net.Socket, mode: FakeServerMode): void {
  let buffered = Buffer.alloc(0);
  let started = false;
  socket.on('error', () => {});
  socket.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      if (!started) {
        if (buffered.length < 4 || buffered.length < buffered.readInt32BE(0)) return;
        buffered = buffered.subarray(buffered.readInt32BE(0));
        started = true;
        if (mode === 'refuse-login')
          socket.write(errorResponse('FATAL', '28000', 'fake server: this role may not log in'));
        else socket.write(Buffer.concat([message('R', int32(0)), message('K', int32(4242, 1)), READY]));
        continue;
      }
      if (buffered.length < 5 || buffered.length < 1 + buffered.readInt32BE(1)) return;
      const type = String.fromCharCode(buffered[0]);
      buffered = buffered.subarray(1 + buffered.readInt32BE(1));
      // A simple query, or the Sync that ends an extended-protocol batch, gets an error and ReadyForQuery.
      if (type === 'Q' || type === 'S')
        socket.write(Buffer.concat([errorResponse('ERROR', 'XX000', 'fake server: no queries here'), READY]));
      // Terminate ('X') and everything else: no answer, and the socket stays open.
    }
  });
}

/** Starts a fake server on 127.0.0.1 on a free port. */
export async function startFakeServer(mode: FakeServerMode): Promise<FakeServer> {
  const sockets = new Set<net.Socket>();
  // allowHalfOpen: the client's FIN does not close the server's side (by default Node answers it with one).
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serve(socket, mode);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
