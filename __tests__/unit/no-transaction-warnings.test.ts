/**
 * verify's warnings about no-transaction scripts, on plain values: ordinary
 * DDL beside what needs the directive, or a directive nothing needs; and
 * the wording of the transaction checks for verify, which runs nothing.
 */
import { renderGithub, renderVerify, verifyDocument } from '../../lib/cli/render-verify';
import { TransactionControlError, TransactionSafetyError } from '../../lib/errors';
import type { VerifyReport } from '../../lib/migrator';
import { mixedScripts, throwTransactionProblems, transactionProblems } from '../../lib/plan/transactions';
import { pair } from '../helpers/pairs';

const NO_TX = '-- tidemark:no-transaction\n';
const scriptOf = (version: number, up: string) => pair(version, `m${version}`, { up }).up;

describe('mixedScripts', () => {
  it('warns about ordinary DDL beside a statement that needs the directive, at the DDL', () => {
    const script = scriptOf(1, `${NO_TX}CREATE INDEX CONCURRENTLY i ON t (a);\nALTER TABLE t ADD COLUMN b int;\n`);
    expect(mixedScripts([script])).toEqual([
      { kind: 'mixed', path: '001_m1.up.sql', line: 3, statement: 'ALTER TABLE t ADD COLUMN b int' },
    ]);
  });

  it.each([
    ['ordinary DDL only', 'CREATE TABLE t (a int);\nCREATE INDEX i ON t (a);\n'],
    ['data only', 'INSERT INTO t VALUES (1);\nUPDATE t SET a = 2;\n'],
    [
      'a function whose body says BEGIN and COMMIT',
      'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT begin FROM t; END;\n',
    ],
  ])('says the directive is unneeded, at its line, for %s', (_name, body) => {
    const script = scriptOf(2, `-- adds t\n${NO_TX}${body}`);
    expect(mixedScripts([script])).toEqual([
      { kind: 'unneeded', path: '002_m2.up.sql', line: 2, statement: '-- tidemark:no-transaction' },
    ]);
  });

  it.each([
    ['VACUUM', 'VACUUM t;'],
    ['its own transaction control', 'BEGIN;\nINSERT INTO t VALUES (1);\nCOMMIT;'],
    ['an enum value added', "ALTER TYPE mood ADD VALUE 'sad';"],
    ['a REINDEX (of a partitioned table, perhaps)', 'REINDEX TABLE parted;'],
    ['a CLUSTER', 'CLUSTER parted USING parted_pkey;'],
    ['a CALL of a procedure that may commit', 'CALL batch_update();'],
    ['a DO block that may commit', 'DO $$ BEGIN COMMIT; END $$;'],
  ])('does not call the directive unneeded with %s', (_name, body) => {
    expect(mixedScripts([scriptOf(3, `${NO_TX}${body}\n`)])).toEqual([]);
  });

  it('ignores transactional scripts', () => {
    expect(mixedScripts([scriptOf(4, 'CREATE TABLE t (a int);\n')])).toEqual([]);
  });
});

describe("verify's report of the warnings", () => {
  const up = scriptOf(2, `${NO_TX}CREATE TABLE t (a int);\n`);
  const report: VerifyReport = {
    online: false,
    strict: false,
    pairs: [],
    discrepancies: [],
    branchConflicts: [],
    mixed: mixedScripts([up]),
    failing: 0,
  };

  it('says the directive is not needed, in every format', () => {
    expect(renderVerify(report)).toContain(
      'No-transaction scripts that need no directive (warning, 1):\n  002_m2.up.sql:1: the directive is not needed',
    );
    expect(renderVerify(report)).not.toContain('ordinary DDL');
    expect(verifyDocument(report).warnings).toEqual([
      expect.objectContaining({ kind: 'unneeded-no-transaction', path: '002_m2.up.sql', line: 1 }),
    ]);
    expect(renderGithub(report, 'sql')).toMatch(
      /^::warning file=sql\/002_m2\.up\.sql,line=1,title=tidemark%3A unneeded no-transaction directive::/,
    );
  });
});

describe('the transaction checks, worded per command', () => {
  const control = transactionProblems(scriptOf(5, 'CREATE TABLE t (a int);\nCOMMIT;\n'));
  const unsafe = transactionProblems(scriptOf(6, 'CREATE INDEX CONCURRENTLY i ON t (a);\n'));
  const messageOf = (fn: () => void): string => {
    try {
      fn();
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error('nothing thrown');
  };

  it('say "nothing was run" for the commands that run scripts', () => {
    expect(() => throwTransactionProblems(control)).toThrow(TransactionControlError);
    expect(messageOf(() => throwTransactionProblems(control))).toContain(
      '; nothing was run:\n  005_m5.up.sql:2:1: COMMIT',
    );
    expect(messageOf(() => throwTransactionProblems(unsafe, 'run'))).toContain(
      'cannot run inside a transaction block; nothing was run:',
    );
  });

  it('never say "nothing was run" for verify, which runs nothing', () => {
    expect(() => throwTransactionProblems(unsafe, 'verify')).toThrow(TransactionSafetyError);
    for (const problems of [control, unsafe]) {
      const message = messageOf(() => throwTransactionProblems(problems, 'verify'));
      expect(message).not.toContain('was run');
      expect(message).toContain('(apply, rollback and test refuse such a script before running anything):');
    }
  });
});
