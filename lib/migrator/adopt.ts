/**
 * `adopt --from TOOL`: mapping → scan → session (lock) → read the other
 * tool's history → decide → read the ledger (empty, or already this
 * adoption) → `--prove` → write every ledger row in one transaction →
 * report. The other tool's table is read, locked against writes while the
 * rows are written, and never changed.
 */
import type { Client } from 'pg';
import { ensureAudit, recordAdopted } from '../db/audit';
import { lockForeignHistory, readForeignHistory, type ForeignHistory, type ForeignTool } from '../db/foreign-history';
import { ensureLedger, readLedger, qualifiedName, type LedgerTable } from '../db/ledger';
import { requireLedgerWrites } from '../db/privileges';
import { withTransaction } from '../db/transaction';
import { AdoptRefusedError } from '../errors';
import { scan } from '../source/scanner';
import type { SchemaDifference } from '../schema';
import type { Pair } from '../types';
import { ledgerOf, type RunContext } from './context';
import { decideAdoption, type AdoptDecision, type AdoptedBecause } from './adopt-history';
import { readImportMapping, type ImportMapping } from './adopt-mapping';
import { recheckSources, type SourceCheck } from './adopt-sources';
import { proveAdoption, type ProveReport } from './adopt-prove';
import { withLock, withSession } from './session';

export { FOREIGN_TOOLS, DEFAULT_HISTORY_TABLES, type ForeignTool } from '../db/foreign-history';
export type { ProveReport } from './adopt-prove';

export interface AdoptOptions {
  readonly from: ForeignTool;
  /** `[schema.]table` of the tool's history; its default when absent. */
  readonly historyTable?: string;
  readonly dryRun?: boolean;
  readonly prove?: boolean;
}

export interface AdoptedMigration {
  readonly version: bigint;
  readonly label: string;
  readonly sourceVersion: string;
  readonly because: AdoptedBecause;
  /** When the other tool ran it, when it said. */
  readonly appliedAt: Date | null;
}

export interface AdoptReport {
  readonly tool: ForeignTool;
  /** `schema.table` of the other tool's history. */
  readonly historyTable: string;
  readonly mappingFile: string;
  readonly adopted: readonly AdoptedMigration[];
  /** Imported migrations the tool never ran: `tidemark apply` runs them. */
  readonly pending: readonly { readonly version: bigint; readonly label: string }[];
  readonly notes: readonly string[];
  readonly checksums: AdoptDecision['checksums'];
  readonly proof: ProveReport | null;
  readonly dryRun: boolean;
  /** The ledger already held exactly these rows: nothing was written. */
  readonly alreadyAdopted: boolean;
  /** The statement that drops the other tool's table, once nobody runs that tool any more. */
  readonly dropStatement: string;
}

const STOPPED_ADOPT = 'Stopped (the running query was cancelled and rolled back); no ledger row was written.';

/**
 * Takes over `options.from`'s history for the pairs imported into `ctx.config.dir`.
 * @throws AdoptRefusedError (exit 2: dirty, failed, rows without files, a ledger in use;
 *   exit 3: a checksum mismatch, a `--prove` difference); ConfigError (exit 2), LockTimeoutError (4), ConnectionError (5).
 */
export async function adopt(ctx: RunContext, options: AdoptOptions): Promise<AdoptReport> {
  const mapping = readImportMapping(ctx.config.dir, options.from);
  const pairs = scan(ctx.config.dir);
  const ledger = ledgerOf(ctx.config);
  return withSession(ctx, STOPPED_ADOPT, (client) =>
    withLock(ctx, client, async () => {
      const history = await readForeignHistory(client, options.from, options.historyTable);
      const decision = withSources(decideAdoption(history, mapping, pairs), recheckSources(mapping));
      refuseProblems(history, decision);
      const already = await existingAdoption(client, ledger, decision);
      const proof = options.prove && !already ? await proveOrRefuse(ctx, client, history, decision) : null;
      const report = reportOf(history, mapping, decision, { proof, dryRun: options.dryRun === true, already });
      if (!report.dryRun && !already) await write(ctx, client, history, decision);
      return report;
    }),
  );
}

/** The decision with what the source files say added (a dirty or failed state still comes first). */
function withSources(decision: AdoptDecision, sources: SourceCheck): AdoptDecision {
  return {
    ...decision,
    problems: [...decision.problems, ...sources.problems],
    notes: [...decision.notes, ...sources.notes],
  };
}

/** @throws AdoptRefusedError: state first (nothing else matters while the tool's run is half-done), then the rest. */
function refuseProblems(history: ForeignHistory, decision: AdoptDecision): void {
  const { problems } = decision;
  if (problems.length === 0) return;
  const table = `${history.schema}.${history.table}`;
  const state = problems.filter((p) => p.kind === 'state');
  if (state.length > 0)
    throw new AdoptRefusedError(
      'config',
      `adopt refused: ${history.tool}'s history in ${table} is not in a finished state; nothing was written.`,
      state.map((p) => p.message),
    );
  const structural = problems.filter((p) => p.kind !== 'checksum');
  if (structural.length > 0)
    throw new AdoptRefusedError(
      'config',
      `adopt refused: ${table} and the imported migrations do not match; nothing was written.`,
      problems.map((p) => p.message),
    );
  throw new AdoptRefusedError(
    'drift',
    `adopt refused: ${problems.length} checksum(s) disagree: a file changed after ${history.tool} ran it, or since it was imported; nothing was written.`,
    problems.map((p) => p.message),
  );
}

/**
 * An empty ledger: false. A ledger that holds every row adopt would write
 * (the same versions and up checksums, applied), and beyond them only
 * migrations above the last adopted one (what `apply` ran since): true,
 * adopted already, nothing to do, so a deploy script may run adopt every time.
 * @throws AdoptRefusedError for any other ledger (exit 2).
 */
