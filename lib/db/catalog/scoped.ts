/**
 * Scoped snapshots for `tidemark test`'s throwaway database: after a script,
 * only the relations its DDL touched (and whatever depends on them) are read
 * again; the rest comes from the previous snapshot. The change log
 * (tracker.ts) says what was touched; whenever it cannot say (not
 * installed, disabled, an event it cannot place, a renamed role), or a read
 * fails, the snapshot is a full one, as takeSnapshot's.
 *
 * With TIDEMARK_CHECK_SCOPED_SNAPSHOTS=1 every scoped snapshot is compared
 * with a full one taken right after it, and a difference throws.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Client, QueryResult } from 'pg';
import type { Snapshot, TableName } from '../../schema';
import { corked } from '../pg-internals';
import { beginStatement, rollbackQuietly } from '../transaction';
import { mergeSnapshot } from './merge';
import { type RelationRow, type Relations, type Roles, type Scope, type ScopeDocument, scopeOf } from './scope';
import {
  assemble,
  type CatalogStatements,
  catalogStatements,
  forgetStatements,
  RELATION_SECTIONS,
  type RawRows,
  type Statement,
  takeSnapshot,
} from './take';
import { installTracker, RELATIONS_SQL, SCOPE_SQL } from './tracker';

/** What the previous snapshot was taken against. */
interface Base {
  readonly snapshot: Snapshot;
  readonly relations: Relations;
  readonly roles: Roles;
  readonly lastId: number;
}

/** How a scoped snapshot was made: the snapshot it was merged into, and the relations read again (relationKey). */
const lineage = new WeakMap<Snapshot, { readonly base: Snapshot; readonly replaced: ReadonlySet<string> }>();

/**
 * The relations (relationKey) in which `to` can differ from `from`, when
 * `to` was made from `from` by scoped snapshots only (every other relation's
 * rows are the same row objects: merge.ts keeps them); null when it was not,
 * and the two must be compared whole.
 */
export function relationsChangedSince(from: Snapshot, to: Snapshot): ReadonlySet<string> | null {
  const changed = new Set<string>();
  // tidemark test compares snapshots at most two steps apart (S0 with S2, S1 with S3): a longer walk finds nothing more useful.
  for (let at = to, steps = 0; steps < 8; steps++) {
    if (at === from) return changed;
    const made = lineage.get(at);
    if (!made) return null;
    for (const key of made.replaced) changed.add(key);
    at = made.base;
  }
  return null;
}

/** How many snapshots were scoped, and how many full (for tests and the docs' figures). */
export interface ScopedCounts {
  scoped: number;
  full: number;
}

export class ScopedSnapshots {
  private base: Base | null = null;
  /** invalidate() was called: the next snapshot is a full one (a flag, so that a snapshot finishing meanwhile cannot undo it). */
  private invalid = false;
  private tracking = false;
  private installed = false;
  readonly counts: ScopedCounts = { scoped: 0, full: 0 };

  /**
   * @param enabled false: every snapshot is a full one (the scripts do
   *   something the change log cannot see; see unscopedReason).
   */
  constructor(
    private client: Client,
    private readonly ignoreTables: readonly TableName[],
    private readonly enabled: boolean,
    private readonly verify = process.env.TIDEMARK_CHECK_SCOPED_SNAPSHOTS === '1',
  ) {}

  /** After the database was recreated: a new connection, and the change log to install again. */
  reset(client: Client): void {
    this.client = client;
    this.base = null;
    this.installed = false;
    this.tracking = false;
  }

  /**
   * The next snapshot is a full one: after a failed script, whose statements
   * may have taken effect without an event (a failed CREATE INDEX
   * CONCURRENTLY leaves an invalid index behind, and no ddl_command_end).
   */
  invalidate(): void {
    this.invalid = true;
  }

