/**
 * What kind of statement this is, for the decisions around transactions:
 * which statements PostgreSQL refuses inside a transaction block, which ones
 * control transactions themselves, and which are DDL. Works on the token
 * stream (comments skipped, keywords case-insensitive), one statement at a
 * time. Pure: no database.
 */
import type { Statement } from './lexer';
import { words } from './words';

type Input = Statement | string;
type Words = readonly string[];

const textOf = (statement: Input): string => (typeof statement === 'string' ? statement : statement.text);

/**
 * Why `statement` cannot run inside a transaction block, as PostgreSQL names
 * the command in its error ("REINDEX CONCURRENTLY cannot run inside a
 * transaction block"), or null when nothing in its text says so.
 * Conservative where the text cannot tell: `DROP SUBSCRIPTION` is reported,
 * because it cannot run in a transaction when the subscription has a
 * replication slot, which only the database knows. `ALTER TYPE … ADD VALUE` gives null: it can since
 * PostgreSQL 12 (see {@link isAddEnumValue}).
 */
export function nonTransactionalReason(statement: Input): string | null {
  const text = textOf(statement);
  const w = words(text, 8);
  const [first, second] = w;
  if (first === 'vacuum') return 'VACUUM';
  if (first === 'reindex') return reindexReason(words(text, 40));
  if (first === 'cluster') return clusterReason(w);
  if (first === 'create' || first === 'drop') return createOrDropReason(w, text);
  if (first === 'alter') return alterReason(w, text);
  if (first === 'discard' && second === 'all') return 'DISCARD ALL';
  if ((first === 'commit' || first === 'rollback') && second === 'prepared') {
    return `${first.toUpperCase()} PREPARED`;
  }
  return null;
}

/**
 * The first words with which {@link nonTransactionalReason} can give a
 * reason: a statement starting with any other word (or no bare word) gives
 * null, so a big script's other statements need not be decoded.
 */
const REASON_FIRST_WORDS: ReadonlySet<string> = new Set([
  'vacuum', 'reindex', 'cluster', 'create', 'drop', 'alter', 'discard', 'commit', 'rollback',
  // and those of transactionControlReason
  'begin', 'start', 'end', 'abort', 'prepare',
]);

/**
 * False when a statement whose first word (lower case, null when not a bare
 * word) is `firstWord` is surely transactional and surely not transaction
 * control: neither {@link nonTransactionalReason} nor
 * {@link transactionControlReason} can name it.
 */
export function mayBeNonTransactional(firstWord: string | null): boolean {
  return firstWord !== null && REASON_FIRST_WORDS.has(firstWord);
}

function createOrDropReason(w: Words, text: string): string | null {
  const verb = w[0] === 'create' ? 'CREATE' : 'DROP';
  const object = w[1] === 'unique' && verb === 'CREATE' ? w[2] : w[1];
  const next = w[1] === 'unique' ? w[3] : w[2];
  if (object === 'index' && next === 'concurrently') return `${verb} INDEX CONCURRENTLY`;
  if (object === 'database') return `${verb} DATABASE`;
  if (object === 'tablespace') return `${verb} TABLESPACE`;
  if (object !== 'subscription') return null;
  if (verb === 'DROP') return 'DROP SUBSCRIPTION';
  const options = withOptions(words(text));
  const noSlot = isFalse(options.get('create_slot')) || isFalse(options.get('connect'));
  return noSlot ? null : 'CREATE SUBSCRIPTION ... WITH (create_slot = true)';
}

function alterReason(w: Words, text: string): string | null {
  if (w[1] === 'system') return 'ALTER SYSTEM';
  if (w[1] === 'database') return movesDatabase(w) ? 'ALTER DATABASE SET TABLESPACE' : null;
  if (w[1] === 'table') {
    const all = words(text);
    const detach = all.indexOf('detach');
    return detach > 0 && all.indexOf('concurrently', detach) > 0 ? 'ALTER TABLE ... DETACH CONCURRENTLY' : null;
  }
  if (w[1] !== 'subscription') return null;
  if (w[3] === 'refresh') return 'ALTER SUBSCRIPTION ... REFRESH';
  const changesPublications = (w[3] === 'add' || w[3] === 'drop' || w[3] === 'set') && w[4] === 'publication';
  if (!changesPublications) return null;
  return isFalse(withOptions(words(text)).get('refresh')) ? null : 'ALTER SUBSCRIPTION with refresh';
}

/**
 * `ALTER DATABASE name SET TABLESPACE t`, and the same as an option:
 * `ALTER DATABASE name [WITH] TABLESPACE [=] t`. dbcommands.c moves the
 * database for either and names both "ALTER DATABASE SET TABLESPACE"; it
 * refuses TABLESPACE beside other options before that, so only a first
 * option counts. `SET tablespace = …` / `TO …` would set a parameter.
 */
function movesDatabase(w: Words): boolean {
  if (w[3] === 'set') return w[4] === 'tablespace' && w[5] !== '=' && w[5] !== 'to';
  return w[w[3] === 'with' ? 4 : 3] === 'tablespace';
}

/** `REINDEX [ ( options ) ] { INDEX | TABLE | SCHEMA | DATABASE | SYSTEM } [ CONCURRENTLY ] name`. */
function reindexReason(w: Words): string | null {
  let i = 1;
  let concurrently = false;
  if (w[1] === '(') {
    const options = optionList(w, 1);
    concurrently = options.has('concurrently') && !isFalse(options.get('concurrently'));
    i = w.indexOf(')') + 1;
  }
  const target = w[i];
  if (concurrently || w[i + 1] === 'concurrently') return 'REINDEX CONCURRENTLY';
  if (target === 'schema' || target === 'database' || target === 'system') {
    return `REINDEX ${target.toUpperCase()}`;
  }
  return null;
}

