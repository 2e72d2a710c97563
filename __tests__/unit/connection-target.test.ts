/**
 * Where a run connects, resolved as libpq resolves it: connection string >
 * service file > PG* variables > defaults; service files found as libpq
 * finds them; host lists paired with ports; sslmode as attempts in order.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describeOrigins, describeServer, resolveTarget } from '../../lib/config';
import { sslVariants } from '../../lib/db/server-settings';
import { ConfigError } from '../../lib/errors';
import { readServiceSection } from '../../lib/config/connection/service-file';
import { removeDir, tempDir } from '../helpers/files';

let home: string;
let sysconf: string;
/** An environment with no service file but those a test writes: HOME and PGSYSCONFDIR are temp directories. */
let base: Record<string, string>;

beforeEach(() => {
  home = tempDir('tidemark-home-');
  sysconf = tempDir('tidemark-sysconf-');
  base = { HOME: home, PGSYSCONFDIR: sysconf, USER: 'osuser' };
});
afterEach(() => {
  removeDir(home);
  removeDir(sysconf);
});

function refusal(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('accepted');
}

const write = (file: string, text: string) => {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
};

describe('precedence: connection string > service > PG* variables > defaults', () => {
  test('defaults: localhost:5432, the OS user, a database named after the user, no SSL', () => {
    const t = resolveTarget(undefined, base);
    expect(describeServer(t)).toBe('osuser@localhost:5432/osuser');
    expect(t).toMatchObject({
      dbnameGiven: false,
      sslmode: 'disable',
      targetSessionAttrs: 'any',
      applicationName: 'tidemark',
      connectTimeout: 10,
    });
    expect(describeOrigins(t)).toBe('defaults');
  });

  test('each setting comes from the first source that gives it', () => {
    const file = write(
      path.join(home, 'svc.conf'),
      '[app]\nhost=svc-host\nport=6000\ndbname=svc_db\nuser=svc_user\npassword=svcpw\n',
    );
    const env = {
      ...base,
      PGSERVICEFILE: file,
      PGSERVICE: 'app',
      PGHOST: 'env-host',
      PGPORT: '7000',
      PGUSER: 'env_user',
      PGDATABASE: 'env_db',
      PGSSLMODE: 'prefer',
      PGAPPNAME: 'deploy',
    };
    const t = resolveTarget('postgres://url_user@url-host/url_db', env, '--url');
    expect(describeServer(t)).toBe('url_user@url-host:6000/url_db');
    expect(t).toMatchObject({ password: 'svcpw', sslmode: 'prefer', applicationName: 'deploy' });
    expect(t.origins).toMatchObject({
      host: '--url',
      user: '--url',
      dbname: '--url',
      port: `service "app" (${file})`,
      sslmode: 'PGSSLMODE',
    });
    const noUrl = resolveTarget(undefined, env);
    expect(describeServer(noUrl)).toBe('svc_user@svc-host:6000/svc_db');
    expect(describeOrigins(noUrl)).toBe(
      `host, port, dbname, user from service "app" (${file}); sslmode from PGSSLMODE`,
    );
  });

  test('service= in a key=value string, ?service= in a URL', () => {
    write(path.join(home, '.pg_service.conf'), '[a]\nhost=from-a\n[b]\nhost=from-b\nport=5555\n');
    expect(describeServer(resolveTarget('service=b user=u', base))).toBe('u@from-b:5555/u');
    expect(describeServer(resolveTarget('postgres://u@/x?service=a', base))).toBe('u@from-a:5432/x');
  });

  test('a bad value from a variable names the variable', () => {
    expect(refusal(() => resolveTarget(undefined, { ...base, PGSSLMODE: 'sometimes' })).message).toContain(
      'PGSSLMODE=sometimes is not an sslmode',
    );
    expect(refusal(() => resolveTarget(undefined, { ...base, PGPORT: '5432x' })).message).toContain(
      'PGPORT=5432x is not a valid port (1–65535)',
    );
    expect(refusal(() => resolveTarget(undefined, { ...base, PGTARGETSESSIONATTRS: 'rw' })).message).toContain(
      'PGTARGETSESSIONATTRS=rw is not a target_session_attrs value',
    );
  });
});