  /**
   * The schema now: scoped when the change log allows it, else full.
   * @param then called once, as soon as the snapshot's reads are sent (before
   *   their answers are assembled): what it sends runs after them on the
   *   server while the client assembles the snapshot. A read that fails after
   *   that is thrown, since the schema has moved on from the one to describe.
   */
  async take(then?: () => void): Promise<Snapshot> {
    let called = false;
    const sent = () => {
      if (called) return;
      called = true;
      then?.();
    };
    if (this.invalid) {
      this.invalid = false;
      this.base = null;
    }
    if (this.enabled && !this.installed) {
      this.installed = true;
      this.tracking = await installTracker(this.client);
    }
    if (!this.tracking) return this.full(sent);
    let taken: { snapshot: Snapshot; scoped: boolean };
    try {
      taken = await this.read(sent);
    } catch (err) {
      if (called) throw err;
      if ((err as { code?: unknown }).code === '26000') forgetStatements(this.client);
      // The log is gone or unreadable: full snapshots from now on.
      this.tracking = false;
      this.base = null;
      return this.full(sent);
    }
    if (taken.scoped) {
      this.counts.scoped++;
      if (this.verify) await this.check(taken.snapshot);
    } else this.counts.full++;
    sent();
    return taken.snapshot;
  }

  /** A full snapshot; `sent` once it is read. */
  private async full(sent: () => void): Promise<Snapshot> {
    this.counts.full++;
    const snapshot = await takeSnapshot(this.client, { ignoreTables: this.ignoreTables });
    sent();
    return snapshot;
  }

  /**
   * One transaction: what the log says with the sections read every time,
   * then the parts of the catalog the scope needs (or all of it when the log
   * cannot say); `sent` once COMMIT is sent.
   */
  private async read(sent: () => void): Promise<{ snapshot: Snapshot; scoped: boolean }> {
    const client = this.client;
    const { settings, catalog, scoped } = await catalogStatements(client);
    const ignore = [this.ignoreTables.map((t) => t.schema), this.ignoreTables.map((t) => t.table)];
    const first = corked(client, () => [
      client.query(beginStatement({ isolation: 'REPEATABLE READ', readOnly: true })),
      client.query(settings),
      client.query<{ scope: ScopeDocument }>({
        name: 'tidemark_catalog_scope',
        text: SCOPE_SQL,
        values: [this.base?.lastId ?? 0],
      }),
      client.query<{ catalog: RawRows }>({ ...scoped.global, values: ignore }),
    ]);
    let committing = false;
    try {
      const [, , scopeResult, globalResult] = await settledAll(first);
      const doc = scopeResult.rows[0].scope;
      const base = this.base;
      const scope = base && scopeOf(doc, base.relations, base.roles);
      const parts = scope ? scopedParts(scoped, scope) : [{ ...catalog, values: [] }];
      const reads = corked(client, () => [
        ...parts.map((part) => client.query<{ catalog: RawRows }>({ ...part, values: [...ignore, ...part.values] })),
        scope ? Promise.resolve(null) : client.query<{ relations: RelationRow[] }>(RELATIONS),
        client.query('COMMIT'),
      ]);
      committing = true;
      // Verification reads a full snapshot right after this one: nothing may run in between.
      if (!this.verify) sent();
      const answers = await settledAll(reads);
      const all = answers[parts.length] as QueryResult<{ relations: RelationRow[] }> | null;
      const raw: RawRows = Object.assign(
        {},
        globalResult.rows[0].catalog,
        ...answers.slice(0, parts.length).map((a) => (a as QueryResult<{ catalog: RawRows }>).rows[0].catalog),
      );
      const snapshot = scope && base ? mergeSnapshot(base.snapshot, assemble(unread(raw)), scope) : assemble(raw);
      if (scope && base) lineage.set(snapshot, { base: base.snapshot, replaced: scope.replaced });
      const relations = scope
        ? scope.relations
        : byOid((all as QueryResult<{ relations: RelationRow[] }>).rows[0].relations);
      this.base = { snapshot, relations, roles: doc.roles, lastId: doc.lastId ?? base?.lastId ?? 0 };
      return { snapshot, scoped: scope !== null };
    } catch (err) {
      // Once COMMIT is sent it ends the transaction, however the reads before it answered.
      if (!committing) await rollbackQuietly(client);
      throw err;
    }
  }

