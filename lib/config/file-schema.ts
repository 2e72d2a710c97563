/**
 * The config file's shape: shared settings at the top level and named
 * environments under "environments", with camelCase keys as in `Config`.
 * Checks the whole file at once (every environment, not only the one in
 * use), so a typo in "production" fails in development and in CI. Pure.
 */
import path from 'node:path';
import { ConfigError } from '../errors';
import { checkLintSection, type LintSection } from './lint-section';
import { SETTINGS, type Config, type ConfigKey, type FileType, type Setting } from './settings';

/** A config file: its path as the user named it, and its parsed JSON. */
export interface ConfigFile {
  readonly path: string;
  readonly content: unknown;
}

/** One value in the file: parsed, or (for a URL) the variable to read it from when it is used. */
export interface FileValue {
  /** Key path in the file: `url`, `environments.production.url`. */
  readonly key: string;
  readonly value?: Config[ConfigKey];
  readonly variable?: string;
}

export type FileLayer = Readonly<Partial<Record<ConfigKey, FileValue>>>;

export interface CheckedConfigFile {
  readonly path: string;
  readonly top: FileLayer;
  /** null when the file has no "environments" key. */
  readonly environments: ReadonlyMap<string, FileLayer> | null;
  /** The `lint` sections: the top level's, and each environment's (lint-section.ts). */
  readonly lint: { readonly top?: LintSection; readonly environments: ReadonlyMap<string, LintSection> };
}

const ENVIRONMENTS = 'environments';
/** A section of its own, checked by lint-section.ts. */
const LINT = 'lint';
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What a value of each type must be, for the message when it is not. */
const EXPECTED: Record<FileType, string> = {
  string: 'a string',
  path: 'a string',
  duration: 'a duration string such as "5s"',
  number: 'a number, written without quotes',
  url: 'a URL string or {"env": "VARIABLE_NAME"}',
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  return `the ${typeof v} ${JSON.stringify(v)}`;
}

const squash = (name: string) => name.toLowerCase().replace(/[-_]/g, '');

function unknownKey(file: string, keyPath: string, name: string, known: readonly string[]): ConfigError {
  const near = known.find((k) => squash(k) === squash(name));
  const hint =
    name === 'environment'
      ? ' Choose the environment with --env or TIDEMARK_ENV; define environments under "environments".'
      : near
        ? ` Did you mean "${near}"? Keys are camelCase.`
        : '';
  return new ConfigError(`${file}: unknown key "${keyPath}".${hint} Known keys here: ${known.join(', ')}.`, {
    file,
    key: keyPath,
  });
}

function checkValue(setting: Setting, raw: unknown, keyPath: string, file: string): FileValue {
  const origin = `${keyPath} in ${file}`;
  const facts = { file, key: keyPath };
  if (setting.json === 'url' && isObject(raw)) {
    const names = Object.keys(raw);
    if (names.length !== 1 || names[0] !== 'env' || typeof raw.env !== 'string' || !VARIABLE.test(raw.env)) {
      const got =
        names.length === 1 && names[0] === 'env'
          ? `${describe(raw.env)} for "env"`
          : `the keys ${names.join(', ') || '(none)'}`;
      throw new ConfigError(`${origin} must be ${EXPECTED.url} (got ${got}).`, facts);
    }
    return { key: keyPath, variable: raw.env };
  }
  const expected = setting.json === 'number' ? 'number' : 'string';
  if (typeof raw !== expected) {
    throw new ConfigError(`${origin} must be ${EXPECTED[setting.json ?? 'string']} (got ${describe(raw)}).`, facts);
  }
  let value: Config[ConfigKey];
  try {
    value = setting.parse(String(raw), origin);
  } catch (err) {
    throw err instanceof ConfigError ? new ConfigError(err.message, facts) : err;
  }
  // A relative path is relative to the file, like paths in tsconfig.json.
  if (setting.json === 'path' && !path.isAbsolute(value as string))
    value = path.join(path.dirname(file), value as string);
  return { key: keyPath, value };
}

/** The keys a file may set. */
const ALLOWED = (Object.keys(SETTINGS) as ConfigKey[]).filter((k) => SETTINGS[k].json !== undefined);

function checkLayer(obj: Record<string, unknown>, prefix: string, file: string, top: boolean): FileLayer {
  const layer: Partial<Record<ConfigKey, FileValue>> = {};
  for (const [name, raw] of Object.entries(obj)) {
    if ((top && name === ENVIRONMENTS) || name === LINT) continue;
    if (!(ALLOWED as string[]).includes(name))
      throw unknownKey(file, `${prefix}${name}`, name, top ? [...ALLOWED, LINT, ENVIRONMENTS] : [...ALLOWED, LINT]);
    const key = name as ConfigKey;
    layer[key] = checkValue(SETTINGS[key], raw, `${prefix}${name}`, file);
  }
  return layer;
}

function checkEnvironments(raw: unknown, file: string): Map<string, FileLayer> {
  if (!isObject(raw))
    throw new ConfigError(
      `${ENVIRONMENTS} in ${file} must be an object of named environments (got ${describe(raw)}).`,
      { file, key: ENVIRONMENTS },
    );
  const environments = new Map<string, FileLayer>();
  for (const [name, section] of Object.entries(raw)) {
    const key = `${ENVIRONMENTS}.${name}`;
    if (!isObject(section))
      throw new ConfigError(`${key} in ${file} must be an object of settings (got ${describe(section)}).`, {
        file,
        key,
      });
    environments.set(name, checkLayer(section, `${key}.`, file, false));
  }
  return environments;
}

/**
 * Checks a parsed config file against the SETTINGS table.
 * @throws ConfigError naming the file and the key: an unknown key, a value
 *   of the wrong JSON type, an invalid value, a malformed "environments".
 */
export function checkConfigFile(file: ConfigFile): CheckedConfigFile {
  const { content } = file;
  if (!isObject(content))
    throw new ConfigError(`${file.path} must hold a JSON object of settings (got ${describe(content)}).`, {
      file: file.path,
    });
  const environments = Object.hasOwn(content, ENVIRONMENTS)
    ? checkEnvironments(content[ENVIRONMENTS], file.path)
    : null;
  return {
    path: file.path,
    top: checkLayer(content, '', file.path, true),
    environments,
    lint: lintSections(
      content,
      environments === null ? {} : (content[ENVIRONMENTS] as Record<string, unknown>),
      file.path,
    ),
  };
}

function lintSections(
  top: Record<string, unknown>,
  environments: Record<string, unknown>,
  file: string,
): CheckedConfigFile['lint'] {
  const lint = new Map<string, LintSection>();
  for (const [name, section] of Object.entries(environments)) {
    const raw = (section as Record<string, unknown>)[LINT];
    if (raw !== undefined) lint.set(name, checkLintSection(raw, `${ENVIRONMENTS}.${name}.${LINT}`, file));
  }
  return {
    ...(top[LINT] === undefined ? {} : { top: checkLintSection(top[LINT], LINT, file) }),
    environments: lint,
  };
}
