/**
 * `--dry-run --sql`: the SQL a run would send, as a psql script.
 */
import type { Client } from 'pg';
import type { Config } from '../config';
import { renderSqlScript, schemaExists } from '../db/sql-script';
import type { Plan } from '../types';
import { ledgerOf, settingsOf } from './context';

/** The script for `plan`, given whether the ledger (and its schema) exist. Reads the catalog, writes nothing. */
export async function sqlScriptOf(
  client: Client,
  plan: Plan,
  ledgerExists: boolean,
  config: Config,
  options: { readonly singleTransaction?: boolean },
  searchPath?: string,
): Promise<string> {
  const ledger = ledgerOf(config);
  const singleTransaction = options.singleTransaction === true;
  const createLedger = !ledgerExists && plan.steps.length > 0;
  return renderSqlScript(plan, {
    ledger,
    settings: settingsOf(config, searchPath),
    singleTransaction,
    createLedger,
    createSchema: createLedger && !(await schemaExists(client, ledger.schema)),
    resumeFrom: plan.resumeFrom,
    command: `tidemark ${plan.direction === 'up' ? 'apply' : 'rollback'} --dry-run --sql${singleTransaction ? ' --single-transaction' : ''}`,
  });
}
