/**
 * A resolved connection target as pg settings: for each host, the ways to
 * try it, in libpq's order for the sslmode. pg knows only "SSL or not", so
 * `allow` and `prefer` are two attempts (plain then SSL, SSL then plain),
 * and `verify-ca` / `verify-full` are Node TLS options. Every value is given
 * explicitly, so pg reads no PG* variable of its own.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isIP } from 'node:net';
import path from 'node:path';
import type { ClientConfig } from 'pg';
import type { ConnectionTarget, HostEntry } from '../config';
import { ConfigError } from '../errors';

type TlsOptions = Exclude<ClientConfig['ssl'], boolean | undefined>;

/** The certificate files libpq would use: the setting, else the file in ~/.postgresql when it exists. */
function certificates(target: ConnectionTarget, env: NodeJS.ProcessEnv): { ca?: string; cert?: string; key?: string } {
  const dir = path.join(env.HOME || homedir(), '.postgresql');
  const pick = (given: string | undefined, name: string, file: string): [string, string] | null => {
    if (given !== undefined) return given === 'system' && name === 'sslrootcert' ? null : [name, given];
    const fallback = path.join(dir, file);
    return existsSync(fallback) ? [name, fallback] : null;
  };
  const read = (entry: [string, string] | null): string | undefined => {
    if (entry === null) return undefined;
    try {
      return readFileSync(entry[1], 'utf8');
    } catch (err) {
      throw new ConfigError(
        `${entry[0]} ${entry[1]} (from ${target.origins[entry[0] as 'sslrootcert'] ?? '~/.postgresql'}) cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}); nothing was sent to the database.`,
      );
    }
  };
  const ca = read(pick(target.sslrootcert, 'sslrootcert', 'root.crt'));
  const cert = read(pick(target.sslcert, 'sslcert', 'postgresql.crt'));
  const key = cert === undefined ? undefined : read(pick(target.sslkey, 'sslkey', 'postgresql.key'));
  return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}

/**
 * The `ssl` values to try, in order, for `host`.
 * - disable: none. allow: plain, then SSL. prefer: SSL, then plain.
 * - require: SSL without checking the certificate; with a root certificate
 *   (sslrootcert, or ~/.postgresql/root.crt) it is checked, as verify-ca.
 * - verify-ca: the chain against the root certificate (Node's trusted roots
 *   when there is none, or with sslrootcert=system). verify-full: also the host name.
 */
export function sslVariants(
  target: ConnectionTarget,
  host: HostEntry,
  env: NodeJS.ProcessEnv = process.env,
): (false | TlsOptions)[] {
  if (target.sslmode === 'disable') return [false];
  const { ca, ...client } = certificates(target, env);
  const noVerify: TlsOptions = { ...client, rejectUnauthorized: false };
  const verifyCa: TlsOptions = {
    ...client,
    ...(ca ? { ca } : {}),
    rejectUnauthorized: true,
    checkServerIdentity: () => undefined,
  };
  // With hostaddr, pg connects to the address; the certificate names the host.
  const name =
    host.hostaddr !== undefined && isIP(host.host) === 0 && !host.host.startsWith('/') ? { servername: host.host } : {};
  const verifyFull: TlsOptions = { ...client, ...(ca ? { ca } : {}), ...name, rejectUnauthorized: true };
  switch (target.sslmode) {
    case 'allow':
      return [false, noVerify];
    case 'prefer':
      return [noVerify, false];
    case 'require':
    case 'no-verify':
      return [ca && target.sslmode === 'require' ? verifyCa : noVerify];
    case 'verify-ca':
      return [verifyCa];
    case 'verify-full':
      return [verifyFull];
  }
}

/** The hosts in the order to try them: as given, or shuffled with load_balance_hosts=random. */
export function hostOrder(target: ConnectionTarget): HostEntry[] {
  const hosts = [...target.hosts];
  if (!target.loadBalance) return hosts;
  for (let i = hosts.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [hosts[i], hosts[j]] = [hosts[j], hosts[i]];
  }
  return hosts;
}

/**
 * pg settings for one attempt on `host`.
 * @param database overrides the target's database (tidemark test's admin and throwaway connections).
 */
export function clientSettings(
  target: ConnectionTarget,
  host: HostEntry,
  ssl: false | TlsOptions,
  database?: string,
): ClientConfig {
  return {
    host: host.hostaddr ?? host.host,
    port: host.port,
    user: target.user,
    ...(target.password === undefined ? {} : { password: target.password }),
    database: database ?? target.dbname,
    application_name: target.applicationName,
    ...(target.options === undefined ? {} : { options: target.options }),
    ...(target.clientEncoding === undefined ? {} : { client_encoding: target.clientEncoding }),
    connectionTimeoutMillis: target.connectTimeout * 1000,
    ...(target.keepalives === undefined ? {} : { keepAlive: target.keepalives }),
    ...(target.keepalivesIdle === undefined ? {} : { keepAliveInitialDelayMillis: target.keepalivesIdle * 1000 }),
    ssl,
    sslnegotiation: ssl === false ? 'postgres' : target.sslnegotiation,
  } as ClientConfig;
}
