/**
 * The config file's "lint" section and the pgVersion setting in resolveConfig:
 * an environment's rules merge over the top level's, rule by rule; the
 * shape is checked on every run, naming the file and the key.
 */
import { resolveConfig } from '../../lib/config';

const FILE = 'tidemark.config.json';
const file = (content: unknown) => ({ path: FILE, content });

test('an environment merges its lint rules over the top level and its inVerify wins', () => {
  const content = {
    lint: { rules: { a: 'warning', b: 'off' }, inVerify: false },
    environments: { ci: { lint: { rules: { b: 'error' }, inVerify: true } }, dev: {} },
  };
  expect(resolveConfig({ environment: 'ci' }, {}, file(content)).lint).toEqual({
    rules: { a: 'warning', b: 'error' },
    inVerify: true,
    origins: {
      a: { file: FILE, key: 'lint.rules.a' },
      b: { file: FILE, key: 'environments.ci.lint.rules.b' },
    },
  });
  expect(resolveConfig({ environment: 'dev' }, {}, file(content)).lint).toMatchObject({
    rules: { a: 'warning', b: 'off' },
    inVerify: false,
  });
  expect(resolveConfig({}, {}).lint).toEqual({ rules: {}, inVerify: false, origins: {} });
});

test('a bad lint section in any environment is refused, naming the key', () => {
  const content = { environments: { prod: { lint: { rules: { a: 'never' } } } } };
  expect(() => resolveConfig({}, {}, file(content))).toThrow(
    'tidemark.config.json: environments.prod.lint.rules.a: must be one of "error", "warning", "info", "off", "on" (got "never").',
  );
});

test('pgVersion: flag > TIDEMARK_PG_VERSION > file; unset by default', () => {
  expect(resolveConfig({}, {}).config.pgVersion).toBeUndefined();
  expect(resolveConfig({}, {}, file({ pgVersion: 13 })).config.pgVersion).toBe(13);
  expect(resolveConfig({}, { TIDEMARK_PG_VERSION: '14' }, file({ pgVersion: 13 })).config.pgVersion).toBe(14);
  expect(resolveConfig({ pgVersion: '16' }, { TIDEMARK_PG_VERSION: '14' }).config.pgVersion).toBe(16);
  expect(() => resolveConfig({}, {}, file({ pgVersion: '13' }))).toThrow(
    'pgVersion in tidemark.config.json must be a number',
  );
  expect(() => resolveConfig({ pgVersion: '8' }, {})).toThrow('--pg-version must be a PostgreSQL major version');
});
