/**
 * What the database says before anything runs: drift (3), the lock (4), the
 * server unreachable (5), the ledger's privileges and name (2).
 */
import type { Discrepancy } from '../types';
import { TidemarkError } from './base';

/** History on disk and in the ledger disagree. Nothing was run. Exit 3. */
export class DriftError extends TidemarkError<'drift'> {
  constructor(readonly discrepancies: readonly Discrepancy[]) {
    super(
      'drift',
      `History check failed with ${discrepancies.length} discrepanc${discrepancies.length === 1 ? 'y' : 'ies'}; the database was not changed.`,
    );
  }
}

/** Another run holds the ledger's advisory lock. Exit 4. */
export class LockTimeoutError extends TidemarkError<'lock-timeout'> {
  constructor(
    readonly waitedSeconds: number,
    readonly holderPid: number | null,
  ) {
    super(
      'lock-timeout',
      `Another tidemark run holds the migration lock${holderPid === null ? '' : ` (server process ${holderPid})`}; ` +
        `gave up after ${waitedSeconds}s. Nothing was changed. Wait for it to finish, or raise --lock-wait.`,
    );
  }
}

/** The server could not be reached or refused the login. Exit 5. */
export class ConnectionError extends TidemarkError<'unreachable'> {
  constructor(
    message: string,
    /** user@host:port/database of the server, never with the password. */
    readonly target: string | null = null,
  ) {
    super('unreachable', message);
  }
}

/**
 * The database role lacks a privilege tidemark needs for its ledger (SQLSTATE
 * 42501 on creating or reading it). Nothing was changed. Exit 2.
 */
export class PrivilegeError extends TidemarkError<'privilege'> {
  constructor(
    readonly facts: {
      /** The role tidemark connected as (current_user). */
      readonly role: string;
      /** What it tried: `create the ledger table "public"."tidemark_migrations"`. */
      readonly action: string;
      /** The privilege it lacks, in words: `CREATE on schema public`. */
      readonly missing: string;
      /** The statement an owner or superuser runs to grant it. */
      readonly grant: string;
      /** Another way out, in a sentence, if there is one. */
      readonly otherwise?: string;
    },
  ) {
    super(
      'privilege',
      `The role ${facts.role} may not ${facts.action}: it lacks ${facts.missing}. Nothing was changed. ` +
        `As the owner or a superuser, run:\n  ${facts.grant}\n` +
        (facts.otherwise ? `${facts.otherwise}` : 'Or connect as a role that has it.'),
    );
  }
}

/**
 * The name of the ledger table is taken by something that is not a ledger:
 * a view, a foreign table, a sequence…, or a table without the ledger's
 * columns. Nothing was changed. Exit 2.
 */
export class LedgerRelationError extends TidemarkError<'ledger-relation'> {
  constructor(
    readonly facts: {
      /** `"public"."tidemark_migrations"`, quoted as in SQL. */
      readonly relation: string;
      /** What it is: `view`, `foreign table`, `table without the ledger's columns (version, name, up_checksum)`. */
      readonly kind: string;
    },
  ) {
    super(
      'ledger-relation',
      `${facts.relation} is a ${facts.kind}, not a tidemark ledger; tidemark keeps its ledger in an ordinary table it creates itself. Nothing was changed. ` +
        'Give the ledger another name with --table (or another schema with --schema), or move that object out of the way.',
    );
  }
}
