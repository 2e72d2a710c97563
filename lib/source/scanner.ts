/**
 * Scanner: migrations directory → pairs sorted by version, or a ScanError
 * listing every problem at once. Reads files; never touches the database.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import { ScanError, type ScanProblem } from '../errors';
import type { Direction, Pair, Script } from '../types';
import { ScriptBody } from './body';
import { checksum } from './checksum';
import { isBlankSql, readDirectives } from './directives';
import { parseFilename, type ParsedFilename } from './filename';
import { NUL_REASON, type NulPosition } from './nul';
import { assertDirectory, isFileSystemError, listScripts, unreadable } from './walk';

type ParsedName = Extract<ParsedFilename, { ok: true }>;

interface Found {
  readonly version: bigint;
  readonly versionText: string;
  readonly name: string;
  readonly direction: Direction;
  readonly script: Script;
}

export interface Inspection {
  /** Well-formed pairs, sorted by version. */
  readonly pairs: Pair[];
  /** Every problem found, sorted by path. */
  readonly problems: ScanProblem[];
  /** The highest version among all well-named files, with its text as written. */
  readonly highest: { readonly version: bigint; readonly versionText: string } | null;
}

/**
 * Scans `dir` recursively for `.sql` files (case-insensitive extension) and
 * pairs them. Other files are ignored, as are dot-folders and node_modules.
 *
 * @throws ConfigError when `dir` is not a directory.
 * @throws ScanError with every problem (SPEC §1) when any file is malformed.
 */
export function scan(dir: string): Pair[] {
  const { pairs, problems } = inspect(dir);
  if (problems.length > 0) throw new ScanError(dir, problems);
  return pairs;
}

/**
 * Like `scan`, but returns the problems instead of throwing them.
 * @throws ConfigError when `dir` is not a directory.
 */
export function inspect(dir: string): Inspection {
  assertDirectory(dir);
  const { files, problems } = listScripts(dir);
  const found: Found[] = [];
  // Well-named scripts refused for their content: their partner is not an orphan.
  const refused = new Set<string>();
  let highest: Inspection['highest'] = null;
  const root = path.resolve(dir);
  for (const file of files) {
    const parsed = parseFilename(file.slice(file.lastIndexOf('/') + 1));
    if (parsed.ok && (highest === null || parsed.version > highest.version)) highest = parsed;
    const result = parsed.ok ? readScript(root, file, parsed) : { path: file, reason: parsed.reason };
    if ('reason' in result) problems.push(result);
    else found.push(result);
    if ('reason' in result && parsed.ok) refused.add(scriptKey(parsed.version, parsed.name, parsed.direction));
  }
  const pairs = pairUp(found, problems, refused);
  problems.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { pairs, problems, highest };
}

/** Reads one well-named script; `root` is the absolute migrations directory. */
function readScript(root: string, file: string, parsed: ParsedName): Found | ScanProblem {
  const absolutePath =
    path.sep === '/' ? (root.endsWith('/') ? root + file : `${root}/${file}`) : path.join(root, file);
  let raw: Buffer;
  try {
    raw = readBytes(absolutePath);
  } catch (err) {
    if (!isFileSystemError(err)) throw err;
    return { path: file, reason: unreadable(err, 'script') };
  }
  const body = ScriptBody.fromFile(raw);
  if (body === null) return { path: file, reason: 'is not valid UTF-8; save it as UTF-8' };
  const nul = body.findNul();
  if (nul) return nulProblem(file, nul);
  const head = body.head();
  // Of a big script only the head is decoded, and the rest only when the head holds nothing but comments.
  const isEmpty = isBlankSql(head) && isBlankSql(body.text());
  if (isEmpty && parsed.direction === 'up') {
    return {
      path: file,
      reason: 'the up script is empty (only whitespace or comments); write the migration, or delete the pair',
    };
  }
  const directives = readDirectives(head);
  if ('problem' in directives) return { path: file, reason: directives.problem };
  return { ...parsed, script: { path: file, absolutePath, checksum: checksum(raw), directives, isEmpty, body } };
}

