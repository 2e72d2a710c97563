/**
 * `lint`: scan → choose the scripts (named, `--since`, pending, all) → with
 * a database, session (no lock) → read the ledger, the server's version and
 * the live facts → lint (lib/lint, loaded here and only here) → report.
 * Never writes.
 */
import type { Client } from 'pg';
import { DEFAULT_PG_VERSION, NO_LINT_SETTINGS, type LintSettings } from '../config';
import { readLedger } from '../db/ledger';
import { readLiveFacts, serverMajorVersion } from '../db/lint-facts';
import { codeFrame } from '../db/sql-position';
import { ConfigError } from '../errors';
import type { LintSource } from '../lint/engine';
import type { Finding, Rule, Severity } from '../lint/types';
import { scan } from '../source/scanner';
import { ledgerOf, type RunContext } from './context';
import {
  allUps,
  namedScripts,
  pendingUps,
  runOrder,
  upsSince,
  type SelectedScript,
  type Selection,
} from './lint-select';
import { relationsNamed } from './lint-tables';
import { STOPPED_READING, withSession } from './session';

export type { Selection } from './lint-select';

export interface LintOptions {
  /** Read the ledger (pending = not in it), the server's version and the live facts. */
  readonly online: boolean;
  /** Scripts to lint, as paths (relative to the current directory or to the migrations directory). */
  readonly files?: readonly string[];
  /** A git revision: lint the up scripts added since. */
  readonly since?: string;
  /** The config file's `lint` section. */
  readonly settings?: LintSettings;
}

/** A finding, with its code frame (the line and a caret) when the script's text has that line. */
export interface LintedFinding extends Finding {
  readonly frame?: string;
}

/** A rule as reports describe it (SARIF's tool.driver.rules, `--json`). */
export type RuleInfo = Pick<Rule, 'id' | 'family' | 'severity' | 'summary' | 'why'> & { readonly enabled: boolean };

export interface LintReport {
  readonly findings: readonly LintedFinding[];
  /** The scripts linted, paths relative to the migrations directory, in the order linted. */
  readonly files: readonly string[];
  readonly summary: Readonly<Record<Severity, number>>;
  readonly pgVersion: number;
  /** Where the version came from: `--pg-version` (or its variable or the config), the server, the default. */
  readonly pgVersionFrom: 'setting' | 'server' | 'default';
  readonly online: boolean;
  readonly selection: Selection;
  /** Every rule, with whether it ran, plus `syntax-error` and `lint-ignore`. */
  readonly rules: readonly RuleInfo[];
}

/**
 * Lints the chosen scripts. Throws ScanError for a malformed directory and
 * ConfigError for a named file that is not a migration or an unknown rule id
 * in the config (exit 2); ConnectionError when the database is unreachable
 * (exit 5). The caller exits 6 when a finding is at error severity.
 */
export async function lint(ctx: RunContext, options: LintOptions): Promise<LintReport> {
  const { dir } = ctx.config;
  const pairs = scan(dir);
  const settings = options.settings ?? NO_LINT_SETTINGS;
  const named = options.files !== undefined && options.files.length > 0;
  const chosen = named
    ? namedScripts(pairs, dir, options.files as readonly string[])
    : options.since !== undefined
      ? upsSince(pairs, dir, options.since)
      : undefined;
  const selection: Selection = named
    ? 'files'
    : options.since !== undefined
      ? 'since'
      : options.online
        ? 'pending'
        : 'all';
  if (!options.online) return lintScripts(ctx, chosen ?? allUps(pairs), settings, { selection });
  return withSession(ctx, STOPPED_READING, async (client) => {
    const scripts = chosen ?? pendingUps(pairs, (await readLedger(client, ledgerOf(ctx.config))).rows);
    return lintScripts(ctx, scripts, settings, { selection, client });
  });
}