async function existingAdoption(client: Client, ledger: LedgerTable, decision: AdoptDecision): Promise<boolean> {
  const { rows } = await readLedger(client, ledger);
  if (rows.length === 0) return false;
  const wanted = new Map(decision.adopted.map((a) => [a.pair.version, a.pair.up.checksum]));
  const last = decision.adopted.reduce((max, a) => (a.pair.version > max ? a.pair.version : max), -1n);
  const byVersion = new Map(rows.map((r) => [r.version, r]));
  const all = [...wanted].every(
    ([v, sum]) => byVersion.get(v)?.state === 'applied' && byVersion.get(v)?.upChecksum === sum,
  );
  if (all && rows.every((r) => wanted.has(r.version) || r.version > last)) return true;
  throw new AdoptRefusedError(
    'config',
    `adopt refused: the ledger ${ledger.schema}.${ledger.table} already has ${rows.length} row(s), and they are not the ${wanted.size} this adoption would write; nothing was written.`,
    [
      `adopt is for a database tidemark has never migrated. If tidemark already manages it, use apply; if an earlier adoption went wrong, drop the ledger (DROP TABLE ${qualifiedName(ledger)}) and adopt again.`,
    ],
  );
}

/** @throws AdoptRefusedError (exit 3) when the replay fails or its schema differs from the live one. */
async function proveOrRefuse(
  ctx: RunContext,
  client: Client,
  history: ForeignHistory,
  decision: AdoptDecision,
): Promise<ProveReport> {
  const pairs: Pair[] = decision.adopted.map((a) => a.pair);
  const proof = await proveAdoption(ctx, client, pairs, { schema: history.schema, table: history.table });
  if (proof.failure) {
    const f = proof.failure;
    throw new AdoptRefusedError(
      'drift',
      `adopt --prove refused: replaying the imported migrations on a scratch database failed; nothing was written.`,
      [
        `${f.path}${f.sql.line === null ? '' : `:${f.sql.line}`}: ${f.sql.message}. The files do not rebuild the schema ${history.tool} built: fix the ${history.tool} file, import again, and adopt again.`,
      ],
    );
  }
  if (proof.differences.length > 0)
    throw new AdoptRefusedError(
      'drift',
      `adopt --prove refused: the live schema differs from the one the ${pairs.length} imported migration(s) build, in ${proof.differences.length} way(s) (expected: the replay; found: the live database); nothing was written.`,
      [
        ...proof.differences.map(liveDifference),
        'Bring the live schema in line (or write the difference into a migration of the tool and import again), then adopt again.',
      ],
    );
  return proof;
}

/** A difference read as "the files build X, the live database has Y". */
function liveDifference(d: SchemaDifference): string {
  if (d.kind === 'added') return `${d.subject} is in the live database, but no imported migration creates it`;
  if (d.kind === 'removed')
    return `${d.subject} is missing from the live database, though an imported migration creates it`;
  return `${d.description} (expected: what the migrations build; found: the live database)`;
}

function reportOf(
  history: ForeignHistory,
  mapping: ImportMapping,
  decision: AdoptDecision,
  run: { proof: ProveReport | null; dryRun: boolean; already: boolean },
): AdoptReport {
  return {
    tool: history.tool,
    historyTable: `${history.schema}.${history.table}`,
    mappingFile: mapping.file,
    adopted: decision.adopted.map((a) => ({
      version: a.pair.version,
      label: a.pair.label,
      sourceVersion: a.mapped.sourceVersion,
      because: a.because,
      appliedAt: a.row?.appliedAt ?? null,
    })),
    pending: decision.pending.map((p) => ({ version: p.version, label: p.label })),
    notes: decision.notes,
    checksums: decision.checksums,
    proof: run.proof,
    dryRun: run.dryRun,
    alreadyAdopted: run.already,
    dropStatement: `DROP TABLE ${qualifiedName(history)};`,
  };
}

/**
 * Creates the ledger and audit tables, then in ONE transaction: locks the
 * other tool's table against writes, checks it still says what was
 * decided, and records every adopted migration.
 */
async function write(ctx: RunContext, client: Client, history: ForeignHistory, decision: AdoptDecision): Promise<void> {
  const ledger = ledgerOf(ctx.config);
  if (!(await ensureLedger(client, ledger)))
    await requireLedgerWrites(client, ledger, ['INSERT'], 'adopt records each migration in the ledger (INSERT).');
  await ensureAudit(client, ledger);
  await withTransaction(client, async () => {
    const { history: now, locked } = await lockForeignHistory(client, history);
    if (!locked)
      ctx.logger.warn(
        { table: `${history.schema}.${history.table}` },
        `may not lock ${history.schema}.${history.table} against writes (no UPDATE, DELETE or TRUNCATE on it): read it again unlocked; make sure ${history.tool} is not running`,
      );
    if (JSON.stringify(now.rows) !== JSON.stringify(history.rows))
      throw new AdoptRefusedError(
        'config',
        `adopt refused: ${history.schema}.${history.table} changed while adopt was reading it (is ${history.tool} running?); nothing was written.`,
        ['Stop every deploy that runs the other tool, then adopt again.'],
      );
    for (const a of decision.adopted) {
      const run = { appliedAt: a.row?.appliedAt ?? null, durationMs: a.row?.durationMs ?? null };
      const reason = `adopt --from ${history.tool}: ${history.schema}.${history.table} version ${a.mapped.sourceVersion}${a.because === 'history' ? '' : ` (${a.because})`}`;
      await recordAdopted(client, ledger, { pair: a.pair, environment: ctx.config.environment, run }, reason);
    }
  });
}
