/**
 * `VALIDATE CONSTRAINT` in the same transaction as the `ADD … NOT VALID`
 * that added it: the add's lock (ACCESS EXCLUSIVE for a CHECK, SHARE ROW
 * EXCLUSIVE for a foreign key) is still held while the validation scans, so
 * NOT VALID bought nothing. In a `-- tidemark:no-transaction` file each
 * statement commits on its own, and the pair is fine.
 */
import type { Hit, LintContext, LintStatement, Rule } from '../types';
import { alterTableOf } from './alter-table';
import { at, findName, qualified, quoteIdent, tokensOf } from './sql-text';

function check(statement: LintStatement, context: LintContext): Hit[] {
  const alter = alterTableOf(statement);
  if (!alter || !context.script.transactional) return [];
  const { table } = alter;
  const t = qualified(table);
  const tokens = tokensOf(statement);
  let from = 0;
  return alter.commands.flatMap((command) => {
    if (command.subtype !== 'AT_ValidateConstraint' || !command.name) return [];
    const validate = tokens.findIndex((token, i) => i >= from && token.word === 'validate');
    const named = validate >= 0 ? findName(tokens, command.name, validate) : -1;
    if (named >= 0) from = named + 1;
    const added = context.addedNotValid(table, command.name);
    if (!added) return [];
    // The add's lock is still held: SHARE ROW EXCLUSIVE for a foreign key, ACCESS EXCLUSIVE for a CHECK.
    const mode = added === 'foreign-key' ? 'SHARE ROW EXCLUSIVE' : 'ACCESS EXCLUSIVE';
    const name = quoteIdent(command.name);
    return [
      {
        location: at(statement, tokens[validate]),
        message: `VALIDATE CONSTRAINT ${name} in the transaction that added it NOT VALID: the add's ${mode} lock on ${t} is held while every row is checked`,
        lock: { mode, relation: t },
        table,
        rewrite: `-- in a later migration (its own transaction: SHARE UPDATE EXCLUSIVE, reads and writes go on):\nALTER TABLE ${t} VALIDATE CONSTRAINT ${name};`,
      },
    ];
  });
}

export const validateConstraintRule: Rule = {
  id: 'validate-in-same-transaction',
  family: 'constraints',
  severity: 'error',
  summary: 'VALIDATE CONSTRAINT in the same transaction as its ADD … NOT VALID',
  why:
    'NOT VALID exists so that the table is locked only for a moment; VALIDATE CONSTRAINT then checks the rows under SHARE UPDATE EXCLUSIVE, which blocks neither reads nor writes. ' +
    "In the same transaction, the ADD's lock (ACCESS EXCLUSIVE for a CHECK, SHARE ROW EXCLUSIVE on both tables for a foreign key) is still held during the scan: it is as if NOT VALID had not been written. Validate in a later migration.",
  kinds: ['AlterTableStmt'],
  check,
};
