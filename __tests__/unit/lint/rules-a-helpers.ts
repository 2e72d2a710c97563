/** Shared helpers of the rules-a unit tests: lint migration texts as tidemark would run them. */
import { lintSources } from '../../../lib/lint/engine';
import type { Finding } from '../../../lib/lint/types';

export interface Migration {
  readonly sql: string;
  /** False for a `-- tidemark:no-transaction` file. */
  readonly transactional?: boolean;
}

/** Lints the migrations in order (pending, no database) and returns the findings of `rule`. */
export async function lint(
  rule: string,
  migrations: readonly (Migration | string)[],
  pgVersion = 17,
): Promise<Finding[]> {
  const sources = migrations.map((m, i) => {
    const { sql, transactional = true } = typeof m === 'string' ? { sql: m } : m;
    return { script: { path: `${i + 1}_m.sql`, version: BigInt(i + 1), direction: 'up' as const, transactional }, sql };
  });
  const findings = await lintSources(sources, { pgVersion });
  return findings.filter((f) => f.rule === rule);
}

/** file:line:col severity, the way a reader checks a finding's place. */
export const where = (f: Finding): string => `${f.path}:${f.line}:${f.column} ${f.severity}`;
