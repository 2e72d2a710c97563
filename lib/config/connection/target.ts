/**
 * The server(s) a run connects to, and how, resolved once and the way libpq
 * resolves them: for each setting, the connection string (URL or
 * key=value), then its service (`service=` or PGSERVICE, from
 * pg_service.conf), then the PG* variable, then the default. Every command,
 * `tidemark config` and `tidemark test`'s throwaway database use this one
 * answer, so none of them can connect somewhere the others would not.
 * Reads service files; otherwise pure.
 */
import { userInfo } from 'node:os';
import { ConfigError } from '../../errors';
import { parseConnectionString } from './conninfo';
import { embeddedSpec } from './embedded';
import {
  checkPortVariable,
  checkSetting,
  KEYWORDS,
  SESSION_ATTRS,
  SSL_MODES,
  type ConnParams,
  type Keyword,
} from './keywords';
import { findService, type ServiceDefinition } from './service-file';

export type SslMode = (typeof SSL_MODES)[number] | 'no-verify';
export type SessionAttrs = (typeof SESSION_ATTRS)[number];

export interface HostEntry {
  /** Host name, IP address, or socket directory (starting with /). */
  readonly host: string;
  /** libpq's hostaddr: the address connected to instead of looking `host` up. */
  readonly hostaddr?: string;
  readonly port: number;
}

export interface ConnectionTarget {
  /** Tried in this order (shuffled per run with load_balance_hosts=random). */
  readonly hosts: readonly HostEntry[];
  readonly user: string;
  readonly password?: string;
  readonly dbname: string;
  /** False when no source named a database (then it is the user name, as libpq does). */
  readonly dbnameGiven: boolean;
  readonly sslmode: SslMode;
  readonly sslrootcert?: string;
  readonly sslcert?: string;
  readonly sslkey?: string;
  readonly sslnegotiation: 'postgres' | 'direct';
  readonly targetSessionAttrs: SessionAttrs;
  readonly loadBalance: boolean;
  /** Seconds per connection attempt; 0 = no limit. */
  readonly connectTimeout: number;
  readonly applicationName: string;
  readonly options?: string;
  readonly clientEncoding?: string;
  readonly keepalives?: boolean;
  readonly keepalivesIdle?: number;
  readonly service: ServiceDefinition | null;
  /** Where each setting that was given came from: `--url`, `service "x" (file)`, `PGHOST`. */
  readonly origins: Readonly<Partial<Record<Keyword, string>>>;
  /** URL query parameters that are not libpq settings, ignored. */
  readonly ignored: readonly string[];
}

/** Seconds to wait for one connection attempt when nothing sets connect_timeout. */
const DEFAULT_CONNECT_TIMEOUT = 10;

const isSet = (env: NodeJS.ProcessEnv, name: string) => env[name] !== undefined && env[name] !== '';

/** The PG* variables, checked, for the settings nothing else gave. */
function fromEnvironment(values: ConnParams, origins: Partial<Record<Keyword, string>>, env: NodeJS.ProcessEnv): void {
  for (const [keyword, variable] of Object.entries(KEYWORDS) as [Keyword, string | null][]) {
    if (variable === null || values[keyword] !== undefined || !isSet(env, variable)) continue;
    const value = env[variable] as string;
    if (keyword === 'port') checkPortVariable(value);
    else if (keyword !== 'password') checkSetting(keyword, value, `${variable}=${value}`);
    values[keyword] = value;
    origins[keyword] = variable;
  }
}

/** The host list, each with its hostaddr and port, as libpq pairs them. */
function hostList(values: ConnParams, origins: Partial<Record<Keyword, string>>): HostEntry[] {
  const split = (v: string | undefined) => (v === undefined ? [] : v.split(',').map((s) => s.trim()));
  const hosts = split(values.host);
  const addrs = split(values.hostaddr);
  const ports = split(values.port);
  const count = Math.max(hosts.length, addrs.length, 1);
  if (hosts.length > 0 && addrs.length > 0 && hosts.length !== addrs.length) {
    throw new ConfigError(
      `${hosts.length} host names (host, from ${origins.host}) cannot be matched to ${addrs.length} addresses (hostaddr, from ${origins.hostaddr}); give as many of each. Nothing was sent to the database.`,
    );
  }
  if (ports.length > 1 && ports.length !== count) {
    throw new ConfigError(
      `${ports.length} ports (port, from ${origins.port}) cannot be matched to ${count} hosts; give one port for all, or one per host. Nothing was sent to the database.`,
    );
  }
  return Array.from({ length: count }, (_, i) => {
    const port = ports[ports.length === 1 ? 0 : i];
    return {
      host: hosts[i] || addrs[i] || 'localhost',
      ...(addrs[i] ? { hostaddr: addrs[i] } : {}),
      port: port ? Number(port) : 5432,
    };
  });
}

function osUser(env: NodeJS.ProcessEnv): string {
  if (env.USER) return env.USER;
  try {
    return userInfo().username;
  } catch {
    throw new ConfigError(
      'No user name is set (user, PGUSER) and the operating system has none for this process; set PGUSER. Nothing was sent to the database.',
    );
  }
}

