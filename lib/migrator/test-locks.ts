/**
 * `tidemark test --locks`: the first up of a migration is observed
 * (lib/db/observe.ts: the locks each statement holds, the relations it
 * rewrites, how long each lock is held) instead of run by the executor,
 * then its ledger row is written as the executor writes it, so the down and
 * the second up of the round trip find the migration applied. The budget
 * (`--max-lock`, `--max-lock-ms`) is judged on what was observed.
 */
import type { Config } from '../config';
import { insertRow } from '../db/ledger';
import { failedStatementOf, observeScript } from '../db/observe';
import {
  RESET_SESSION,
  sessionSettingsQuery,
  settingsFor,
  transactionSettingsQuery,
  type SettingsQuery,
} from '../db/session-settings';
import type { Throwaway } from '../db/throwaway';
import { judgeBudget } from '../observe/budget';
import { compareWithLint, type LockComparison } from '../observe/lint-agreement';
import type { BudgetBreach, LockBudget, MigrationObservation } from '../observe/types';
import { serverMajorVersion } from '../db/lint-facts';
import type { Client } from 'pg';
import type { Pair } from '../types';
import { ledgerOf, settingsOf } from './context';

export interface LocksOptions {
  /** Observe the first up of each tested migration. */
  readonly locks?: boolean;
  /** Fail (exit 6) beyond it; empty = no budget. */
  readonly budget?: LockBudget;
}

/** What `--locks` adds to a report. */
export interface LocksSection {
  /** One per migration whose up was observed, in order (a failed up has none). */
  readonly observations: readonly MigrationObservation[];
  readonly budget: LockBudget;
  readonly breaches: readonly BudgetBreach[];
  /**
   * A `--template` was given: the tables hold its rows, so the times mean
   * something. Without one they hold only what the migrations insert: the
   * times are for an empty schema.
   */
  readonly withData: boolean;
  /**
   * Each lint finding that names a lock, beside what the statement was seen
   * to take: `agrees` false means lint's table or PostgreSQL's behaviour
   * was not what was assumed, and one of them is wrong.
   */
  readonly lint: readonly LockComparison[];
}

/** The observations, judged against the budget. */
export function locksSection(
  observations: readonly MigrationObservation[],
  options: LocksOptions & { readonly template?: string },
  lint: readonly LockComparison[] = [],
): LocksSection {
  const budget = options.budget ?? {};
  return {
    observations,
    budget,
    breaches: judgeBudget(observations, budget),
    withData: options.template !== undefined,
    lint,
  };
}

/**
 * Lints the observed ups, in order, for the server they ran on, and sets each
 * finding that names a lock beside the observation (lint is loaded only here).
 */
export async function lintAgainst(
  client: Client,
  pairs: readonly Pair[],
  observations: readonly MigrationObservation[],
  config: Config,
): Promise<LockComparison[]> {
  const observedPaths = new Set(observations.map((o) => o.path));
  const sources = pairs
    .filter((p) => observedPaths.has(p.up.path))
    .map((p) => ({
      script: {
        path: p.up.path,
        version: p.version,
        direction: 'up' as const,
        transactional: !p.up.directives.noTransaction,
        runnerLockTimeout: p.up.directives.lockTimeout ?? config.lockTimeout,
      },
      sql: p.up.body.text(),
    }));
  if (sources.length === 0) return [];
  const { lintSources } = await import('../lint/engine');
  const findings = await lintSources(sources, { pgVersion: await serverMajorVersion(client) });
  return compareWithLint(findings, observations);
}

/** A budget from the config: undefined parts left out. */
export function budgetOf(config: Config): LockBudget {
  return {
    ...(config.maxLock === undefined ? {} : { maxLock: config.maxLock }),
    ...(config.maxLockMs === undefined ? {} : { maxLockMs: config.maxLockMs }),
  };
}

/**
 * Observes `pair`'s up on the throwaway database and writes its ledger row.
 * @returns the observation; null when a statement failed (observeScript
 *   rolled it back): the caller runs the up through the executor, which
 *   fails the same way and reports it as `apply` would (file:line:col).
 * @throws anything else (a lost connection).
 */
export async function observeUp(db: Throwaway, pair: Pair, config: Config): Promise<MigrationObservation | null> {
  const { up } = pair;
  let observation: MigrationObservation;
  try {
    observation = await observeScript(db.client, {
      version: pair.version,
      name: pair.name,
      path: up.path,
      direction: 'up',
      transactional: !up.directives.noTransaction,
      sql: up.body.text(),
      settings: settingsQueryFor(pair, config),
    });
  } catch (err) {
    if (failedStatementOf(err) !== null) return null;
    throw err;
  } finally {
    if (up.directives.noTransaction) await db.client.query(RESET_SESSION).catch(() => undefined);
  }
  const row = insertRow(ledgerOf(config), { pair, environment: config.environment }, (param) => ({
    duration_ms: param(Math.round(observation.totalMs)),
  }));
  await db.client.query(row);
  return observation;
}

/** The run's settings, the script's own timeouts on top, as the executor sets them (session-settings.ts). */
function settingsQueryFor(pair: Pair, config: Config): SettingsQuery {
  const settings = settingsFor({ direction: 'up', pair }, settingsOf(config));
  return pair.up.directives.noTransaction ? sessionSettingsQuery(settings) : transactionSettingsQuery(settings);
}
