/**
 * A hostile search_path (issue 13): with `search_path = evil, pg_catalog,
 * public`, every unqualified function, operator, type or catalog table that
 * tidemark sends would resolve to the `evil` schema first, and run as the
 * migrating role. Here `evil` shadows what tidemark calls — the advisory
 * lock functions (the lock one answers "locked" without locking),
 * set_config, current_setting, txid_current, now, pg_backend_pid,
 * to_regclass, the privilege functions, count, and the `=`, `<>`, `->>`,
 * `||`, `-`, `/`, `*`, `~` and `>` operators on the types tidemark uses —
 * each recording that it ran (or, in the template of `tidemark test`,
 * raising). Every command is run, and none of them may have called one,
 * and the lock must still exclude a second run.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { lockKey } from '../../lib/db/lock';
import { type CliResult } from '../helpers/cli';
import { runInProcess } from '../helpers/in-process';
import { ADMIN_URL, createTestDatabase, type TestDatabase } from '../helpers/db';
import { migrationsDir } from '../helpers/files';
import { existing, ledgerVersions } from '../helpers/inspect';

const FILES = {
  '001_alpha.up.sql': 'CREATE TABLE alpha (id bigint, label text);\n',
  '001_alpha.down.sql': 'DROP TABLE alpha;\n',
  '002_alpha_index.up.sql': '-- tidemark:no-transaction\nCREATE INDEX CONCURRENTLY alpha_id_idx ON alpha (id);\n',
  '002_alpha_index.down.sql': '-- tidemark:no-transaction\nDROP INDEX CONCURRENTLY alpha_id_idx;\n',
  '003_beta.up.sql': 'CREATE TABLE beta (id bigint);\nINSERT INTO beta VALUES (1), (2);\n',
  '003_beta.down.sql': 'DROP TABLE beta;\n',
};

/** [name, argument types, return type, the real call]: what tidemark calls, shadowed. */
const FUNCTIONS: [string, string, string, string][] = [
  ['pg_try_advisory_lock', 'bigint', 'boolean', 'true'], // "locked", and nothing is
  ['pg_advisory_unlock', 'bigint', 'boolean', 'true'],
  ['set_config', 'text, text, boolean', 'text', 'pg_catalog.set_config($1, $2, $3)'],
  ['current_setting', 'text', 'text', 'pg_catalog.current_setting($1)'],
  ['current_setting', 'text, boolean', 'text', 'pg_catalog.current_setting($1, $2)'],
  ['txid_current', '', 'bigint', 'pg_catalog.txid_current()'],
  ['now', '', 'timestamptz', 'pg_catalog.now()'],
  ['clock_timestamp', '', 'timestamptz', 'pg_catalog.clock_timestamp()'],
  ['pg_backend_pid', '', 'integer', 'pg_catalog.pg_backend_pid()'],
  ['pg_cancel_backend', 'integer', 'boolean', 'pg_catalog.pg_cancel_backend($1)'],
  ['to_regclass', 'text', 'regclass', 'pg_catalog.to_regclass($1)'],
  ['quote_ident', 'text', 'text', 'pg_catalog.quote_ident($1)'],
  ['current_database', '', 'name', 'pg_catalog.current_database()'],
  ['has_database_privilege', 'name, text', 'boolean', 'pg_catalog.has_database_privilege($1, $2)'],
  ['has_schema_privilege', 'oid, text', 'boolean', 'pg_catalog.has_schema_privilege($1, $2)'],
  ['has_table_privilege', 'oid, text', 'boolean', 'pg_catalog.has_table_privilege($1, $2)'],
  ['round', 'numeric', 'numeric', 'pg_catalog.round($1)'],
  ['unnest', 'text[]', 'SETOF text', 'NEXT'],
  ['jsonb_build_object', 'text, text, text, integer', 'jsonb', 'pg_catalog.jsonb_build_object($1, $2, $3, $4)'],
  [
    'jsonb_build_object',
    'text, text, text, integer, text, integer',
    'jsonb',
    'pg_catalog.jsonb_build_object($1, $2, $3, $4, $5, $6)',
  ],
  ['jsonb_build_object', 'text, integer', 'jsonb', 'pg_catalog.jsonb_build_object($1, $2)'],
];

