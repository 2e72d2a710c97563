/**
 * `--resume`: the plan that first finishes the stuck migration, from its
 * failed statement or from the statement in doubt once decided.
 */
import type { Client } from 'pg';
import { indexFacts } from '../db/in-doubt';
import { findInvalidIndexes } from '../db/no-transaction';
import { ConfigError } from '../errors';
import type { Logger } from '../log';
import { decideInDoubt, indexQuestion, type Assume } from '../plan/in-doubt';
import { planResume, stuckRow } from '../plan/resume';
import { splitStatements } from '../sql/lexer';
import type { LedgerRow, Pair, Plan, IndexFacts } from '../types';

/**
 * With `resume`: the stuck migration first (its statement in doubt decided),
 * then `planned`. Without: `planned` as it is.
 * @throws ConfigError when there is nothing to resume, or `assume` is given with nothing in doubt.
 */
export async function resumeIfAsked(
  client: Client,
  planned: Plan,
  { pairs, rows }: { readonly pairs: readonly Pair[]; readonly rows: readonly LedgerRow[] },
  options: { readonly resume?: boolean; readonly assume?: Assume },
  logger: Logger,
): Promise<Plan> {
  if (!options.resume) return planned;
  const plan = planResume(pairs, rows, planned.direction, planned);
  return resolveInDoubt(client, plan, stuckRow(rows) as LedgerRow, options.assume, logger);
}

/**
 * A resumed migration whose row still shows a statement in flight: decide
 * whether that statement took effect (catalog, statement, or the user's
 * word) and resume after it or from it.
 */
async function resolveInDoubt(
  client: Client,
  plan: Plan,
  row: LedgerRow,
  assume: Assume,
  logger: Logger,
): Promise<Plan> {
  const inFlight = row.state === 'running' ? (row.progress?.inFlight ?? null) : null;
  const step = plan.steps[0];
  if (inFlight === null || !step) {
    if (assume !== undefined)
      throw new ConfigError(
        `--assume-${assume}: no statement of version ${row.version} is in doubt; resume without it.`,
      );
    return plan;
  }
  const script = step.pair[step.direction];
  const statement = splitStatements(script.body.text())[inFlight - 1];
  const question = indexQuestion(statement.text);
  const facts = question ? await indexFacts(client, question) : null;
  const doubt = {
    statement: inFlight,
    line: statement.line,
    text: statement.text,
    path: script.path,
    version: row.version,
    direction: step.direction,
  };
  const tookEffect = decideInDoubt(doubt, facts, assume);
  logger.warn(
    {
      version: row.version.toString(),
      statement: inFlight,
      line: statement.line,
      in_doubt: true,
      took_effect: tookEffect,
    },
    `${script.path}:${statement.line}: statement ${inFlight} was in doubt; ${tookEffect ? 'it took effect' : 'it did not take effect'} (${why(facts, assume)}): resuming from statement ${tookEffect ? inFlight + 1 : inFlight}`,
  );
  return { ...plan, resumeFrom: tookEffect ? inFlight : inFlight - 1 };
}

/** Why a statement in doubt was decided as it was, for the warning. */
function why(facts: IndexFacts | null, assume: Assume): string {
  if (facts)
    return `the catalog says the index ${'index' in facts ? `${facts.index} is ${facts.state}` : 'left nothing behind'}`;
  return assume ? `--assume-${assume}` : "it controls the script's own transaction block";
}

/** Before resuming: a failed concurrent build's INVALID index must be gone, or the rerun fails or keeps it. */
export async function assertNoInvalidIndex(client: Client, plan: Plan): Promise<void> {
  const first = plan.steps[0];
  if (plan.resumeFrom === undefined || !first) return;
  const statement = splitStatements(first.pair[first.direction].body.text())[plan.resumeFrom];
  const invalid = statement ? await findInvalidIndexes(client, statement) : [];
  if (invalid.length > 0) {
    throw new ConfigError(
      `--resume: the failed statement left the INVALID index ${invalid.join(', ')}. Remove it first, then resume:\n` +
        invalid.map((name) => `  DROP INDEX CONCURRENTLY IF EXISTS ${name};`).join('\n'),
    );
  }
}