/** Migrations are small: most are read whole by one read into this buffer. */
const PROBE_BYTES = 64 * 1024;
let probe: Buffer | undefined;

/**
 * A script's bytes: one open, one read and one close for a script under
 * PROBE_BYTES; a bigger one is read whole, once, as bytes, never also as a
 * string.
 */
function readBytes(absolutePath: string): Buffer {
  const fd = openSync(absolutePath, 'r');
  try {
    probe ??= Buffer.allocUnsafe(PROBE_BYTES);
    const read = readSync(fd, probe, 0, PROBE_BYTES, 0);
    if (read < PROBE_BYTES) return Buffer.from(probe.subarray(0, read));
    return readFileSync(fd); // positional read above: this reads from the start
  } finally {
    closeSync(fd);
  }
}

const nulProblem = (file: string, at: NulPosition): ScanProblem => ({
  path: file,
  reason: NUL_REASON,
  line: at.line,
  column: at.column,
});

const scriptKey = (version: bigint, name: string, direction: Direction) => `${version}_${name}.${direction}`;

function pairUp(found: readonly Found[], problems: ScanProblem[], refused: ReadonlySet<string>): Pair[] {
  const byVersion = new Map<bigint, Found[]>();
  for (const f of found) {
    const group = byVersion.get(f.version);
    if (group) group.push(f);
    else byVersion.set(f.version, [f]);
  }
  const pairs: Pair[] = [];
  for (const [version, group] of byVersion) {
    const pair = pairOne(version, group, problems, refused);
    if (pair) pairs.push(pair);
  }
  return pairs.sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
}

function pairOne(
  version: bigint,
  group: readonly Found[],
  problems: ScanProblem[],
  refused: ReadonlySet<string>,
): Pair | null {
  const ups = group.filter((f) => f.direction === 'up');
  const downs = group.filter((f) => f.direction === 'down');
  if (ups.length > 1 || downs.length > 1) {
    problems.push(...duplicates(version, group));
    return null;
  }
  const [up] = ups;
  const [down] = downs;
  if (!up || !down) {
    const [found, missing] = up ? [up, 'down' as const] : [down, 'up' as const];
    if (!refused.has(scriptKey(version, found.name, missing))) problems.push(orphan(found, missing));
    return null;
  }
  if (up.name !== down.name) {
    problems.push(
      {
        path: up.script.path,
        reason: `name "${up.name}" differs from its down script ${down.script.path}; use one name for both`,
      },
      {
        path: down.script.path,
        reason: `name "${down.name}" differs from its up script ${up.script.path}; use one name for both`,
      },
    );
    return null;
  }
  return { version, name: up.name, label: `${up.versionText}_${up.name}`, up: up.script, down: down.script };
}

/** One problem per script of a version used more than once. */
function duplicates(version: bigint, group: readonly Found[]): ScanProblem[] {
  const label = (f: Found) => `${f.versionText}_${f.name}`;
  return group.map((f) => {
    const others = [...new Set(group.filter((g) => label(g) !== label(f)).map((g) => g.script.path))].join(', ');
    const reason = others === '' ? 'the same migration appears twice (in different folders)' : `also used by ${others}`;
    return { path: f.script.path, reason: `duplicate version ${version} (${reason}); give one of them a new version` };
  });
}

/** A script whose partner is missing. */
function orphan(found: Found, missing: Direction): ScanProblem {
  const add = `${found.versionText}_${found.name}.${missing}.sql`;
  return {
    path: found.script.path,
    reason:
      missing === 'up'
        ? `down script without an up script; add ${add}`
        : `up script without a down script; add ${add} (mark it "-- tidemark:irreversible" if it cannot be undone)`,
  };
}
