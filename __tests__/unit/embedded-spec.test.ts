/**
 * Which connection strings mean the embedded server, and when `tidemark test`
 * may pick one unasked: only with no database configured at all.
 */
import { embeddedSpec, noDatabaseConfigured } from '../../lib/config';
import { embeddedFor } from '../../lib/cli/embedded-target';
import { ConfigError } from '../../lib/errors';
import type { Config } from '../../lib/config';

const config = (url?: string) => ({ url }) as unknown as Config;

describe('embeddedSpec', () => {
  it.each([
    ['embedded', {}],
    [' embedded ', {}],
    ['embedded:.tidemark/pg', { persistent: '.tidemark/pg' }],
    ['embedded:/var/lib/x', { persistent: '/var/lib/x' }],
  ])('%s', (text, spec) => expect(embeddedSpec(text)).toEqual(spec));

  it.each([undefined, 'postgres://u@h/db', 'host=embedded', 'embeddedx'])('%s is not embedded', (text) =>
    expect(embeddedSpec(text)).toBeUndefined(),
  );

  it('embedded: without a folder is exit 2', () => {
    expect(() => embeddedSpec('embedded:')).toThrow(ConfigError);
  });

  it('embedded:~/pg is exit 2: no shell expands the ~ in a URL, it would be a folder named ~', () => {
    expect(() => embeddedSpec('embedded:~/pg')).toThrow(/\$HOME/);
  });
});

describe('noDatabaseConfigured', () => {
  it('nothing at all', () => expect(noDatabaseConfigured(undefined, { PATH: '/bin', HOME: '/h' })).toBe(true));
  it.each([['PGHOST'], ['PGPORT'], ['PGSERVICE'], ['PGDATABASE'], ['PGUSER'], ['PGPASSWORD']])('%s set', (name) =>
    expect(noDatabaseConfigured(undefined, { [name]: 'x' })).toBe(false),
  );
  it('an empty PG variable does not count', () => expect(noDatabaseConfigured(undefined, { PGHOST: '' })).toBe(true));
  it('a URL', () => expect(noDatabaseConfigured('postgres://h/db', {})).toBe(false));
});

describe('embeddedFor', () => {
  it('--url embedded for a command that connects', () => {
    expect(embeddedFor('apply', config('embedded'), {})).toEqual({ spec: {}, chosen: false });
    expect(embeddedFor('status', config('embedded:p'), {})).toEqual({ spec: { persistent: 'p' }, chosen: false });
  });
  it('never for config and create', () => {
    expect(embeddedFor('config', config('embedded'), {})).toBeUndefined();
    expect(embeddedFor('create', config('embedded'), {})).toBeUndefined();
  });

  it('never for import, nor lint --offline: they do not connect', () => {
    expect(embeddedFor('import', config('embedded'), {})).toBeUndefined();
    expect(embeddedFor('lint', config('embedded'), {}, true)).toBeUndefined();
    expect(embeddedFor('lint', config('embedded'), {})).toEqual({ spec: {}, chosen: false });
  });
  it('test with nothing configured: chosen', () =>
    expect(embeddedFor('test', config(), {})).toEqual({ spec: {}, chosen: true }));
  it('test with PGHOST, or apply with nothing: no embedded server', () => {
    expect(embeddedFor('test', config(), { PGHOST: '127.0.0.1' })).toBeUndefined();
    expect(embeddedFor('apply', config(), {})).toBeUndefined();
  });
});
