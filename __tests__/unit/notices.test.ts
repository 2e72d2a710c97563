/**
 * A server notice → its log line: level by severity, the migration, and the
 * line where it is known (a position, or the no-transaction statement).
 */
import { describeNotice, levelOf } from '../../lib/db/notices';
import { splitStatements } from '../../lib/sql/lexer';
import { pair } from '../helpers/pairs';

const up = 'CREATE TABLE a (i int);\nSELECT 1 AS\n  x;\n';
const step = { direction: 'up' as const, pair: pair(7, 'seven', { up }) };

describe('levelOf', () => {
  it.each([
    ['DEBUG', '00000', 'debug'],
    ['LOG', '00000', 'debug'],
    ['INFO', '00000', 'info'],
    ['NOTICE', '00000', 'info'],
    ['WARNING', '01000', 'warn'],
    ['WARNUNG', '01000', 'warn'], // lc_messages = de: the SQLSTATE decides
    ['HINWEIS', '00000', 'info'],
  ])('%s (%s) is %s', (severity, code, level) => {
    expect(levelOf({ severity, code })).toBe(level);
  });
});

describe('describeNotice', () => {
  it('a notice of a transactional script with a position: its line and column in the file', () => {
    const d = describeNotice(
      { severity: 'NOTICE', code: '42622', message: 'identifier will be truncated', position: '36' },
      { step, statement: null },
    );
    expect(d.level).toBe('info');
    expect(d.msg).toBe('007_seven.up.sql:2: NOTICE: identifier will be truncated');
    expect(d.fields).toMatchObject({
      version: '7',
      name: 'seven',
      direction: 'up',
      file: '007_seven.up.sql',
      line: 2,
      column: 12,
      severity: 'NOTICE',
      sqlstate: '42622',
    });
  });

  it("without a position: no line for a transactional script, the statement's line for a no-transaction one", () => {
    expect(
      describeNotice({ severity: 'WARNING', code: '01000', message: 'careful' }, { step, statement: null }).msg,
    ).toBe('007_seven.up.sql: WARNING: careful');
    const [, second] = splitStatements(up);
    const d = describeNotice(
      {
        severity: 'WARNING',
        code: '25001',
        message: 'there is already a transaction in progress',
        detail: 'd',
        hint: 'h',
      },
      { step, statement: second },
    );
    expect(d.msg).toBe('007_seven.up.sql:2: WARNING: there is already a transaction in progress DETAIL: d HINT: h');
    expect(d.fields).toMatchObject({ line: 2, column: null, detail: 'd', hint: 'h' });
  });

  it('a position in a no-transaction statement counts from the statement', () => {
    const [, second] = splitStatements(up);
    expect(
      describeNotice({ severity: 'NOTICE', message: 'm', position: '3' }, { step, statement: second }).fields,
    ).toMatchObject({ line: 2, column: 3 });
    expect(
      describeNotice({ severity: 'NOTICE', message: 'm', position: '15' }, { step, statement: second }).fields,
    ).toMatchObject({ line: 3, column: 3 });
  });

  it('outside a migration: the notice alone', () => {
    expect(
      describeNotice(
        { severity: 'NOTICE', message: 'relation already exists, skipping' },
        { step: null, statement: null },
      ).msg,
    ).toBe('server NOTICE: relation already exists, skipping');
  });
});