/** Lints `scripts` (up scripts in version order, then named down scripts newest first). Used by `verify` too. */
export async function lintScripts(
  ctx: RunContext,
  scripts: readonly SelectedScript[],
  settings: LintSettings,
  how: { readonly selection: Selection; readonly client?: Client },
): Promise<LintReport> {
  const [{ lintSources }, { RULES }] = await Promise.all([import('../lint/engine'), import('../lint/rules')]);
  checkRuleIds(settings, RULES);
  const { ups, downs } = runOrder(scripts);
  const [upSources, downSources] = [ups.map(sourceOf(ctx)), downs.map(sourceOf(ctx))];
  const { client } = how;
  const fromSetting = ctx.config.pgVersion;
  const pgVersion = fromSetting ?? (client ? await serverMajorVersion(client) : DEFAULT_PG_VERSION);
  const live = client ? await readLiveFacts(client, await relationsNamed([...upSources, ...downSources])) : undefined;
  const lintOptions = { pgVersion, ...(live ? { live } : {}), rules: settings.rules };
  const findings = [...(await lintSources(upSources, lintOptions)), ...(await lintSources(downSources, lintOptions))];
  const texts = new Map([...upSources, ...downSources].map((s) => [s.script.path, s.sql]));
  const summary: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) summary[f.severity]++;
  return {
    findings: findings.map((f) => withFrame(f, texts.get(f.path))),
    files: [...ups, ...downs].map((s) => s.script.path),
    summary,
    pgVersion,
    pgVersionFrom: fromSetting !== undefined ? 'setting' : client ? 'server' : 'default',
    online: client !== undefined,
    selection: how.selection,
    rules: ruleInfos(RULES, settings),
  };
}

const sourceOf =
  (ctx: RunContext) =>
  ({ script, version, direction }: SelectedScript): LintSource => {
    const runnerLockTimeout = script.directives.lockTimeout ?? ctx.config.lockTimeout;
    return {
      script: {
        path: script.path,
        version,
        direction,
        transactional: !script.directives.noTransaction,
        ...(runnerLockTimeout !== undefined ? { runnerLockTimeout } : {}),
      },
      sql: script.body.text(),
    };
  };

/** A rule id in the config that no rule has is a typo that would silently do nothing: exit 2. */
function checkRuleIds(settings: LintSettings, rules: readonly Rule[]): void {
  const known = rules.map((r) => r.id);
  for (const id of Object.keys(settings.rules)) {
    if (known.includes(id)) continue;
    const origin = settings.origins[id];
    const where = origin ? `${origin.file}: ${origin.key}: ` : '';
    throw new ConfigError(`${where}unknown lint rule "${id}". Known rules: ${known.join(', ')}.`, origin ?? {});
  }
}

/** The synthetic rules the engine reports besides RULES. */
const BUILT_IN: readonly RuleInfo[] = [
  {
    id: 'syntax-error',
    family: 'syntax',
    severity: 'error',
    summary: "PostgreSQL's parser refuses the script",
    why: 'A script that does not parse fails when it runs; nothing else in it can be checked.',
    enabled: true,
  },
  {
    id: 'lint-ignore',
    family: 'suppressions',
    severity: 'error',
    summary: 'A lint-ignore comment without a rule id and a reason, or that silences nothing',
    why: 'A suppression is a decision a reviewer must be able to read: which rule, and why it does not apply here.',
    enabled: true,
  },
];

function ruleInfos(rules: readonly Rule[], settings: LintSettings): RuleInfo[] {
  return [
    ...rules.map((r) => {
      const setting = settings.rules[r.id];
      const enabled = setting !== 'off' && !(r.defaultOff && setting === undefined);
      const severity = setting === undefined || setting === 'on' || setting === 'off' ? r.severity : setting;
      return { id: r.id, family: r.family, severity, summary: r.summary, why: r.why, enabled };
    }),
    ...BUILT_IN,
  ];
}

/** The finding's line with a caret under its column, as migration errors show it (db/sql-position.ts). */
function withFrame(finding: Finding, text: string | undefined): LintedFinding {
  if (text === undefined) return finding;
  const bytes = Buffer.from(text, 'utf8');
  let lineStart = 0;
  for (let line = 1; line < finding.line; line++) {
    const next = bytes.indexOf(0x0a, lineStart);
    if (next === -1) return finding;
    lineStart = next + 1;
  }
  return { ...finding, frame: codeFrame(bytes, { line: finding.line, column: finding.column, lineStart }) };
}