function shape(
  values: ConnParams,
  origins: Partial<Record<Keyword, string>>,
  service: ServiceDefinition | null,
  ignored: readonly string[],
  env: NodeJS.ProcessEnv,
): ConnectionTarget {
  const user = values.user ?? osUser(env);
  const sslmode = (values.sslmode ?? 'disable') as SslMode;
  const sslnegotiation = values.sslnegotiation === 'direct' ? 'direct' : 'postgres';
  if (sslnegotiation === 'direct' && !['require', 'verify-ca', 'verify-full', 'no-verify'].includes(sslmode)) {
    throw new ConfigError(
      `sslnegotiation=direct (from ${origins.sslnegotiation}) needs sslmode require, verify-ca or verify-full, as with libpq; nothing was sent to the database.`,
    );
  }
  const timeout = values.connect_timeout === undefined ? DEFAULT_CONNECT_TIMEOUT : Number(values.connect_timeout);
  return {
    hosts: hostList(values, origins),
    user,
    ...(values.password === undefined ? {} : { password: values.password }),
    dbname: values.dbname ?? user,
    dbnameGiven: values.dbname !== undefined,
    sslmode,
    ...(values.sslrootcert ? { sslrootcert: values.sslrootcert } : {}),
    ...(values.sslcert ? { sslcert: values.sslcert } : {}),
    ...(values.sslkey ? { sslkey: values.sslkey } : {}),
    sslnegotiation,
    targetSessionAttrs: (values.target_session_attrs ?? 'any') as SessionAttrs,
    loadBalance: values.load_balance_hosts === 'random',
    // As libpq: a timeout of 1 second is taken as 2 (one second is too short to tell), 0 is none.
    connectTimeout: timeout === 1 ? 2 : timeout,
    applicationName: values.application_name ?? values.fallback_application_name ?? 'tidemark',
    ...(values.options === undefined ? {} : { options: values.options }),
    ...(values.client_encoding === undefined ? {} : { clientEncoding: values.client_encoding }),
    ...(values.keepalives === undefined ? {} : { keepalives: Number(values.keepalives) !== 0 }),
    ...(values.keepalives_idle === undefined ? {} : { keepalivesIdle: Number(values.keepalives_idle) }),
    service,
    origins,
    ignored,
  };
}

/**
 * Resolves where and how to connect.
 * @param text the connection string in use (flag, variable or config file), if any.
 * @param origin how to name it in messages (`--url`, `$DATABASE_URL`).
 * @throws ConfigError (exit 2) for a malformed string, a service that no
 *   service file defines, a bad value from any source, or host and port
 *   lists that cannot be paired. Nothing has connected when it throws.
 */
export function resolveTarget(
  text: string | undefined,
  env: NodeJS.ProcessEnv,
  origin = 'the connection string',
): ConnectionTarget {
  if (embeddedSpec(text) !== undefined)
    throw new ConfigError(
      `${origin} is "${text}", which names no server here: the tidemark commands that take --url start an embedded PostgreSQL themselves, a fleet target needs a real server, and the library starts one with startEmbedded() (or startEmbeddedPersistent(folder)): pass its url.`,
    );
  const given = text === undefined ? { params: {} as ConnParams, ignored: [] } : parseConnectionString(text, origin);
  const values: ConnParams = {};
  const origins: Partial<Record<Keyword, string>> = {};
  const take = (params: ConnParams, from: string) => {
    for (const [keyword, value] of Object.entries(params) as [Keyword, string][]) {
      if (values[keyword] !== undefined) continue;
      values[keyword] = value;
      origins[keyword] = from;
    }
  };
  take(given.params, origin);
  const name = given.params.service ?? (isSet(env, 'PGSERVICE') ? env.PGSERVICE : undefined);
  const service =
    name === undefined
      ? null
      : findService(
          name,
          given.params.servicefile,
          env,
          given.params.service !== undefined ? `service= in ${origin}` : 'PGSERVICE',
        );
  if (service !== null) take(service.params, `service "${service.name}" (${service.file})`);
  fromEnvironment(values, origins, env);
  return shape(values, origins, service, given.ignored, env);
}

/** `user@host:port/db`, or `user@h1:p1,h2:p2/db` for a host list; never the password. */
export function describeServer(target: ConnectionTarget): string {
  const hosts = target.hosts.map((h) => `${h.host.includes(':') ? `[${h.host}]` : h.host}:${h.port}`).join(',');
  return `${target.user}@${hosts}/${target.dbname}`;
}

/** Which source gave which of the settings that say where to connect: `host, port from service "x" (f); user from PGUSER`. */
export function describeOrigins(target: ConnectionTarget): string {
  const keys: Keyword[] = ['host', 'hostaddr', 'port', 'dbname', 'user', 'sslmode', 'target_session_attrs'];
  const bySource = new Map<string, string[]>();
  for (const key of keys) {
    const from = target.origins[key];
    if (from !== undefined) bySource.set(from, [...(bySource.get(from) ?? []), key]);
  }
  const parts = [...bySource].map(([from, names]) => `${names.join(', ')} from ${from}`);
  return parts.length === 0 ? 'defaults' : parts.join('; ');
}
