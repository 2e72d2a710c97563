import { findJsonSyntaxError } from '../../lib/config/json-position';

describe('findJsonSyntaxError', () => {
  it.each([
    '{}',
    '[]',
    '{"a": 1, "b": [true, false, null, -1.5e3, "x\\n\\u00e9"]}',
    ' \n{"a": {"b": {}}}\n',
    '"s"',
    '0',
  ])('accepts %j', (text) => {
    expect(() => JSON.parse(text)).not.toThrow();
    expect(findJsonSyntaxError(text)).toBeNull();
  });

  it.each([
    ['{"a": }', 1, 7, 'unexpected "}"'],
    ['{\n  "a": 1,\n}', 3, 1, 'trailing comma'],
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3, 'expected "," or "}"'],
    ['[1, 2,]', 1, 7, 'trailing comma'],
    ['{"a" 1}', 1, 6, 'expected ":"'],
    ["{'a': 1}", 1, 2, 'property name in double quotes'],
    ['{a: 1}', 1, 2, 'property name in double quotes'],
    ['{"a": "x', 1, 9, 'unterminated string'],
    ['{"a": "x\n"}', 1, 9, 'unterminated string'],
    ['{"a": 01}', 1, 7, 'invalid number'],
    ['{"a": tru}', 1, 7, 'expected a value'],
    ['{"a": 1} x', 1, 10, 'after the end'],
    ['', 1, 1, 'end of the file'],
    ['{"a": "\\x"}', 1, 8, 'invalid escape'],
    ['{"a": 1 // note\n}', 1, 9, 'expected "," or "}"'],
    ['{\n  "url": "postgres://u:pw@db/app",\n  "lockWait": \n}', 4, 1, 'expected a value'],
  ])('finds the mistake in %j at %i:%i', (text, line, column, problem) => {
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    const found = findJsonSyntaxError(text);
    expect(found).toMatchObject({ line, column });
    expect(found?.problem).toContain(problem);
  });

  it('never quotes the text in the problem', () => {
    expect(findJsonSyntaxError('{"url": "postgres://u:s3cretpw@db/app" "x": 1}')?.problem).not.toContain('s3cretpw');
  });
});
