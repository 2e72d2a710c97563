/**
 * Target lists: the entries of a targets file (`--targets targets.json`, a
 * JSON array), the JSON lines of `--targets-cmd`, the rows of
 * `--targets-query`, all checked the same way, every problem naming where
 * the entry came from. Pure: the callers read the file, run the command or
 * the query.
 */
import { findJsonSyntaxError } from '../config/json-position';
import { connectionString, schemaName } from '../config/parsers';
import { ConfigError } from '../errors';
import type { FleetTarget } from './types';

const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KEYS = new Set(['name', 'url', 'schema', 'labels']);

const describe = (v: unknown): string =>
  v === undefined
    ? 'nothing'
    : v === null
      ? 'null'
      : Array.isArray(v)
        ? 'an array'
        : typeof v === 'object'
          ? 'an object'
          : `a ${typeof v}`;

/** `{"env": "VAR"}` or a connection string, checked (never echoed: it may hold a password). */
function urlOf(raw: unknown, origin: string): Pick<FleetTarget, 'url' | 'urlEnv'> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw === 'string') return { url: connectionString(raw, `${origin}: url`) };
  if (typeof raw === 'object' && !Array.isArray(raw)) {
    const keys = Object.keys(raw);
    const env = (raw as { env?: unknown }).env;
    if (keys.length === 1 && typeof env === 'string' && VARIABLE.test(env)) return { urlEnv: env };
  }
  throw new ConfigError(
    `${origin}: url must be a connection string or {"env": "VARIABLE_NAME"} (got ${describe(raw)}).`,
  );
}

function labelsOf(raw: unknown, origin: string): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError(
      `${origin}: labels must be an object of strings, e.g. {"tier": "canary"} (got ${describe(raw)}).`,
    );
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
      throw new ConfigError(`${origin}: label "${key}" must be a string (got ${describe(value)}).`);
    labels[key] = String(value);
  }
  return labels;
}

/**
 * One entry, checked: an object with a non-empty `name`, an optional `url`
 * (string or `{"env": …}`), `schema` (a schema the ledger may live in) and
 * `labels`. Unknown keys are refused (a typo such as "shema" would
 * otherwise migrate the wrong schema).
 * @throws ConfigError naming `origin` (exit 2).
 */
export function targetOf(raw: unknown, origin: string): FleetTarget {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError(
      `${origin}: a target must be an object {"name", "url", "schema", "labels"} (got ${describe(raw)}).`,
    );
  const entry = raw as Record<string, unknown>;
  const unknown = Object.keys(entry).filter((k) => !KEYS.has(k));
  if (unknown.length > 0)
    throw new ConfigError(
      `${origin}: unknown key ${unknown.map((k) => `"${k}"`).join(', ')}; a target has name, url, schema and labels.`,
    );
  const { name, schema } = entry;
  if (typeof name !== 'string' || name.trim() === '')
    throw new ConfigError(`${origin}: "name" must be a non-empty string (got ${describe(name)}).`);
  const at = `${origin} ("${name}")`;
  if (schema !== undefined && schema !== null && typeof schema !== 'string')
    throw new ConfigError(`${at}: schema must be a string (got ${describe(schema)}).`);
  return {
    name,
    ...urlOf(entry.url, at),
    ...(typeof schema === 'string' ? { schema: schemaName(schema, `${at}: schema`) } : {}),
    labels: labelsOf(entry.labels, at),
    origin,
  };
}

/**
 * The whole list, checked: entries as {@link targetOf}, and no name twice
 * (the name keys the run file, the shard hash and every report).
 * @throws ConfigError naming both entries of a duplicate; for an empty list.
 */
export function checkTargets(targets: readonly FleetTarget[], source: string): readonly FleetTarget[] {
  const seen = new Map<string, FleetTarget>();
  for (const t of targets) {
    const first = seen.get(t.name);
    if (first)
      throw new ConfigError(
        `${t.origin ?? source}: the name "${t.name}" is already used by ${first.origin ?? 'another target'}; every target needs its own name.`,
      );
    seen.set(t.name, t);
  }
  if (targets.length === 0) throw new ConfigError(`${source} lists no targets.`);
  return targets;
}

/**
 * A targets file's text: a JSON array of entries, or JSON lines (one entry
 * per line, as `--targets-cmd` prints them).
 * @throws ConfigError with file:line:col for bad JSON, `file entry N` for a bad entry.
 */
export function parseTargetsFile(text: string, file: string): readonly FleetTarget[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  // One object per line (what a script appends to) is a targets file too.
  if (body.trimStart().startsWith('{') && body.trim().includes('\n')) return parseTargetLines(body, file);
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    // Not JSON.parse's message: it quotes the text, which may hold a password.
    const at = findJsonSyntaxError(body);
    throw new ConfigError(
      at === null ? `${file} is not valid JSON.` : `${file}:${at.line}:${at.column}: not valid JSON: ${at.problem}.`,
      { file },
    );
  }
  if (!Array.isArray(raw))
    throw new ConfigError(
      `${file} must hold a JSON array of targets, [{"name": …, "url": …}, …] (got ${describe(raw)}).`,
      { file },
    );
  return checkTargets(
    raw.map((entry, i) => targetOf(entry, `${file} entry ${i + 1}`)),
    file,
  );
}

/**
 * JSON lines (`--targets-cmd`'s output): one entry per non-blank line.
 * @throws ConfigError naming `source line N`.
 */
export function parseTargetLines(text: string, source: string): readonly FleetTarget[] {
  const targets: FleetTarget[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new ConfigError(
        `${source} line ${i + 1} is not a JSON object (print one target per line, e.g. {"name": "acme", "schema": "acme"}).`,
      );
    }
    targets.push(targetOf(raw, `${source} line ${i + 1}`));
  });
  return checkTargets(targets, source);
}

/**
 * Rows of `--targets-query` (columns name, url, schema, labels; labels a
 * json/jsonb object or its text).
 */
export function targetsOfRows(rows: readonly Record<string, unknown>[], source: string): readonly FleetTarget[] {
  return checkTargets(
    rows.map((row, i) => {
      const origin = `${source} row ${i + 1}`;
      if (!('name' in row))
        throw new ConfigError(`${source} must return a "name" column (and url, schema, labels as needed).`);
      const picked: Record<string, unknown> = {};
      for (const key of KEYS) if (row[key] !== null && row[key] !== undefined) picked[key] = row[key];
      if (typeof picked.labels === 'string') picked.labels = parseLabelText(picked.labels, origin);
      return targetOf(picked, origin);
    }),
    source,
  );
}

function parseLabelText(text: string, origin: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ConfigError(`${origin}: labels must be a JSON object (a json or jsonb column).`);
  }
}

/**
 * The connection string a target uses: its own, the variable it names, or
 * (undefined) the base configuration's.
 * @throws ConfigError when the variable it names is not set (that target fails, exit 2).
 */
export function urlOfTarget(target: FleetTarget, env: NodeJS.ProcessEnv): string | undefined {
  if (target.urlEnv === undefined) return target.url;
  const value = env[target.urlEnv];
  if (value === undefined || value === '')
    throw new ConfigError(
      `${target.origin === undefined ? `target "${target.name}"` : `${target.origin} ("${target.name}")`}: url names the environment variable ${target.urlEnv}, which is not set.`,
      { variable: target.urlEnv },
    );
  return connectionString(value, `$${target.urlEnv} (url of target "${target.name}")`);
}
