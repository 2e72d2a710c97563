/**
 * Where a target connects, as the fleet groups and reports it: `host:port`
 * for `--per-host`, `host:port/database` in results. Never a user name's
 * password: only the resolved host list, port and database are read.
 */
import { redactSecrets } from '../log';
import { resolveTarget } from '../config';

export interface TargetPlace {
  /** `host:port` of the first host (a socket directory as `socket /dir:port`): what `--per-host` counts. */
  readonly hostKey: string;
  /** `host:port/database`, for reports and the run file. */
  readonly host: string;
}

/**
 * Resolves `url` (undefined = PG* variables and defaults) as libpq would.
 * @throws ConfigError for a connection string that cannot be resolved.
 */
export function placeOf(url: string | undefined, env: NodeJS.ProcessEnv): TargetPlace {
  const target = resolveTarget(url, env);
  const first = target.hosts[0];
  const name =
    first === undefined
      ? '?'
      : first.host.startsWith('/')
        ? `socket ${first.host}`
        : first.host.includes(':')
          ? `[${first.host}]`
          : first.host;
  const hostKey = `${name}:${first?.port ?? '?'}`;
  return { hostKey, host: `${hostKey}/${target.dbname}` };
}

/**
 * `text` with every password of `secrets` masked, and whatever the log's
 * redactor masks (a URL's or a DSN's password, `PGPASSWORD`): a message from a driver or a command must not carry one into a
 * report, a log or the run file.
 */
export function redact(text: string, secrets: readonly string[]): string {
  // The exact passwords first (one with an @ would be cut in two by a URL's masking), then the log's own redactor.
  let out = text;
  for (const s of secrets) if (s.length >= 3) out = out.split(s).join('***');
  return redactSecrets(out);
}

/** The password a connection string carries, if any (to redact it from messages). */
export function passwordOf(url: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (url === undefined) return undefined;
  try {
    return resolveTarget(url, env).password;
  } catch {
    return undefined;
  }
}
