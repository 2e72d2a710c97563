/**
 * Connection service files (`pg_service.conf`), looked up as libpq does:
 * the file `servicefile=` or PGSERVICEFILE names (which must exist), else
 * `~/.pg_service.conf` if it exists; a service not defined there is looked
 * up in the system-wide `pg_service.conf` of PGSYSCONFDIR. The first file
 * that defines the service is the only one read. A service defined nowhere
 * is an error, as with psql: never a connection somewhere else.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { storeSetting, type ConnParams } from './keywords';
import { ConfigError } from '../../errors';

/**
 * Where libpq's own build looks when PGSYSCONFDIR is unset: Debian and
 * Ubuntu's packages use /etc/postgresql-common, PGDG's RPMs
 * /etc/sysconfig/pgsql; pg_config --sysconfdir says which.
 */
const SYSTEM_DIRS = ['/etc/postgresql-common', '/etc/sysconfig/pgsql', '/etc'];

export interface ServiceDefinition {
  readonly name: string;
  /** The file that defines it. */
  readonly file: string;
  readonly params: ConnParams;
}

/** The files to search, in order, each with what named it. */
function candidates(servicefile: string | undefined, env: NodeJS.ProcessEnv): { file: string; named: string | null }[] {
  const named = servicefile !== undefined ? 'servicefile' : env.PGSERVICEFILE ? 'PGSERVICEFILE' : null;
  const user = servicefile ?? (env.PGSERVICEFILE || path.join(env.HOME || homedir(), '.pg_service.conf'));
  const systemDirs = env.PGSYSCONFDIR ? [env.PGSYSCONFDIR] : SYSTEM_DIRS;
  const system = systemDirs.map((dir) => path.join(dir, 'pg_service.conf'));
  const firstSystem = system.find((file) => existsSync(file)) ?? system[0];
  return [
    { file: user, named },
    { file: firstSystem, named: null },
  ];
}

/**
 * The settings of `[name]` in `text`, or null when the file has no such
 * section. Lines are `key=value` exactly (libpq strips only the line's ends:
 * `host = db` is the key "host "); `#` starts a comment line.
 * @throws ConfigError naming file and line for a line that is not key=value,
 *   an unknown key, a nested `service=`, or a bad value (a password is never quoted).
 */
export function readServiceSection(text: string, name: string, file: string): ConnParams | null {
  let params: ConnParams | null = null;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('[')) {
      if (params !== null) break;
      if (line.startsWith(`[${name}]`)) params = {};
      continue;
    }
    if (params === null) continue;
    const where = `${file}:${i + 1} (service "${name}")`;
    const eq = line.indexOf('=');
    if (eq < 0) throw new ConfigError(`${where}: the line is not key=value; nothing was sent to the database.`);
    const key = line.slice(0, eq);
    if (key === 'service' || key === 'servicefile')
      throw new ConfigError(
        `${where}: a service cannot name another service (${key}=), as with libpq; nothing was sent to the database.`,
      );
    if (!storeSetting(params, key, line.slice(eq + 1), where)) {
      throw new ConfigError(
        `${where}: ${JSON.stringify(key)} is not a libpq connection setting${/\s/.test(key) ? ' (write key=value without spaces around =, as libpq reads it)' : ''}; nothing was sent to the database.`,
      );
    }
  }
  return params;
}

/**
 * Finds service `name`.
 * @param servicefile the `servicefile=` of the connection string, if any.
 * @param namedBy what named the service, for the message: `PGSERVICE`, `service= in --url`.
 * @throws ConfigError (exit 2) when no file defines it, listing every file
 *   searched; when a file named by servicefile/PGSERVICEFILE does not exist
 *   or cannot be read; or for a bad line in its section.
 */
export function findService(
  name: string,
  servicefile: string | undefined,
  env: NodeJS.ProcessEnv,
  namedBy: string,
): ServiceDefinition {
  const searched: string[] = [];
  for (const { file, named } of candidates(servicefile, env)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (named !== null)
        throw new ConfigError(
          `${named} names the service file ${file}, which ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`}. Fix ${named}; nothing was sent to the database.`,
        );
      searched.push(`${file} (${code === 'ENOENT' ? 'no such file' : `cannot be read: ${code}`})`);
      continue;
    }
    const params = readServiceSection(text, name, file);
    if (params !== null) return { name, file, params };
    searched.push(`${file} (no [${name}] section)`);
  }
  throw new ConfigError(
    `The connection service "${name}" (${namedBy}) is not defined in any service file. Searched: ${searched.join('; ')}. ` +
      'Define it in one of them, point PGSERVICEFILE at the file that defines it, or stop naming it. Nothing was sent to the database.',
  );
}
