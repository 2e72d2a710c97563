/** Reading the config file: which file, a missing one, invalid JSON with its position. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { findConfigFile, loadConfigFile } from '../../lib/config';
import { ConfigError } from '../../lib/errors';
import { removeDir, tempDir } from '../helpers/files';

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => removeDir(dir));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

function thrown(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('no ConfigError');
}

describe('loadConfigFile', () => {
  it('parses the file and keeps its path as named', () => {
    const file = write('a.json', '{"schema": "ops"}');
    expect(loadConfigFile(file)).toEqual({ path: file, content: { schema: 'ops' } });
  });

  it('ignores a UTF-8 byte order mark', () => {
    const file = write('bom.json', '\ufeff{"schema": "ops"}');
    expect(loadConfigFile(file).content).toEqual({ schema: 'ops' });
  });

  it('reports a missing file, naming it and what named it', () => {
    const file = path.join(dir, 'missing.json');
    const err = thrown(() => loadConfigFile(file, '--config'));
    expect(err).toMatchObject({ code: 'config', exitCode: 2, facts: { file } });
    expect(err.message).toContain(file);
    expect(err.message).toContain('--config');
    expect(err.message).toContain('does not exist');
  });

  it('reports a directory', () => {
    expect(thrown(() => loadConfigFile(dir)).message).toContain('is a directory');
  });

  it('reports invalid JSON with the file, line and column, without quoting the text', () => {
    const file = write('bad.json', '{\n  "url": "postgres://app:s3cretpw@db/app",\n  "lockWait": 5,\n}\n');
    const err = thrown(() => loadConfigFile(file));
    expect(err.facts).toEqual({ file, line: 4, column: 1 });
    expect(err.message).toContain(`${file}:4:1`);
    expect(err.message).not.toContain('s3cretpw');
  });
});

describe('findConfigFile', () => {
  const cwd = process.cwd();
  afterEach(() => process.chdir(cwd));

  it('prefers --config to $TIDEMARK_CONFIG, and that to ./tidemark.config.json', () => {
    const flag = write('flag.json', '{"table": "flag"}');
    const env = write('env.json', '{"table": "env"}');
    write('tidemark.config.json', '{"table": "default"}');
    process.chdir(dir);
    expect(findConfigFile({ flag, env: { TIDEMARK_CONFIG: env }, useDefault: true })?.content).toEqual({
      table: 'flag',
    });
    expect(findConfigFile({ env: { TIDEMARK_CONFIG: env }, useDefault: true })?.content).toEqual({ table: 'env' });
    expect(findConfigFile({ env: { TIDEMARK_CONFIG: '' }, useDefault: true })).toEqual({
      path: 'tidemark.config.json',
      content: { table: 'default' },
    });
    expect(findConfigFile({ env: {}, useDefault: false })).toBeUndefined();
  });

  it('is fine without a default file, but not with a named file that is missing', () => {
    process.chdir(dir);
    expect(findConfigFile({ env: {}, useDefault: true })).toBeUndefined();
    expect(thrown(() => findConfigFile({ flag: 'nope.json', env: {}, useDefault: true })).facts).toEqual({
      file: 'nope.json',
    });
    expect(thrown(() => findConfigFile({ env: { TIDEMARK_CONFIG: 'nope.json' }, useDefault: true })).message).toContain(
      '$TIDEMARK_CONFIG',
    );
    expect(thrown(() => findConfigFile({ flag: ' ', env: {}, useDefault: true })).message).toContain('--config');
  });
});
