/**
 * `adopt --prove`: before anything is written, the imported migrations the
 * other tool applied are replayed on a scratch database, and its schema is
 * compared with the live one. A stamped baseline skips this check; it is
 * what finds a live schema missing a column the history says was added.
 */
import type { Client } from 'pg';
import { auditTable } from '../db/audit';
import { takeSnapshot } from '../db/catalog';
import { runSteps } from '../db/executor';
import { ensureLedger } from '../db/ledger';
import { withThrowawayDatabase } from '../db/throwaway';
import { MigrationFailedError, type MigrationFailure } from '../errors';
import { diffSnapshots, type SchemaDifference, type TableName } from '../schema';
import type { Pair } from '../types';
import { connectionOf, ledgerOf, settingsOf, type RunContext } from './context';

/** A scratch database: connected, emptied when it is done with. */
export interface ScratchDatabase {
  readonly name: string;
  /** `user@host:port`, never with a password. */
  readonly server: string;
  readonly client: Client;
}

/**
 * Where `--prove` gets its scratch database: a throwaway database on the
 * configured server (created from template0, always dropped), as
 * `tidemark test` does. The one place to plug in another source, such as an
 * embedded server.
 */
export function withScratchDatabase<T>(ctx: RunContext, fn: (db: ScratchDatabase) => Promise<T>): Promise<T> {
  const options = { connection: connectionOf(ctx.config), template: 'template0', signal: ctx.signal };
  return withThrowawayDatabase(options, ctx.logger, (db) =>
    fn({ name: db.name, server: db.server, client: db.client }),
  );
}

export interface ProveReport {
  /** The scratch database (dropped by now). */
  readonly database: string;
  readonly server: string;
  readonly replayed: number;
  /** The replay's failure: the files do not even run on an empty database. */
  readonly failure: MigrationFailure | null;
  /** Read as "expected (the replayed files), found (the live database)". */
  readonly differences: readonly SchemaDifference[];
}

/**
 * Replays `pairs` on a scratch database and compares its schema with the
 * live database's, leaving out tidemark's ledger and audit tables and the
 * other tool's history table (`foreign`).
 */
export async function proveAdoption(
  ctx: RunContext,
  live: Client,
  pairs: readonly Pair[],
  foreign: TableName,
): Promise<ProveReport> {
  const ledger = ledgerOf(ctx.config);
  const ignoreTables = [ledger, auditTable(ledger), foreign];
  return withScratchDatabase(ctx, async (db) => {
    const base = { database: db.name, server: db.server, replayed: pairs.length };
    await ensureLedger(db.client, ledger);
    try {
      await runSteps(
        db.client,
        pairs.map((pair) => ({ direction: 'up' as const, pair })),
        { ledger, settings: settingsOf(ctx.config), singleTransaction: false, logger: quiet(ctx) },
      );
    } catch (err) {
      if (err instanceof MigrationFailedError) return { ...base, failure: err.failure, differences: [] };
      throw err;
    }
    const replayed = await takeSnapshot(db.client, { ignoreTables });
    const found = await takeSnapshot(live, { ignoreTables });
    return {
      ...base,
      failure: null,
      differences: diffSnapshots(replayed, found).filter((d) => !hostOnly(d, foreign) && !ledgerHome(d, ledger)),
    };
  });
}

/**
 * The schema the tool created to hold its history table (Flyway's
 * `flyway.schemas`, dbmate's `search_path`): on the live side only, and
 * bookkeeping like the table. Anything else in it is still reported.
 */
const hostOnly = (d: SchemaDifference, foreign: TableName) =>
  d.objectType === 'schema' && d.kind === 'added' && d.identity === foreign.schema;

/**
 * The schema tidemark creates for its ledger (`--schema`) on the scratch
 * database; the live one gets it when adopt writes.
 */
const ledgerHome = (d: SchemaDifference, ledger: TableName) =>
  d.objectType === 'schema' && d.kind === 'removed' && d.identity === ledger.schema;

/** The executor's per-step lines only with --verbose. */
const quiet = (ctx: RunContext) =>
  ctx.logger.child({}, { level: ctx.logger.isLevelEnabled('debug') ? 'debug' : 'warn' });
