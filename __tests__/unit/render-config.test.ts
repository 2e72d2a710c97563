import { resolveConfig } from '../../lib/config';
import { configDocument, describeSource, renderConfig } from '../../lib/cli/render-config';

const SECRET = 's3cretPW';
const content = {
  lockTimeout: '5s',
  environments: { production: { url: { env: 'PROD_DATABASE_URL' }, lockWait: 120 } },
};

describe('tidemark config output', () => {
  const env = { PROD_DATABASE_URL: `postgres://app:${SECRET}@db/app` };
  const resolved = resolveConfig({ environment: 'production', retries: '2' }, env, {
    path: 'tidemark.config.json',
    content,
  });

  it('prints one line per setting with its value and source, the password masked', () => {
    const text = renderConfig(resolved, {});
    expect(text).not.toContain(SECRET);
    const lines = text.split('\n');
    expect(lines[0]).toBe('config file: tidemark.config.json (environment "production")');
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/))).toEqual([
      ['environment', 'production', 'flag --env'],
      [
        'url',
        'postgres://app:***@db/app',
        'file tidemark.config.json (environments.production.url, from $PROD_DATABASE_URL)',
      ],
      ['dir', 'sql', 'default'],
      ['schema', 'public', 'default'],
      ['table', 'tidemark_migrations', 'default'],
      ['lockWait', '120', 'file tidemark.config.json (environments.production.lockWait)'],
      ['lockTimeout', '5s', 'file tidemark.config.json (lockTimeout)'],
      ['statementTimeout', '(not set)', 'default'],
      ['retries', '2', 'flag --retries'],
      ['wait', '0', 'default'],
      ['pgVersion', '(not set)', 'default'],
      ['maxLock', '(not set)', 'default'],
      ['maxLockMs', '(not set)', 'default'],
    ]);
  });

  it('gives the same facts as a JSON document', () => {
    const doc = configDocument(resolved, {});
    expect(JSON.stringify(doc)).not.toContain(SECRET);
    expect(doc).toMatchObject({
      file: 'tidemark.config.json',
      section: 'production',
      settings: {
        url: {
          value: 'postgres://app:***@db/app',
          source: 'file',
          name: 'tidemark.config.json',
          key: 'environments.production.url',
          variable: 'PROD_DATABASE_URL',
        },
        statementTimeout: { value: null, source: 'default' },
        retries: { value: 2, source: 'flag', name: '--retries' },
      },
    });
  });

  it('masks a DSN password and says when libpq variables or defaults decide the connection', () => {
    expect(renderConfig(resolveConfig({ url: `host=db password=${SECRET}` }, {}), {})).toMatch(
      /^url\s+host=db password=\*\*\*\s+flag --url$/m,
    );
    expect(renderConfig(resolveConfig({}, { PGHOST: 'db', PGUSER: 'app' }), {})).toMatch(
      /^url\s+\(libpq PG\* variables\)\s+env PGHOST, PGUSER$/m,
    );
    const none = renderConfig(resolveConfig({}, {}), {});
    expect(none).toMatch(/^config file: none$/m);
    expect(none).toMatch(/^url\s+\(libpq defaults\)\s+default$/m);
  });

  it('describes each kind of source', () => {
    expect(describeSource({ source: 'env', name: 'DATABASE_URL' })).toBe('env DATABASE_URL');
    expect(describeSource({ source: 'file', name: 'a.json', key: 'url' })).toBe('file a.json (url)');
    expect(describeSource({ source: 'default' })).toBe('default');
  });
});