describe('service files, found as libpq finds them', () => {
  test('~/.pg_service.conf first; the system file (PGSYSCONFDIR) for a service it does not define', () => {
    write(path.join(home, '.pg_service.conf'), '[app]\nhost=user-file\n');
    write(path.join(sysconf, 'pg_service.conf'), '[app]\nhost=system-file\n[other]\nhost=system-other\n');
    expect(resolveTarget(undefined, { ...base, PGSERVICE: 'app' }).hosts[0].host).toBe('user-file');
    expect(resolveTarget(undefined, { ...base, PGSERVICE: 'other' }).hosts[0].host).toBe('system-other');
  });

  test('PGSERVICEFILE replaces ~/.pg_service.conf, and must exist', () => {
    write(path.join(home, '.pg_service.conf'), '[app]\nhost=user-file\n');
    const named = write(path.join(home, 'named.conf'), '[app]\nhost=named-file\n');
    expect(resolveTarget(undefined, { ...base, PGSERVICE: 'app', PGSERVICEFILE: named }).hosts[0].host).toBe(
      'named-file',
    );
    const missing = path.join(home, 'nope.conf');
    expect(
      refusal(() => resolveTarget(undefined, { ...base, PGSERVICE: 'app', PGSERVICEFILE: missing })).message,
    ).toContain(`PGSERVICEFILE names the service file ${missing}, which does not exist`);
  });

  test('a service defined nowhere is exit 2, naming it and every file searched', () => {
    write(path.join(home, '.pg_service.conf'), '[app]\nhost=h\n');
    const err = refusal(() => resolveTarget(undefined, { ...base, PGSERVICE: 'nonexistent' }));
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain(
      'The connection service "nonexistent" (PGSERVICE) is not defined in any service file',
    );
    expect(err.message).toContain(`${path.join(home, '.pg_service.conf')} (no [nonexistent] section)`);
    expect(err.message).toContain(`${path.join(sysconf, 'pg_service.conf')} (no such file)`);
    expect(refusal(() => resolveTarget('postgres://h/db?service=gone', base, '--url')).message).toContain(
      '"gone" (service= in --url)',
    );
  });

  test('lines are read as libpq reads them; a bad line names file and line, never the password', () => {
    const file = '/etc/pg_service.conf';
    expect(readServiceSection('# c\n[a]\nhost=x\n\n[app]\n  host=db  \nport=5433\n[z]\nhost=y\n', 'app', file)).toEqual(
      { host: 'db', port: '5433' },
    );
    expect(readServiceSection('[a]\nhost=x\n', 'app', file)).toBeNull();
    expect(refusal(() => readServiceSection('[app]\nhost = db\n', 'app', file)).message).toContain(
      `${file}:2 (service "app"): "host " is not a libpq connection setting (write key=value without spaces around =`,
    );
    expect(refusal(() => readServiceSection('[app]\nhostdb\n', 'app', file)).message).toContain(
      `${file}:2 (service "app"): the line is not key=value`,
    );
    expect(refusal(() => readServiceSection('[app]\nservice=other\n', 'app', file)).message).toContain(
      'cannot name another service',
    );
    expect(refusal(() => readServiceSection('[app]\nport=99999\n', 'app', file)).message).toContain(
      `${file}:2 (service "app"): port "99999" is not a valid port`,
    );
    expect(
      refusal(() => readServiceSection('[app]\nsslmode=maybe\npassword=hunter22\n', 'app', file)).message,
    ).not.toContain('hunter22');
  });
});

describe('host lists', () => {
  test('each host gets its port, one port serves all, an empty entry is the default', () => {
    const ports = (text: string, env = {}) =>
      resolveTarget(text, { ...base, ...env }).hosts.map((h) => `${h.host}:${h.port}`);
    expect(ports('host=a,b port=1,2')).toEqual(['a:1', 'b:2']);
    expect(ports('host=a,b port=7')).toEqual(['a:7', 'b:7']);
    expect(ports('postgres://a:1,b/db')).toEqual(['a:1', 'b:5432']);
    expect(ports('user=u', { PGHOST: 'x,y', PGPORT: '3,4' })).toEqual(['x:3', 'y:4']);
    expect(resolveTarget('hostaddr=10.0.0.1,10.0.0.2 host=a,b', base).hosts).toEqual([
      { host: 'a', hostaddr: '10.0.0.1', port: 5432 },
      { host: 'b', hostaddr: '10.0.0.2', port: 5432 },
    ]);
  });

  test('lists that cannot be paired are exit 2', () => {
    expect(refusal(() => resolveTarget('host=a,b,c port=1,2', base)).message).toContain(
      '2 ports (port, from the connection string) cannot be matched to 3 hosts',
    );
    expect(refusal(() => resolveTarget('host=a,b hostaddr=1.1.1.1', base)).message).toContain(
      'cannot be matched to 1 addresses',
    );
  });
});

describe("sslmode: the attempts, in libpq's order", () => {
  const kinds = (sslmode: string, extra = '') =>
    sslVariants(resolveTarget(`host=db sslmode=${sslmode}${extra}`, base), { host: 'db', port: 5432 }, base).map(
      (ssl) =>
        ssl === false
          ? 'plain'
          : ssl.rejectUnauthorized === false
            ? 'ssl'
            : ssl.checkServerIdentity
              ? 'ssl+ca'
              : 'ssl+ca+name',
    );
  test.each([
    ['disable', ['plain']],
    ['allow', ['plain', 'ssl']],
    ['prefer', ['ssl', 'plain']],
    ['require', ['ssl']],
    ['verify-ca', ['ssl+ca']],
    ['verify-full', ['ssl+ca+name']],
  ])('%s', (mode, expected) => {
    expect(kinds(mode)).toEqual(expected);
  });

  test('require with a root certificate checks it, as verify-ca (libpq)', () => {
    const ca = write(path.join(home, 'ca.crt'), 'not really a certificate');
    expect(kinds('require', ` sslrootcert=${ca}`)).toEqual(['ssl+ca']);
  });

  test('an unreadable certificate file is exit 2, naming it', () => {
    expect(refusal(() => kinds('verify-full', ` sslrootcert=${path.join(home, 'none.crt')}`)).message).toContain(
      `sslrootcert ${path.join(home, 'none.crt')}`,
    );
  });
});
