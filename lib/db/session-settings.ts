/**
 * The run's settings as the statements that set them: the one place that
 * writes them, for the executor and for `--dry-run --sql` (sql-script.ts)
 * alike. Each is a `pg_catalog.set_config(name, $n, is_local)` call, so every
 * value (an environment name, a timeout) is a query parameter, never pasted
 * into SQL, and the function is found whatever the search_path says.
 */
import type { Step } from '../types';
import { MARK_TRANSACTION } from './ledger';

export interface StepSettings {
  /** Recorded in the ledger; readable as current_setting('tidemark.environment'). */
  readonly environment: string;
  /** PostgreSQL durations (e.g. `5s`), set with SET LOCAL for every migration. */
  readonly lockTimeout?: string;
  readonly statementTimeout?: string;
  /**
   * A fleet's schema target: this schema goes first on `search_path` for
   * every migration (SET LOCAL; before the session's own path), so
   * unqualified names in a migration mean the tenant's objects.
   */
  readonly searchPath?: string;
}

/** A query and its parameters. */
export interface SettingsQuery {
  readonly text: string;
  readonly values: string[];
}

/** The run's settings, with the script's own `-- tidemark:lock-timeout` / `statement-timeout` on top. */
export function settingsFor(step: Step, settings: StepSettings): StepSettings {
  const d = step.pair[step.direction].directives;
  return {
    ...settings,
    lockTimeout: d.lockTimeout ?? settings.lockTimeout,
    statementTimeout: d.statementTimeout ?? settings.statementTimeout,
  };
}

type Named = readonly (readonly [name: string, value: string | undefined])[];

const timeouts = (s: StepSettings): Named => [
  ['lock_timeout', s.lockTimeout],
  ['statement_timeout', s.statementTimeout],
];

const all = (s: StepSettings): Named => [['tidemark.environment', s.environment], ...timeouts(s)];

/**
 * search_path with the schema first: the schema quoted by the server
 * (quote_ident), then the path the session had, so `public` and the
 * role's own settings still resolve what the tenant schema lacks.
 */
const searchPathCall = (param: number, local: boolean) =>
  `pg_catalog.set_config('search_path', pg_catalog.concat_ws(', ', pg_catalog.quote_ident($${param}), pg_catalog.current_setting('search_path')), ${local})`;

/** `SELECT set_config(…), …` for the settings given (undefined ones left out); null when there is nothing to send. */
function setConfig(
  named: Named,
  local: boolean,
  extra: readonly string[] = [],
  searchPath?: string,
): SettingsQuery | null {
  const given = named.filter((n): n is readonly [string, string] => n[1] !== undefined);
  const calls = [...given.map(([n], i) => `pg_catalog.set_config('${n}', $${i + 1}, ${local})`), ...extra];
  if (searchPath !== undefined) calls.push(searchPathCall(given.length + 1, local));
  if (calls.length === 0) return null;
  const values = given.map((n) => n[1]);
  return { text: `SELECT ${calls.join(', ')}`, values: searchPath === undefined ? values : [...values, searchPath] };
}

/**
 * Right after a transaction's BEGIN (a migration's own, or a
 * `--single-transaction` batch's): the settings as SET LOCAL, and the mark
 * of the transaction that the ledger write checks (ledger.ts).
 */
export function transactionSettingsQuery(settings: StepSettings): SettingsQuery {
  return setConfig(all(settings), true, [MARK_TRANSACTION], settings.searchPath) as SettingsQuery;
}

/**
 * Before each script of a `--single-transaction` batch: its own timeouts as
 * SET LOCAL (the environment and the mark were set at the batch's BEGIN);
 * null when it has none.
 */
export function batchStepSettingsQuery(settings: StepSettings): SettingsQuery | null {
  return setConfig(timeouts(settings), true);
}

/** Before a no-transaction script: the settings for the session (`set_config(…, false)`), undone by RESET_SESSION. */
export function sessionSettingsQuery(settings: StepSettings): SettingsQuery {
  return setConfig(all(settings), false, [], settings.searchPath) as SettingsQuery;
}

/** After a no-transaction script: the session as it was. */
export const RESET_SESSION = `SELECT pg_catalog.set_config('tidemark.environment', '', false); RESET lock_timeout; RESET statement_timeout`;

/** RESET_SESSION, and the search_path a schema target's script was given. */
export const resetSessionQuery = (settings: StepSettings): string =>
  settings.searchPath === undefined ? RESET_SESSION : `${RESET_SESSION}; RESET search_path`;
