/**
 * `tidemark config`: the resolved settings and where each came from, with
 * the URL's password masked. Pure.
 */
import {
  describeOrigins,
  describeServer,
  type ConfigKey,
  type ConnectionTarget,
  type ResolvedConfig,
  type SettingSource,
} from '../config';
import { redactSecrets } from '../log';

/** The order settings are shown in: what is chosen first, then the connection, then the rest. */
const ORDER: readonly ConfigKey[] = [
  'environment',
  'url',
  'dir',
  'schema',
  'table',
  'lockWait',
  'lockTimeout',
  'statementTimeout',
  'retries',
  'wait',
  'pgVersion',
  'maxLock',
  'maxLockMs',
];

function shownValue(resolved: ResolvedConfig, key: ConfigKey, env: NodeJS.ProcessEnv): string | number | null {
  const value = resolved.config[key];
  if (value === undefined) return null;
  return typeof value === 'string' ? redactSecrets(value, env) : value;
}

/** `flag --url`, `env DATABASE_URL`, `file tidemark.config.json (environments.production.url, from $PROD_DATABASE_URL)`, `default`. */
export function describeSource(s: SettingSource): string {
  switch (s.source) {
    case 'flag':
    case 'env':
      return `${s.source} ${s.name}`;
    case 'file':
      return `file ${s.name} (${s.key}${s.variable ? `, from $${s.variable}` : ''})`;
    case 'default':
      return 'default';
  }
}

/** Where the connection goes, as `--json` shows it: the server(s), and which source gave what. No password. */
function connectionDocument(target: ConnectionTarget): Record<string, unknown> {
  return {
    server: describeServer(target),
    hosts: target.hosts.map((h) => ({ host: h.host, ...(h.hostaddr ? { hostaddr: h.hostaddr } : {}), port: h.port })),
    database: target.dbname,
    user: target.user,
    sslmode: target.sslmode,
    target_session_attrs: target.targetSessionAttrs,
    service: target.service === null ? null : { name: target.service.name, file: target.service.file },
    origins: target.origins,
  };
}

/**
 * The `--json` document: the file, its section, every setting with value
 * (null = not set) and source, and, given the resolved target, `connection`.
 */
export function configDocument(
  resolved: ResolvedConfig,
  env: NodeJS.ProcessEnv = process.env,
  target?: ConnectionTarget,
): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const key of ORDER) settings[key] = { value: shownValue(resolved, key, env), ...resolved.sources[key] };
  return {
    file: resolved.file?.path ?? null,
    section: resolved.file?.section ?? null,
    settings,
    ...(target ? { connection: connectionDocument(target) } : {}),
  };
}

function unsetText(resolved: ResolvedConfig, key: ConfigKey): string {
  if (key !== 'url') return '(not set)';
  return resolved.sources.url.source === 'env' ? '(libpq PG* variables)' : '(libpq defaults)';
}

/**
 * One line per setting: name, value, source; after a line naming the config
 * file. Given the resolved target, a `server` line after `url` says where
 * the connection goes and which source (URL, service, PG*) gave what.
 */
export function renderConfig(
  resolved: ResolvedConfig,
  env: NodeJS.ProcessEnv = process.env,
  target?: ConnectionTarget,
): string {
  const { file } = resolved;
  const header =
    file === null
      ? 'config file: none'
      : `config file: ${file.path}${file.section === null ? ' (top level only)' : ` (environment "${file.section}")`}`;
  const rows = ORDER.map((key) => [
    key,
    String(shownValue(resolved, key, env) ?? unsetText(resolved, key)),
    describeSource(resolved.sources[key]),
  ]);
  if (target) rows.splice(ORDER.indexOf('url') + 1, 0, ['server', describeServer(target), describeOrigins(target)]);
  const width = (i: number) => Math.max(...rows.map((r) => r[i].length));
  const lines = rows.map(([key, value, source]) =>
    `${key.padEnd(width(0))}  ${value.padEnd(width(1))}  ${source}`.trimEnd(),
  );
  return [header, ...lines].join('\n');
}
