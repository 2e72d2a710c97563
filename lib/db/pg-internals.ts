/**
 * The one module that reaches past pg's documented API, into fields and
 * methods of pg 8.23.1 (pinned exactly in package.json) that its typings
 * leave out or that are not promised to stay. Every other module goes
 * through these functions, and __tests__/integration/pg-internals.test.ts
 * checks each of them against the installed pg, so an upgrade that moves
 * one fails there rather than in a migration.
 *
 * What is used, and why:
 * - `client.connection.stream` (the socket): corked to write several
 *   pipelined queries in one packet, written to directly for a big script's
 *   Query message, destroyed to drop a connection at once.
 * - `client._getActiveQuery()`, `_sentQueryQueue`, `_queryQueue`: whether
 *   a query is still in flight, which makes `end()` wait in pipeline mode.
 * - `client.processID`: the backend pid from BackendKeyData, known without a query.
 * - `client.connectionParameters`: the settings the client connected with.
 * - `Query#submit(connection)` and `Query#handleCommandComplete`: how a
 *   query is written to the socket, and how each statement's end reaches it.
 */
import type { Duplex } from 'node:stream';
import type { Client, ClientConfig, Query } from 'pg';

/** The private side of a pg Client that tidemark reads. */
interface ClientInternals {
  readonly connection?: { readonly stream?: Duplex };
  readonly processID?: number | null;
  readonly connectionParameters: ClientConfig & { readonly password?: string };
  _getActiveQuery?(): unknown;
  readonly _sentQueryQueue?: readonly unknown[];
  readonly _queryQueue?: readonly unknown[];
}

const internals = (client: Client) => client as unknown as ClientInternals;

/**
 * Runs `send`, which sends several queries, with the socket corked, so that
 * their messages leave in one write (in pipeline mode pg writes each query
 * as it is sent, without waiting for the previous answer).
 */
export function corked<T>(client: Client, send: () => T): T {
  const stream = internals(client).connection?.stream;
  stream?.cork();
  try {
    return send();
  } finally {
    stream?.uncork();
  }
}

/** Closes the socket now, without a Terminate message; pg then fails whatever was in flight. */
export function destroySocket(client: Client): void {
  internals(client).connection?.stream?.destroy();
}

/** Is a query running, sent (pipeline mode) or queued on `client`? */
export function hasQueriesInFlight(client: Client): boolean {
  const c = internals(client);
  return Boolean(c._getActiveQuery?.()) || (c._sentQueryQueue?.length ?? 0) > 0 || (c._queryQueue?.length ?? 0) > 0;
}

/** The server process of `client`'s session (from BackendKeyData, so no query); undefined before it connected. */
export function backendPid(client: Client): number | undefined {
  return internals(client).processID ?? undefined;
}

/** The settings `client` was made with (host, port, user, password, database, ssl). */
export function connectionParameters(client: Client): ClientConfig & { readonly password?: string } {
  return internals(client).connectionParameters;
}

/**
 * Makes `query` write its own message: `write` gets the socket instead of
 * pg serialising the query text. pg still reads the answers for it.
 */
export function submitRaw(query: Query, write: (stream: Duplex) => void): void {
  // pg takes whatever submit returns as the query's error.
  query.submit = (connection) => void write(connection.stream);
}

/** pg's Query gets each CommandComplete message through this method (left out of its types). */
interface CommandCompleteHandler {
  handleCommandComplete(...args: unknown[]): unknown;
}

/** Calls `onComplete` each time a statement of `query` completes (a simple query may hold several). */
export function onCommandComplete(query: Query, onComplete: () => void): void {
  const handler = query as unknown as CommandCompleteHandler;
  const handleCommandComplete = handler.handleCommandComplete;
  handler.handleCommandComplete = function (this: unknown, ...args: unknown[]) {
    onComplete();
    return handleCommandComplete.apply(this, args);
  };
}
