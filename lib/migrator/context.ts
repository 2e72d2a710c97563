/**
 * What every use case is given, and the settings it derives from it.
 */
import type { Client } from 'pg';
import type { Config } from '../config';
import type { LedgerTable } from '../db/ledger';
import type { Logger } from '../log';
import type { StepEvent } from '../types';

export interface RunContext {
  readonly config: Config;
  readonly logger: Logger;
  /** Aborting it (reason `SIGINT`/`SIGTERM`) cancels the running query, rolls it back and stops the run. */
  readonly signal?: AbortSignal;
  /** Called as each step starts (the CLI's live progress line). */
  readonly onStepStart?: (event: StepEvent) => void;
  /**
   * A connection the caller owns, used instead of connecting (and left
   * open): a fleet shares one per server among its schema targets.
   */
  readonly client?: Client;
  /**
   * A fleet's schema target: put first on `search_path` (SET LOCAL) for
   * every migration; `config.schema` (the ledger's) is the same schema.
   */
  readonly searchPath?: string;
}

export const ledgerOf = (config: Config): LedgerTable => ({ schema: config.schema, table: config.table });
export const connectionOf = (config: Config) => ({ url: config.url, wait: config.wait });

/** The session settings each migration runs with (a schema target's search_path when given). */
export const settingsOf = (config: Config, searchPath?: string) => ({
  environment: config.environment,
  lockTimeout: config.lockTimeout,
  statementTimeout: config.statementTimeout,
  ...(searchPath === undefined ? {} : { searchPath }),
});
