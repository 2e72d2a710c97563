/**
 * ACLs as grants, decoded in the client. The catalog queries return an ACL
 * as its aclitem text (`grantee=privileges/grantor`, one item per element):
 * decoding it here costs a fraction of `aclexplode` plus a sorted `json_agg`
 * for every object on the server, and yields the same grants.
 */
import type { Grant } from '../../schema';

/** The privilege letters of aclitem's text form (ACL_ALL_RIGHTS_STR), by the name aclexplode gives them. */
const PRIVILEGES: Readonly<Record<string, string>> = {
  a: 'INSERT',
  r: 'SELECT',
  w: 'UPDATE',
  d: 'DELETE',
  D: 'TRUNCATE',
  x: 'REFERENCES',
  t: 'TRIGGER',
  X: 'EXECUTE',
  U: 'USAGE',
  C: 'CREATE',
  T: 'TEMPORARY',
  c: 'CONNECT',
  s: 'SET',
  A: 'ALTER SYSTEM',
  m: 'MAINTAIN',
};

/**
 * A role name as aclitemout writes it (putid): bare, or double-quoted with
 * inner quotes doubled when it holds anything but letters, digits and `_`.
 * Reads from `at` up to `stop` (outside quotes); returns the name and where it ended.
 */
function readRole(text: string, at: number, stop: string): { name: string; end: number } {
  if (text[at] !== '"') {
    const end = text.indexOf(stop, at);
    if (end < 0) throw new Error(`unexpected aclitem: ${text}`);
    return { name: text.slice(at, end), end };
  }
  let name = '';
  let i = at + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote < 0) throw new Error(`unexpected aclitem: ${text}`);
    name += text.slice(i, quote);
    if (text[quote + 1] !== '"') return { name, end: quote + 1 };
    name += '"';
    i = quote + 2;
  }
}

/** The grants of one aclitem; an empty grantee is PUBLIC, as aclexplode's grantee 0. */
function decodeItem(item: string, into: Grant[]): void {
  const grantee = readRole(item, 0, '=');
  const slash = item.indexOf('/', grantee.end);
  if (item[grantee.end] !== '=' || slash < 0) throw new Error(`unexpected aclitem: ${item}`);
  const rights = item.slice(grantee.end + 1, slash);
  const grantor = item[slash + 1] === '"' ? readRole(item, slash + 1, '').name : item.slice(slash + 1);
  for (let i = 0; i < rights.length; i++) {
    const privilege = PRIVILEGES[rights[i]];
    if (privilege === undefined) throw new Error(`unknown privilege ${rights[i]} in aclitem ${item}`);
    const grantable = rights[i + 1] === '*';
    if (grantable) i++;
    into.push({ grantee: grantee.name === '' ? 'PUBLIC' : grantee.name, privilege, grantable, grantor });
  }
}

const byKey = (a: Grant, b: Grant): number =>
  compare(a.grantee, b.grantee) || compare(a.privilege, b.privilege) || compare(a.grantor, b.grantor);

/** Bytewise order of the UTF-8 encodings, as COLLATE "C" sorts (code points, not UTF-16 units). */
function compare(a: string, b: string): number {
  if (a === b) return 0;
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return (x[i].codePointAt(0) as number) - (y[i].codePointAt(0) as number);
  }
  return x.length - y.length;
}

/** The grants of an ACL (aclitem texts; null: no ACL, no grants), sorted by grantee, privilege, grantor. */
export function decodeAcl(items: readonly string[] | null): Grant[] {
  if (items === null || items.length === 0) return [];
  const grants: Grant[] = [];
  for (const item of items) decodeItem(item, grants);
  return grants.sort(byKey);
}
