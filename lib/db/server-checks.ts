/**
 * What decides the next step after one connection attempt: whether the
 * server answered (so the other half of sslmode allow/prefer is worth
 * trying), and whether a server that answered is the kind
 * target_session_attrs asks for.
 */
import type { Client } from 'pg';

/** True when the server answered (an error response, or an SSL negotiation that failed): the other way of sslmode allow/prefer may work. */
export function serverAnswered(err: unknown): boolean {
  const { code = '', message = '' } = err as { code?: string; message?: string };
  return /^[0-9A-Z]{5}$/.test(code) || /SSL|TLS|certificate/i.test(message) || /CERT|SSL|TLS|EPROTO/.test(code);
}

/**
 * Why the server is not what target_session_attrs asks for, or null. One
 * query, schema-qualified: a search_path cannot redirect it.
 */
export async function sessionMismatch(client: Client, wanted: string): Promise<string | null> {
  if (wanted === 'any') return null;
  const { rows } = await client.query<{ ro: string; standby: boolean }>(
    "SELECT pg_catalog.current_setting('transaction_read_only') AS ro, pg_catalog.pg_is_in_recovery() AS standby",
  );
  const { ro, standby } = rows[0];
  if (wanted === 'read-write' && ro === 'on') return 'the server is read-only, and target_session_attrs=read-write';
  if (wanted === 'read-only' && ro !== 'on') return 'the server is not read-only, and target_session_attrs=read-only';
  if (wanted === 'primary' && standby) return 'the server is a standby, and target_session_attrs=primary';
  if (wanted === 'standby' && !standby) return 'the server is not a standby, and target_session_attrs=standby';
  return null;
}