/** `CLUSTER`, `CLUSTER VERBOSE` and `CLUSTER (VERBOSE)` with no table recluster the whole database. */
function clusterReason(w: Words): string | null {
  let i = 1;
  if (w[i] === 'verbose') i++;
  else if (w[i] === '(') i = w.indexOf(')') + 1;
  return i > 0 && i >= w.length ? 'CLUSTER' : null;
}

/**
 * The command, as written in the error, when `statement` ends the
 * transaction it runs in or starts one of its own: `BEGIN`, `START
 * TRANSACTION`, `COMMIT`, `END`, `ROLLBACK`, `ABORT`, `PREPARE TRANSACTION`
 * (with `AND CHAIN` where given). In a migration that tidemark wraps in a
 * transaction they would commit or roll back part of it without its ledger
 * row. Null for what stays inside the transaction — `SAVEPOINT`, `RELEASE`,
 * `ROLLBACK TO SAVEPOINT` — and for `COMMIT PREPARED` / `ROLLBACK PREPARED`,
 * which act on another, prepared transaction (see {@link nonTransactionalReason}).
 */
export function transactionControlReason(statement: Input): string | null {
  const w = words(textOf(statement), 6);
  const [first, second] = w;
  const rest = (from: number) => (w[from] === 'work' || w[from] === 'transaction' ? from + 1 : from);
  const chained = (from: number) => (w[rest(from)] === 'and' && w[rest(from) + 1] === 'chain' ? ' AND CHAIN' : '');
  switch (first) {
    case 'begin':
      return 'BEGIN';
    case 'start':
      return second === 'transaction' ? 'START TRANSACTION' : null;
    case 'commit':
    case 'end':
      return second === 'prepared' ? null : `${first.toUpperCase()}${chained(1)}`;
    case 'rollback':
    case 'abort':
      if (second === 'prepared' || w[rest(1)] === 'to') return null;
      return `${first.toUpperCase()}${chained(1)}`;
    case 'prepare':
      return second === 'transaction' ? 'PREPARE TRANSACTION' : null;
    default:
      return null;
  }
}

/** True when {@link transactionControlReason} names the statement. */
export function isTransactionControl(statement: Input): boolean {
  return transactionControlReason(statement) !== null;
}

/**
 * True for data definition that can run inside a transaction: the statements
 * PostgreSQL logs under `log_statement = 'ddl'` (CREATE, ALTER, DROP,
 * COMMENT, GRANT, REVOKE, SECURITY LABEL, IMPORT FOREIGN SCHEMA, REASSIGN
 * OWNED, REFRESH MATERIALIZED VIEW), less those that
 * {@link nonTransactionalReason} reports. Used to warn when a
 * no-transaction script mixes them with non-transactional statements.
 */
export function isDdl(statement: Input): boolean {
  const text = textOf(statement);
  const [first, second] = words(text, 2);
  const ddl = DDL_FIRST_WORDS.get(first ?? '');
  if (ddl === undefined || (ddl !== '' && ddl !== second)) return false;
  return nonTransactionalReason(text) === null;
}

/** First word of a DDL statement → the second word it needs ('' for any). */
const DDL_FIRST_WORDS: ReadonlyMap<string, string> = new Map([
  ['create', ''], ['alter', ''], ['drop', ''], ['comment', ''], ['grant', ''], ['revoke', ''],
  ['security', 'label'], ['import', 'foreign'], ['reassign', 'owned'], ['refresh', 'materialized'],
]);

/**
 * True for `ALTER TYPE name ADD VALUE …`: before PostgreSQL 12 it cannot run
 * inside a transaction block, and on any version the new value cannot be used
 * in the transaction that added it.
 */
export function isAddEnumValue(statement: Input): boolean {
  const w = words(textOf(statement), 7);
  if (w[0] !== 'alter' || w[1] !== 'type') return false;
  const at = w[3] === '.' ? 5 : 3;
  return w[at] === 'add' && w[at + 1] === 'value';
}

/** The options of the last `WITH ( … )` list. */
function withOptions(w: Words): ReadonlyMap<string, string> {
  const at = w.lastIndexOf('with');
  return at >= 0 && w[at + 1] === '(' ? optionList(w, at + 1) : new Map();
}

/** `( name [=] [value], … )` starting at `w[open] === '('`; a bare name gets the value 'true'. */
function optionList(w: Words, open: number): ReadonlyMap<string, string> {
  const options = new Map<string, string>();
  let name: string | undefined;
  let value = 'true';
  for (let i = open + 1; i <= w.length; i++) {
    const token = w[i];
    if (token === ',' || token === ')' || token === undefined) {
      if (name !== undefined) options.set(name, value);
      if (token !== ',') break;
      name = undefined;
      value = 'true';
    } else if (name === undefined) {
      name = token;
    } else if (token !== '=') {
      value = token;
    }
  }
  return options;
}

/** PostgreSQL's boolean option spellings for false: `false`, `off`, `0`, also quoted. */
function isFalse(value: string | undefined): boolean {
  if (value === undefined) return false;
  const bare = value.startsWith("'") ? value.slice(1, -1).toLowerCase() : value;
  return bare === 'false' || bare === 'off' || bare === '0';
}
