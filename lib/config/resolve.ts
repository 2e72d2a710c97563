/**
 * Configuration: flags > TIDEMARK_* variables > DATABASE_URL / libpq PG*
 * variables > config file (environment section, then top level) > defaults
 * → Config, with where each value came from. Pure: the environment and the
 * config file's parsed content are passed in (file-reader.ts reads it).
 */
import { ConfigError } from '../errors';
import {
  checkConfigFile,
  type CheckedConfigFile,
  type ConfigFile,
  type FileLayer,
  type FileValue,
} from './file-schema';
import { mergeLintSections, NO_LINT_SETTINGS, type LintSettings } from './lint-section';
import { LIBPQ_VARIABLES, SETTINGS, type Config, type ConfigKey } from './settings';

export type ConfigSource = 'flag' | 'env' | 'file' | 'default';

/** Where one setting's value came from. */
export interface SettingSource {
  readonly source: ConfigSource;
  /** The flag (`--url`), the variable(s) (`DATABASE_URL`; `PGHOST, PGPORT`) or the config file. */
  readonly name?: string;
  /** In a config file: the key path, e.g. `environments.production.url`. */
  readonly key?: string;
  /** In a config file: the variable a `{"env": "…"}` value was read from. */
  readonly variable?: string;
}

export type ConfigFlags = { readonly [K in ConfigKey]?: string | number };

export interface ResolvedConfig {
  readonly config: Config;
  /** Where each setting came from, for `tidemark config` and error messages. */
  readonly sources: Readonly<Record<ConfigKey, SettingSource>>;
  /** The config file that was read, and its environment section in use (null: top level only). */
  readonly file: { readonly path: string; readonly section: string | null } | null;
  /** The config file's `lint` section in effect (the environment's over the top level's). */
  readonly lint: LintSettings;
}

interface Resolved {
  readonly value: Config[ConfigKey] | undefined;
  readonly source: SettingSource;
}

const isSet = (env: NodeJS.ProcessEnv, name: string) => env[name] !== undefined && env[name] !== '';

function fromFlagOrEnv(key: ConfigKey, flags: ConfigFlags, env: NodeJS.ProcessEnv): Resolved | undefined {
  const setting = SETTINGS[key];
  const flagValue = flags[key];
  if (flagValue !== undefined)
    return { value: setting.parse(String(flagValue), setting.flag), source: { source: 'flag', name: setting.flag } };
  const envName = setting.env.find((name) => isSet(env, name));
  if (envName !== undefined)
    return { value: setting.parse(env[envName] as string, `$${envName}`), source: { source: 'env', name: envName } };
  if (key !== 'url') return undefined;
  const libpq = LIBPQ_VARIABLES.filter((name) => isSet(env, name));
  return libpq.length > 0 ? { value: undefined, source: { source: 'env', name: libpq.join(', ') } } : undefined;
}

function fromFile(
  key: ConfigKey,
  layers: readonly FileLayer[],
  path: string,
  env: NodeJS.ProcessEnv,
): Resolved | undefined {
  const found: FileValue | undefined = layers.map((layer) => layer[key]).find((v) => v !== undefined);
  if (found === undefined) return undefined;
  const source: SettingSource = {
    source: 'file',
    name: path,
    key: found.key,
    ...(found.variable ? { variable: found.variable } : {}),
  };
  if (found.variable === undefined) return { value: found.value, source };
  if (!isSet(env, found.variable)) {
    throw new ConfigError(
      `${found.key} in ${path} reads the URL from the environment variable ${found.variable}, which is not set. Set it, or pass --url.`,
      { file: path, key: found.key, variable: found.variable },
    );
  }
  return {
    value: SETTINGS[key].parse(env[found.variable] as string, `$${found.variable} (named by ${found.key} in ${path})`),
    source,
  };
}

/** The environment's section of the file, if it has one; an explicitly chosen environment must exist. */
function sectionOf(file: CheckedConfigFile, name: string, chosen: SettingSource): FileLayer | null {
  if (file.environments === null) return null;
  const section = file.environments.get(name);
  if (section !== undefined) return section;
  if (chosen.source === 'default') return null;
  const defined = [...file.environments.keys()];
  throw new ConfigError(
    `${file.path} has no environment "${name}" (chosen by ${chosen.source === 'flag' ? chosen.name : `$${chosen.name}`}). ` +
      (defined.length > 0 ? `It defines: ${defined.join(', ')}.` : 'Its "environments" is empty.'),
    { file: file.path, key: `environments.${name}` },
  );
}

/**
 * Resolves every setting: flags, then TIDEMARK_* variables, then
 * DATABASE_URL / PG* (url only), then the config file's section for the
 * environment, then its top level, then defaults.
 * @param file the config file's path and parsed JSON, if one was read.
 * @throws ConfigError naming the flag, variable, or file and key with a bad
 *   value; an explicitly chosen environment the file does not define; a
 *   `{"env": …}` URL whose variable is not set (only when that URL is used).
 */
export function resolveConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv, file?: ConfigFile): ResolvedConfig {
  const checked = file === undefined ? null : checkConfigFile(file);
  const environment = fromFlagOrEnv('environment', flags, env) ?? {
    value: SETTINGS.environment.fallback,
    source: { source: 'default' },
  };
  const section = checked === null ? null : sectionOf(checked, environment.value as string, environment.source);
  const layers = checked === null ? [] : [...(section ? [section] : []), checked.top];
  const config: Record<string, unknown> = {};
  const sources: Record<string, SettingSource> = {};
  for (const key of Object.keys(SETTINGS) as ConfigKey[]) {
    const resolved = (key === 'environment' ? environment : fromFlagOrEnv(key, flags, env)) ??
      (checked === null ? undefined : fromFile(key, layers, checked.path, env)) ?? {
        value: SETTINGS[key].fallback,
        source: { source: 'default' },
      };
    if (resolved.value !== undefined) config[key] = resolved.value;
    sources[key] = resolved.source;
  }
  const sectionName = section === null ? undefined : (environment.value as string);
  return {
    config: config as unknown as Config,
    sources: sources as Record<ConfigKey, SettingSource>,
    lint:
      checked === null
        ? NO_LINT_SETTINGS
        : mergeLintSections([
            sectionName === undefined ? undefined : checked.lint.environments.get(sectionName),
            checked.lint.top,
          ]),
    file:
      checked === null
        ? null
        : { path: checked.path, section: section === null ? null : (environment.value as string) },
  };
}