/** [operator, left type, right type, return type]. */
const OPERATORS: [string, string, string, string][] = [
  ['=', 'bigint', 'bigint', 'boolean'],
  ['=', 'text', 'text', 'boolean'],
  ['=', 'name', 'name', 'boolean'],
  ['=', 'oid', 'oid', 'boolean'],
  ['<>', 'text', 'text', 'boolean'],
  ['~', 'name', 'text', 'boolean'],
  ['>', 'smallint', 'integer', 'boolean'],
  ['->>', 'jsonb', 'text', 'text'],
  ['||', 'jsonb', 'jsonb', 'jsonb'],
  ['-', 'jsonb', 'text', 'jsonb'],
  ['-', 'timestamptz', 'timestamptz', 'interval'],
  ['/', 'integer', 'integer', 'integer'],
  ['*', 'numeric', 'numeric', 'numeric'],
];

type Mode = 'record' | 'raise';

/** What an evil function does before (record) or instead of (raise) the real thing. */
function sideEffect(mode: Mode, label: string): string {
  return mode === 'record'
    ? `INSERT INTO evil.calls (fn, app) VALUES ('${label}', pg_catalog.current_setting('application_name'));`
    : `RAISE EXCEPTION 'evil.${label} ran';`;
}

/** SQL that creates schema `evil` shadowing FUNCTIONS, OPERATORS and count(*). */
function evilSchema(mode: Mode): string {
  const sql = [
    'CREATE SCHEMA evil',
    'CREATE TABLE evil.calls (fn pg_catalog.text, app pg_catalog.text)',
    'GRANT USAGE ON SCHEMA evil TO PUBLIC',
    'GRANT INSERT ON evil.calls TO PUBLIC',
  ];
  for (const [name, args, returns, real] of FUNCTIONS) {
    const body = real === 'NEXT' ? 'RETURN QUERY SELECT * FROM pg_catalog.unnest($1);' : `RETURN ${real};`;
    sql.push(
      `CREATE FUNCTION evil.${name}(${args}) RETURNS ${returns} LANGUAGE plpgsql AS $f$ BEGIN ${sideEffect(mode, name)} ${body} END $f$`,
    );
  }
  OPERATORS.forEach(([op, left, right, returns], i) => {
    sql.push(
      `CREATE FUNCTION evil.op${i}(${left}, ${right}) RETURNS ${returns} LANGUAGE plpgsql AS $f$ BEGIN ${sideEffect(mode, `${op}(${left},${right})`)} RETURN $1 OPERATOR(pg_catalog.${op}) $2; END $f$`,
      `CREATE OPERATOR evil.${op} (LEFTARG = ${left}, RIGHTARG = ${right}, FUNCTION = evil.op${i})`,
    );
  });
  sql.push(
    `CREATE FUNCTION evil.count_step(bigint) RETURNS bigint LANGUAGE plpgsql AS $f$ BEGIN ${sideEffect(mode, 'count')} RETURN $1 OPERATOR(pg_catalog.+) 1; END $f$`,
    "CREATE AGGREGATE evil.count(*) (SFUNC = evil.count_step, STYPE = bigint, INITCOND = '0')",
  );
  return sql.join(';\n');
}

const HOSTILE = 'evil, pg_catalog, public';

let db: TestDatabase;
let dir: string;
beforeAll(async () => {
  db = await createTestDatabase();
  await db.query(evilSchema('record'));
  await db.query(`ALTER DATABASE ${db.name} SET search_path = ${HOSTILE}`);
  dir = migrationsDir(FILES);
});
afterAll(async () => {
  await db.drop();
});

/** The evil functions and operators that a tidemark session ran (the test's own queries are not counted). */
async function evilCalls(): Promise<string[]> {
  const rows = await db.query<{ fn: string }>(
    "SELECT DISTINCT fn FROM evil.calls WHERE app OPERATOR(pg_catalog.=) 'tidemark' ORDER BY 1",
  );
  return rows.map((r) => r.fn);
}

const tidemark = (...args: string[]) => runInProcess([...args, '--dir', dir, '--url', db.url]);

function expectExit(run: CliResult, code: number): void {
  if (run.code !== code) throw new Error(`exit ${run.code}, expected ${code}\n${run.stderr}${run.stdout}`);
}

