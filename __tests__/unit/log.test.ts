import { createLogger, redactSecrets, routeWarnings } from '../../lib/log';

const noEnv = {};

describe('redactSecrets', () => {
  it.each([
    ['postgres://app:s3cret@db.internal:5432/app', 'postgres://app:***@db.internal:5432/app'],
    ['postgresql://app:s3cret@db/app?sslmode=require', 'postgresql://app:***@db/app?sslmode=require'],
    ['connect postgres://:s3cret@db/app failed', 'connect postgres://:***@db/app failed'],
    ['postgres://app:pa:ss@db/app', 'postgres://app:***@db/app'],
    ['postgres://app:p%40ss@db/app', 'postgres://app:***@db/app'],
  ])('masks the password of the URL %s', (text, expected) => {
    expect(redactSecrets(text, noEnv)).toBe(expected);
  });

  it('masks a password that holds an unencoded @', () => {
    // The WHATWG URL parser that pg uses takes everything up to the last @ as user info.
    const out = redactSecrets('postgres://app:p@ss@db/app', noEnv);
    expect(out).not.toContain('ss@');
    expect(out).toBe('postgres://app:***@db/app');
  });

  it('masks the password of a user name that holds an unencoded @', () => {
    expect(redactSecrets('postgres://me@corp:s3cret@db/app', noEnv)).toBe('postgres://me@corp:***@db/app');
  });

  it('keeps a JSON log line valid, and the fields after the URL intact', () => {
    const line = JSON.stringify({
      msg: 'connecting to postgres://app:s3cret@db',
      user: 'me@corp',
      dsn: 'host=db password=pw2',
    });
    expect(JSON.parse(redactSecrets(line, noEnv))).toEqual({
      msg: 'connecting to postgres://app:***@db',
      user: 'me@corp',
      dsn: 'host=db password=***',
    });
  });

  it('leaves a URL without a password as it is', () => {
    const text = 'postgres://app@db/app, postgres://app@db:5432/app and postgres://db/app';
    expect(redactSecrets(text, noEnv)).toBe(text);
  });

  it('masks several URLs in one text', () => {
    expect(redactSecrets('from postgres://a:one@h1/x to postgres://b:two@h2/y', noEnv)).toBe(
      'from postgres://a:***@h1/x to postgres://b:***@h2/y',
    );
  });

  it.each([
    ['database "postgres:/u:s3cret@db/app" does not exist', 'database "postgres:/u:***@db/app" does not exist'],
    ['postgres//u:s3cret@db/app', 'postgres//u:***@db/app'],
    ['postgres:u:s3cret@db/app', 'postgres:u:***@db/app'],
    ['postgresql:/u:s3:cret@db/app', 'postgresql:/u:***@db/app'],
    ['url u:s3cret@db/app is wrong', 'url u:***@db/app is wrong'],
    ['postgres://u:pa/ss@db/app', 'postgres://u:***@db/app'],
    ['{"msg":"to root@localhost:5432/u:s3cret@db/x"}', '{"msg":"to root@localhost:***@db/x"}'],
  ])('masks what looks like a credential in a string that is no well-formed URL: %s', (text, expected) => {
    expect(redactSecrets(text, noEnv)).toBe(expected);
  });

  it('leaves user@host targets and masked URLs alone', () => {
    const text =
      'Cannot connect to postgres@127.0.0.1:5432/x, postgres@[::1]:5432/x, app@h1:1,h2:2/db; postgres://app:***@db/app; me@corp';
    expect(redactSecrets(text, noEnv)).toBe(text);
  });

  it.each([
    ['host=db user=app password=s3cret dbname=app', 'host=db user=app password=*** dbname=app'],
    ["host=db password='s3 cr\\'et' dbname=app", 'host=db password=*** dbname=app'],
    ['host=db PASSWORD = s3cret', 'host=db PASSWORD = ***'],
    ['postgres://db/app?password=s3cret&sslmode=require', 'postgres://db/app?password=***'],
  ])('masks password= in the DSN %s', (text, expected) => {
    expect(redactSecrets(text, noEnv)).toBe(expected);
  });

  it('masks the PGPASSWORD value wherever it appears', () => {
    const out = redactSecrets('login failed for app (password hunter2xyz); hunter2xyz again', {
      PGPASSWORD: 'hunter2xyz',
    });
    expect(out).toBe('login failed for app (password ***); *** again');
  });

  it('reads PGPASSWORD from process.env by default', () => {
    const saved = process.env.PGPASSWORD;
    process.env.PGPASSWORD = 'from-process-env';
    try {
      expect(redactSecrets('x from-process-env y')).toBe('x *** y');
    } finally {
      if (saved === undefined) delete process.env.PGPASSWORD;
      else process.env.PGPASSWORD = saved;
    }
  });

  it('leaves text without secrets unchanged', () => {
    const text = 'Applied 3 migrations in 0.12s; 0 pending. password policy: see docs';
    expect(redactSecrets(text, noEnv)).toBe(text);
  });
});

describe('createLogger', () => {
  function capture(format: 'human' | 'json') {
    const lines: string[] = [];
    const logger = createLogger({ format, level: 'info', stream: { write: (chunk: string) => lines.push(chunk) } });
    return { logger, lines };
  }

  it('writes one JSON object per line with level and msg, and redacts secrets in it', () => {
    const { logger, lines } = capture('json');
    logger.info({ version: '4', password: 'field-secret' }, 'connecting to postgres://app:s3cret@db/app');
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]);
    expect(entry).toMatchObject({
      level: 30,
      msg: 'connecting to postgres://app:***@db/app',
      version: '4',
      password: '***',
    });
    expect(lines[0]).not.toContain('s3cret');
    expect(lines[0]).not.toContain('field-secret');
  });

  it('writes plain lines for humans, labelled by level', () => {
    const { logger, lines } = capture('human');
    logger.info('applied 001_a');
    logger.warn('slow lock');
    logger.error('failed with postgres://app:s3cret@db/app');
    logger.debug('hidden at info level');
    expect(lines).toEqual([
      'applied 001_a\n',
      'warning: slow lock\n',
      'error: failed with postgres://app:***@db/app\n',
    ]);
  });
});

describe('routeWarnings', () => {
  it("turns a process warning (a dependency's notice) into one log line, and puts Node's printer back on release", () => {
    const lines: string[] = [];
    const logger = createLogger({
      format: 'json',
      level: 'info',
      stream: { write: (chunk: string) => lines.push(chunk) },
    });
    const before = process.listeners('warning');
    const routed = routeWarnings(logger);
    try {
      expect(process.listeners('warning')).toHaveLength(1);
      // What process.emitWarning() emits on the next tick (jest's sandboxed process does not relay it).
      const warning = Object.assign(new Error('SECURITY WARNING: first line\nsecond line'), { name: 'Warning' });
      process.emit('warning', warning);
    } finally {
      routed.release();
    }
    expect(process.listeners('warning')).toEqual(before);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ level: 40, warning: 'Warning', msg: 'SECURITY WARNING: first line\nsecond line' }),
    ]);
  });
});