  /** Verification mode: the scoped snapshot must equal a full one. */
  private async check(scoped: Snapshot): Promise<void> {
    const full = await takeSnapshot(this.client, { ignoreTables: this.ignoreTables });
    if (isDeepStrictEqual(scoped, full)) return;
    const fields = Object.keys(full).filter(
      (f) => !isDeepStrictEqual(scoped[f as keyof Snapshot], full[f as keyof Snapshot]),
    );
    throw new Error(`scoped snapshot differs from the full one in: ${fields.join(', ')}`);
  }
}

/**
 * The statements a scoped snapshot sends after the log (whose transaction
 * also read schemas, extensions and default privileges): the relation
 * sections when a relation to read again still exists (a dropped one has no
 * rows left: nothing to read), types and routines when the scope says so.
 */
function scopedParts(
  statements: CatalogStatements['scoped'],
  scope: Scope,
): (Statement & { readonly values: unknown[] })[] {
  const live = scope.read.filter((oid) => scope.relations.has(oid));
  return [
    ...(live.length > 0 ? [{ ...statements.relations, values: [live] }] : []),
    ...(scope.types ? [{ ...statements.types, values: [] }] : []),
    ...(scope.routines ? [{ ...statements.routines, values: [] }] : []),
  ];
}

/** The sections a scoped read left out as empty lists, for assemble; merge takes types and routines from the previous snapshot when unread. */
const unread = (raw: RawRows): RawRows => ({
  ...Object.fromEntries(RELATION_SECTIONS.map((section) => [section, []])),
  types: [],
  routines: [],
  ...raw,
});

const byOid = (rows: readonly RelationRow[]): Relations => new Map(rows.map((r) => [r[0], r]));

const RELATIONS = { name: 'tidemark_catalog_relations', text: RELATIONS_SQL };

/** Every answer, or the first failure in sending order once all have answered. */
async function settledAll<T extends readonly Promise<unknown>[]>(sent: T): Promise<{ [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(sent);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as { [K in keyof T]: Awaited<T[K]> };
}

/**
 * Why the scripts of a run cannot be followed by the change log, or null:
 * commands on roles, databases and tablespaces, ALTER SYSTEM, event
 * triggers, CLUSTER and REINDEX (no event), and writes to pg_catalog
 * tables. Matched on the raw text, comments and function bodies included
 * (a false match only costs full snapshots).
 */
export function unscopedReason(scripts: readonly string[]): string | null {
  for (const text of scripts) {
    for (const [pattern, reason] of UNSEEN) if (pattern.test(text)) return reason;
  }
  return null;
}

const UNSEEN: readonly (readonly [RegExp, string])[] = [
  [
    /\b(create|alter|drop)\s+(role|user|group|database|tablespace|event\s+trigger)\b/i,
    'shared objects or event triggers',
  ],
  [/\balter\s+system\b/i, 'ALTER SYSTEM'],
  [/\b(reassign|drop)\s+owned\b/i, 'REASSIGN/DROP OWNED'],
  [/\b(cluster|reindex)\b/i, 'CLUSTER or REINDEX'],
  [
    /\b(insert\s+into|update|delete\s+from|copy|truncate|merge\s+into)\s+(only\s+)?("?pg_catalog"?\s*\.\s*)?"?pg_/i,
    'writes to the catalogs',
  ],
  [/\b(discard|reset)\s+all\b/i, 'DISCARD ALL or RESET ALL'],
  [/_tidemark_rt/i, 'the change log itself'],
];