describe('with search_path = evil, pg_catalog, public on the database', () => {
  test('(control) the hostile functions and operators are what an unqualified call finds', async () => {
    const client = await db.connect();
    try {
      await client.query("SET application_name = 'tidemark'");
      await client.query('SELECT pg_try_advisory_lock(1), now(), 1::bigint = 2::bigint');
    } finally {
      await client.end();
    }
    expect(await evilCalls()).toEqual(['=(bigint,bigint)', 'now', 'pg_try_advisory_lock']);
    await db.query('TRUNCATE evil.calls');
  });

  test('apply, status, verify, rollback, apply again, repair and baseline run none of them', async () => {
    expectExit(await tidemark('apply'), 0);
    expect(await ledgerVersions(db)).toEqual(['1', '2', '3']);
    expectExit(await tidemark('status'), 0);
    expectExit(await tidemark('status', '--json'), 0);
    expectExit(await tidemark('verify'), 0);
    expectExit(await tidemark('rollback', '--target', '1'), 0);
    expect(await ledgerVersions(db)).toEqual(['1']);
    expectExit(await tidemark('apply', '--single-transaction', '--target', '1'), 0);
    expectExit(await tidemark('apply'), 0);
    appendFileSync(path.join(dir, '001_alpha.up.sql'), "INSERT INTO alpha VALUES (1, 'x');\n");
    expectExit(await tidemark('verify'), 3);
    expectExit(await tidemark('repair', '--version', '1', '--reason', 'accepted on purpose'), 0);
    expectExit(await tidemark('status', '--json'), 0); // reads the audit trail too
    expectExit(await tidemark('baseline', '--version', '2', '--table', 'other_ledger', '--reason', 'adopted'), 0);
    expect(await ledgerVersions(db, 'public.other_ledger')).toEqual(['1', '2']);
    expect(await evilCalls()).toEqual([]);
  });

  test('the lock still excludes a second run: apply waits, then exits 4, and applies nothing', async () => {
    expectExit(await tidemark('rollback', '--target', '2'), 0);
    const holder = await db.connect();
    try {
      const key = lockKey({ schema: 'public', table: 'tidemark_migrations' }).toString();
      const { rows } = await holder.query('SELECT pg_catalog.pg_try_advisory_lock($1::pg_catalog.int8) AS locked', [
        key,
      ]);
      expect(rows[0].locked).toBe(true);
      const blocked = await tidemark('apply', '--lock-wait', '1');
      expect(blocked.stderr).toMatch(/another tidemark run holds the migration lock/i);
      expectExit(blocked, 4);
      expect(await existing(db, ['public.beta'])).toEqual([]);
    } finally {
      await holder.end();
    }
    expectExit(await tidemark('apply'), 0);
    expect(await evilCalls()).toEqual([]);
  });
});

describe('tidemark test, as a superuser whose role setting is the hostile search_path', () => {
  let role: string;
  let template: string;
  beforeAll(async () => {
    role = `tidemark_sp_${randomBytes(4).toString('hex')}`;
    template = `${db.name}_evil`;
    const admin = new Client({ connectionString: ADMIN_URL });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${role} SUPERUSER LOGIN`);
      await admin.query(`ALTER ROLE ${role} SET search_path = ${HOSTILE}`);
      await admin.query(`CREATE DATABASE ${template} TEMPLATE template0`);
    } finally {
      await admin.end();
    }
    const url = new URL(ADMIN_URL);
    url.pathname = `/${template}`;
    const client = new Client({ connectionString: url.toString() });
    await client.connect();
    await client.query(evilSchema('raise')).finally(() => client.end());
  });
  afterAll(async () => {
    const admin = new Client({ connectionString: ADMIN_URL });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
    } finally {
      await admin.end();
    }
  });

  test('test --template (evil schema inside) --data runs none of them, and passes', async () => {
    const url = new URL(db.url);
    url.username = role;
    const run = await runInProcess([
      'test',
      '--dir',
      migrationsDir(FILES),
      '--url',
      url.toString(),
      '--template',
      template,
      '--data',
    ]);
    expect(run.stderr).not.toContain('evil.');
    expectExit(run, 0);
  });
});
