/**
 * Finding and reading the config file: the I/O half of configuration.
 * `resolveConfig` (pure) gets what this returns.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ConfigError } from '../errors';
import type { ConfigFile } from './file-schema';
import { findJsonSyntaxError } from './json-position';
import { CONFIG_FILE } from './settings';

/** Why a file could not be read, as a sentence ends: "does not exist", "is a directory", … */
export function whyUnreadable(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'does not exist';
  if (code === 'EISDIR') return 'is a directory';
  return `cannot be read (${code ?? String(err)})`;
}

/**
 * Reads and parses one config file (a UTF-8 BOM is ignored).
 * @param file path as the user named it; relative paths are relative to the current directory.
 * @param namedBy what named the file (`--config`, `$TIDEMARK_CONFIG`), for the message.
 * @throws ConfigError when it does not exist, cannot be read, or is not valid
 *   JSON (with the line and column of the first mistake).
 */
export function loadConfigFile(file: string, namedBy?: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`Config file ${file}${namedBy ? ` (named by ${namedBy})` : ''} ${whyUnreadable(err)}.`, {
      file,
    });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return { path: file, content: JSON.parse(text) };
  } catch {
    // Not JSON.parse's message: Node 20 often gives no position, and it quotes the text, which may hold a password.
    const at = findJsonSyntaxError(text);
    if (at === null) throw new ConfigError(`${file} is not valid JSON.`, { file });
    throw new ConfigError(`${file}:${at.line}:${at.column}: not valid JSON: ${at.problem}.`, {
      file,
      line: at.line,
      column: at.column,
    });
  }
}

export interface FindOptions {
  /** The `--config` flag's value. */
  readonly flag?: string;
  readonly env: NodeJS.ProcessEnv;
  /** Also read ./tidemark.config.json when nothing names a file (the CLI does; the library does not). */
  readonly useDefault: boolean;
}

/**
 * The config file in effect: `--config`, else `$TIDEMARK_CONFIG`, else
 * `./tidemark.config.json` if it exists; undefined when there is none.
 * @throws ConfigError when a named file is missing or invalid (see loadConfigFile).
 */
export function findConfigFile({ flag, env, useDefault }: FindOptions): ConfigFile | undefined {
  const { flag: name, fallback } = CONFIG_FILE;
  const [variable] = CONFIG_FILE.env;
  if (flag !== undefined) {
    if (flag.trim() === '') throw new ConfigError(`${name} is empty; name a config file, e.g. ${name} ${fallback}.`);
    return loadConfigFile(flag, name);
  }
  const fromEnv = env[variable];
  if (fromEnv !== undefined && fromEnv !== '') return loadConfigFile(fromEnv, `$${variable}`);
  return useDefault && existsSync(fallback) ? loadConfigFile(fallback) : undefined;
}
