import { parseTargetLines, parseTargetsFile, targetsOfRows, urlOfTarget } from '../../../lib/fleet/targets';

describe('targets file', () => {
  test('entries with url, {"env"}, schema and labels', () => {
    const list = parseTargetsFile(
      JSON.stringify([
        { name: 'a', url: 'postgres://u:secret@db1:5433/a', labels: { tier: 'canary', n: 1 } },
        { name: 'b', url: { env: 'B_URL' }, schema: 'tenant_b' },
      ]),
      'targets.json',
    );
    expect(list).toEqual([
      {
        name: 'a',
        url: 'postgres://u:secret@db1:5433/a',
        labels: { tier: 'canary', n: '1' },
        origin: 'targets.json entry 1',
      },
      { name: 'b', urlEnv: 'B_URL', schema: 'tenant_b', labels: {}, origin: 'targets.json entry 2' },
    ]);
    expect(urlOfTarget(list[1], { B_URL: 'postgres://x@h/b' })).toBe('postgres://x@h/b');
    expect(() => urlOfTarget(list[1], {})).toThrow(
      'targets.json entry 2 ("b"): url names the environment variable B_URL, which is not set.',
    );
  });

  test('clear errors naming the file and the entry, never echoing a url', () => {
    const bad = (entries: unknown) => () => parseTargetsFile(JSON.stringify(entries), 't.json');
    expect(bad([{ name: 'a' }, { name: 'a' }])).toThrow(
      't.json entry 2: the name "a" is already used by t.json entry 1; every target needs its own name.',
    );
    expect(bad([{ name: 'a', schema: 'pg_temp' }])).toThrow(
      /t\.json entry 1 \("a"\): schema "pg_temp" is a system schema/,
    );
    expect(bad([{ name: 'a', shema: 'x' }])).toThrow(
      't.json entry 1: unknown key "shema"; a target has name, url, schema and labels.',
    );
    expect(bad([{ schema: 'x' }])).toThrow('t.json entry 1: "name" must be a non-empty string (got nothing).');
    expect(bad([{ name: 'a', url: 5 }])).toThrow(/url must be a connection string or \{"env": "VARIABLE_NAME"\}/);
    expect(bad([{ name: 'a', labels: ['x'] }])).toThrow(/labels must be an object of strings/);
    expect(bad({ name: 'a' })).toThrow(/t\.json must hold a JSON array of targets/);
    expect(bad([])).toThrow('t.json lists no targets.');
    expect(() => parseTargetsFile('[{"name": "a", "url": "postgres://u:hunter2@h/db",}]', 't.json')).toThrow(
      /^t\.json:1:\d+: not valid JSON/,
    );
    try {
      parseTargetsFile('[{"name": "a", "url": "postgres://u:hunter2@h/db",}]', 't.json');
    } catch (e) {
      expect((e as Error).message).not.toContain('hunter2');
    }
  });

  test('JSON lines and query rows', () => {
    expect(parseTargetsFile('{"name":"a"}\n{"name":"b"}\n', 't.json').map((t) => [t.name, t.origin])).toEqual([
      ['a', 't.json line 1'],
      ['b', 't.json line 2'],
    ]);
    expect(
      parseTargetLines('{"name":"a","schema":"a"}\n\n{"name":"b"}\n', 'cmd').map((t) => [t.name, t.origin]),
    ).toEqual([
      ['a', 'cmd line 1'],
      ['b', 'cmd line 3'],
    ]);
    expect(() => parseTargetLines('{"name":"a"}\nnope', 'cmd')).toThrow(/^cmd line 2 is not a JSON object/);
    const rows = targetsOfRows([{ name: 'a', url: null, schema: 's', labels: '{"tier":"x"}' }], 'q');
    expect(rows).toEqual([{ name: 'a', schema: 's', labels: { tier: 'x' }, origin: 'q row 1' }]);
    expect(() => targetsOfRows([{ id: 1 }], 'q')).toThrow(/q must return a "name" column/);
  });
});
