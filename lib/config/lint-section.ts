/**
 * The config file's `"lint"` section: per-rule settings and whether
 * `verify` lints too.
 *
 * ```json
 * "lint": { "rules": { "require-concurrent-index": "warning", "prefer-text": "on" }, "inVerify": true }
 * ```
 *
 * Allowed at the top level and in an environment (whose `rules` are merged
 * over the top level's, rule by rule, and whose `inVerify` wins). The shape
 * is checked here with the rest of the file; whether a rule id exists is
 * checked by `lint` itself, which knows the rules (config/ does not load
 * them, so that no other command pays for them). Pure.
 */
import { ConfigError } from '../errors';

/** A rule's setting: a severity, `off`, or `on` (a rule that is off by default, at its own severity). */
export type RuleSetting = 'error' | 'warning' | 'info' | 'off' | 'on';

export const RULE_SETTINGS: readonly RuleSetting[] = ['error', 'warning', 'info', 'off', 'on'];

/** The `lint` settings in effect. */
export interface LintSettings {
  /** By rule id. */
  readonly rules: Readonly<Record<string, RuleSetting>>;
  /** `verify` lints the pending migrations too. */
  readonly inVerify: boolean;
  /** Where each rule's setting was read, for messages: `lint.rules.x in tidemark.config.json`. */
  readonly origins: Readonly<Record<string, { readonly file: string; readonly key: string }>>;
}

/** One `lint` object of the file, checked. */
export interface LintSection {
  readonly rules: Readonly<Record<string, RuleSetting>>;
  readonly inVerify?: boolean;
  readonly origins: LintSettings['origins'];
}

export const NO_LINT_SETTINGS: LintSettings = { rules: {}, inVerify: false, origins: {} };

const KEYS = ['rules', 'inVerify'];
const RULE_ID = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const shown = (v: unknown) => (isObject(v) ? 'an object' : Array.isArray(v) ? 'an array' : JSON.stringify(v));

/**
 * Checks the `lint` object at `keyPath` (`lint`, `environments.ci.lint`) of `file`.
 * @throws ConfigError naming the file and the key.
 */
export function checkLintSection(raw: unknown, keyPath: string, file: string): LintSection {
  const fail = (key: string, message: string) => new ConfigError(`${file}: ${key}: ${message}`, { file, key });
  if (!isObject(raw))
    throw fail(
      keyPath,
      `must be an object such as {"rules": {"RULE-ID": "warning"}, "inVerify": true} (got ${shown(raw)}).`,
    );
  for (const name of Object.keys(raw))
    if (!KEYS.includes(name)) throw fail(`${keyPath}.${name}`, `unknown key. Known keys here: ${KEYS.join(', ')}.`);
  const inVerify = raw.inVerify;
  if (inVerify !== undefined && typeof inVerify !== 'boolean')
    throw fail(`${keyPath}.inVerify`, `must be true or false (got ${shown(inVerify)}).`);
  const rules: Record<string, RuleSetting> = {};
  const origins: Record<string, { file: string; key: string }> = {};
  if (raw.rules !== undefined) {
    if (!isObject(raw.rules))
      throw fail(`${keyPath}.rules`, `must be an object of rule ids and settings (got ${shown(raw.rules)}).`);
    for (const [id, setting] of Object.entries(raw.rules)) {
      const key = `${keyPath}.rules.${id}`;
      if (!RULE_ID.test(id)) throw fail(key, 'a rule id is kebab-case, such as "require-concurrent-index".');
      if (typeof setting !== 'string' || !(RULE_SETTINGS as string[]).includes(setting))
        throw fail(key, `must be one of ${RULE_SETTINGS.map((s) => `"${s}"`).join(', ')} (got ${shown(setting)}).`);
      rules[id] = setting as RuleSetting;
      origins[id] = { file, key };
    }
  }
  return { rules, ...(inVerify === undefined ? {} : { inVerify }), origins };
}

/** The settings in effect: the environment's section over the top level's. */
export function mergeLintSections(sections: readonly (LintSection | undefined)[]): LintSettings {
  const present = sections.filter((s): s is LintSection => s !== undefined);
  // `sections` is ordered most specific first; apply the least specific first.
  const ordered = [...present].reverse();
  return {
    rules: Object.assign({}, ...ordered.map((s) => s.rules)),
    inVerify: present.find((s) => s.inVerify !== undefined)?.inVerify ?? false,
    origins: Object.assign({}, ...ordered.map((s) => s.origins)),
  };
}
