import { randomBytes } from 'node:crypto';
import { type Client, escapeIdentifier } from 'pg';
import { takeSnapshot } from '../../lib/db/catalog';
import { connect } from '../../lib/db/connection';
import { disconnect } from '../../lib/db/disconnect';
import { captureLogger } from '../helpers/logger';
import type { Grant } from '../../lib/schema';
import { useTestDatabase } from '../helpers/db';

/*
 * The snapshot decodes ACLs from aclitem text in the client; here the result
 * is held against the server's own aclexplode on names that need quoting
 * (spaces, quotes, `=`, `/`, non-ASCII), grant options and every privilege
 * of tables, sequences, functions, types and schemas.
 */
const db = useTestDatabase({ client: true });
let client: Client;
const suffix = randomBytes(4).toString('hex');
const roles = [`tm acl ${suffix}`, `tm"q=/${suffix}`, `tmé_${suffix}`, `tm_plain_${suffix}`];
const q = escapeIdentifier;

beforeEach(() => {
  client = db.client;
});

/** Roles are the cluster's: created for the test, dropped after it whatever happens. */
async function withRoles(body: () => Promise<void>): Promise<void> {
  for (const role of roles) await client.query(`CREATE ROLE ${q(role)}`);
  try {
    await body();
  } finally {
    await client.query('RESET ROLE');
    await client.query(`DROP OWNED BY ${roles.map(q).join(', ')}`);
    for (const role of roles) await client.query(`DROP ROLE ${q(role)}`);
  }
}

/** What aclexplode says, in the snapshot's shape and order. */
async function exploded(acl: string): Promise<Grant[]> {
  const { rows } = await client.query<Grant>(`SELECT
      CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(g.grantee)::text END COLLATE "C" AS grantee,
      g.privilege_type COLLATE "C" AS privilege, g.is_grantable AS grantable,
      pg_get_userbyid(g.grantor)::text COLLATE "C" AS grantor
    FROM ${acl} ORDER BY 1, 2, 4`);
  return rows;
}

it('decodes ACLs as aclexplode does, names that need quoting and grant options included', () =>
  withRoles(async () => {
    const [spaced, quoted, accented, plain] = roles.map(q);
    await client.query(`CREATE SCHEMA app;
    CREATE TABLE app.t (c int); CREATE SEQUENCE app.s; CREATE TYPE app.e AS ENUM ('x');
    CREATE FUNCTION app.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
    GRANT ALL ON app.t TO ${spaced} WITH GRANT OPTION;
    GRANT SELECT, INSERT ON app.t TO ${quoted}; GRANT USAGE ON SCHEMA app TO ${spaced};
    SET ROLE ${spaced}; GRANT SELECT ON app.t TO ${accented} WITH GRANT OPTION; RESET ROLE;
    GRANT UPDATE (c) ON app.t TO ${plain} WITH GRANT OPTION;
    GRANT USAGE, UPDATE ON app.s TO ${quoted} WITH GRANT OPTION;
    GRANT EXECUTE ON FUNCTION app.f() TO ${accented};
    REVOKE EXECUTE ON FUNCTION app.f() FROM PUBLIC;
    GRANT USAGE ON TYPE app.e TO ${plain} WITH GRANT OPTION;
    GRANT CREATE, USAGE ON SCHEMA app TO ${quoted}, PUBLIC;`);
    const snap = await takeSnapshot(client, { ignoreTables: [] });
    const table = snap.tables.find((t) => t.name === 't');
    const column = snap.columns.find((c) => c.table === 't' && c.name === 'c');
    expect(table?.grants).toEqual(await exploded(`pg_class c, aclexplode(c.relacl) g WHERE c.oid = 'app.t'::regclass`));
    expect(table?.grants.filter((g) => g.grantee === roles[0]).length).toBeGreaterThanOrEqual(7);
    expect(table?.grants).toContainEqual({
      grantee: roles[2],
      privilege: 'SELECT',
      grantable: true,
      grantor: roles[0],
    });
    expect(column?.grants).toEqual(
      await exploded(`pg_attribute a, aclexplode(a.attacl) g WHERE a.attrelid = 'app.t'::regclass AND a.attname = 'c'`),
    );
    expect(snap.sequences.find((s) => s.name === 's')?.grants).toEqual(
      await exploded(`pg_class c, aclexplode(c.relacl) g WHERE c.oid = 'app.s'::regclass`),
    );
    expect(snap.routines.find((r) => r.name === 'f')?.grants).toEqual(
      await exploded(`pg_proc p, aclexplode(p.proacl) g WHERE p.oid = 'app.f'::regproc`),
    );
    expect(snap.types.find((t) => t.name === 'e')?.grants).toEqual(
      await exploded(`pg_type t, aclexplode(t.typacl) g WHERE t.oid = 'app.e'::regtype`),
    );
    expect(snap.schemas.find((s) => s.name === 'app')?.grants).toEqual(
      await exploded(`pg_namespace n, aclexplode(n.nspacl) g WHERE n.nspname = 'app'`),
    );
  }));

it('prepares its statement again after a script discarded it (DISCARD ALL)', async () => {
  await client.query('CREATE TABLE t (c int)');
  const before = await takeSnapshot(client, { ignoreTables: [] });
  await client.query('DISCARD ALL');
  expect(await takeSnapshot(client, { ignoreTables: [] })).toEqual(before);
  expect(client.getTransactionStatus()).toBe('I');
});

it('the same on the pipelined connection, after DEALLOCATE ALL and after DISCARD ALL', async () => {
  await client.query('CREATE TABLE t (c int)');
  const piped = await connect({ url: db.url, wait: 0 }, captureLogger().logger);
  try {
    const before = await takeSnapshot(piped, { ignoreTables: [] });
    for (const discard of ['DEALLOCATE ALL', 'DISCARD ALL']) {
      await piped.query(discard);
      expect(await takeSnapshot(piped, { ignoreTables: [] })).toEqual(before);
      expect(piped.getTransactionStatus()).toBe('I');
    }
  } finally {
    await disconnect(piped);
  }
});
