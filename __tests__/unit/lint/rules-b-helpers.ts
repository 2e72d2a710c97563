/** Lints migration texts with the real engine (libpg-query), as `tidemark lint` would: pure, no database. */
import { lintSources, type LintOptions, type LintSource } from '../../../lib/lint/engine';
import type { Finding, LintScript } from '../../../lib/lint/types';

export interface Script {
  readonly sql: string;
  readonly transactional?: boolean;
  readonly runnerLockTimeout?: string;
}

/** Lints `scripts` in order (earlier ones are pending migrations that run first); `pgVersion` 16 unless given. */
export async function lint(
  scripts: string | readonly (string | Script)[],
  options: Partial<LintOptions> = {},
): Promise<Finding[]> {
  const list = typeof scripts === 'string' ? [scripts] : scripts;
  const sources: LintSource[] = list.map((s, i) => {
    const script: Script = typeof s === 'string' ? { sql: s } : s;
    const meta: LintScript = {
      path: `${i + 1}_migration.up.sql`,
      version: BigInt(i + 1),
      direction: 'up',
      transactional: script.transactional ?? true,
      ...(script.runnerLockTimeout ? { runnerLockTimeout: script.runnerLockTimeout } : {}),
    };
    return { script: meta, sql: script.sql };
  });
  return lintSources(sources, { pgVersion: 16, ...options });
}

/** The findings of one rule. */
export async function lintRule(
  rule: string,
  scripts: string | readonly (string | Script)[],
  options: Partial<LintOptions> = {},
): Promise<Finding[]> {
  return (await lint(scripts, options)).filter((f) => f.rule === rule);
}

/** `line:column` of each finding, for compact assertions. */
export const places = (findings: readonly Finding[]): string[] => findings.map((f) => `${f.line}:${f.column}`);
