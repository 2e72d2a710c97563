/**
 * `import`: another tool's migrations folder → tidemark pairs and the
 * mapping file `tidemark-import.json`, in OUT_DIR. Reads SRC_DIR, plans
 * (lib/import, pure), and writes only when nothing is refused: into a
 * temporary folder beside OUT_DIR, checked as `verify --offline` checks a
 * folder, then moved into place. Never touches a database.
 */
import { randomUUID } from 'node:crypto';
import {
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { ConfigError, ScanError } from '../errors';
import { mappingFile, planImport, type ImportPlan } from '../import/plan';
import { MAPPING_FILE, type MappingFile, type SourceFile, type Tool } from '../import/types';
import { throwTransactionProblems, transactionProblems } from '../plan/transactions';
import { inspect } from '../source/scanner';

export interface ImportRequest {
  readonly tool: Tool;
  readonly sourceDir: string;
  readonly outDir: string;
  readonly placeholders: ReadonlyMap<string, string>;
  /** Import what can be, list the rest (exit 0). */
  readonly skipUnsupported: boolean;
  /** Write into an OUT_DIR that already holds files (never replacing one, never reusing a version). */
  readonly intoExisting: boolean;
}

export interface ImportReport {
  readonly plan: ImportPlan;
  readonly mapping: MappingFile;
  readonly outDir: string;
  /** False when anything was refused: nothing was written. */
  readonly written: boolean;
  /** Why nothing was written: problems, or unsupported files without --skip-unsupported. */
  readonly refused: boolean;
}

export function importMigrations(request: ImportRequest): ImportReport {
  const source = path.resolve(request.sourceDir);
  const out = path.resolve(request.outDir);
  if (!isDirectory(source))
    throw new ConfigError(
      `${request.sourceDir} is not a directory: give the other tool's migrations folder as SRC_DIR.`,
    );
  if (source === out)
    throw new ConfigError(
      `SRC_DIR and --dir are the same folder (${request.outDir}): import writes new files; give another --dir, e.g. --dir migrations.`,
    );
  const plan = planImport(request.tool, readSource(source), { placeholders: request.placeholders });
  const relative = path.relative(out, source).split(path.sep).join('/');
  const mapping = mappingFile(plan, path.isAbsolute(relative) || relative === '' ? source : relative);
  const refused = plan.problems.length > 0 || (plan.unsupported.length > 0 && !request.skipUnsupported);
  if (refused) return { plan, mapping, outDir: request.outDir, written: false, refused };
  checkOutDir(request, out, plan);
  write(out, plan, mapping);
  return { plan, mapping, outDir: request.outDir, written: true, refused };
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** Every file under `dir`, dot-entries and node_modules skipped, as `/`-separated relative paths. */
function readSource(dir: string): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      const kind = entry.isSymbolicLink() ? linked(path.join(dir, child)) : entry;
      if (kind?.isDirectory() && !entry.isSymbolicLink()) walk(child);
      else if (kind?.isFile()) files.push({ path: child, bytes: readSourceFile(dir, child) });
    }
  };
  walk('');
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** What a link points to; null when it is broken. Links to folders are not followed (a loop cannot start). */
function linked(target: string): { isDirectory(): boolean; isFile(): boolean } | null {
  try {
    return statSync(target);
  } catch {
    return null;
  }
}

function readSourceFile(dir: string, child: string): Buffer {
  try {
    return readFileSync(path.join(dir, child));
  } catch (err) {
    throw new ConfigError(`Cannot read ${path.join(dir, child)}: ${(err as Error).message}. Nothing was written.`);
  }
}

/** OUT_DIR must be new or empty, or, with --into-existing, free of every name and version to write. */
function checkOutDir(request: ImportRequest, out: string, plan: ImportPlan): void {
  if (!existsSync(out)) return;
  if (!isDirectory(out)) throw new ConfigError(`--dir ${request.outDir} is a file, not a folder.`);
  const present = readdirSync(out);
  if (present.length === 0) return;
  if (!request.intoExisting)
    throw new ConfigError(
      `--dir ${request.outDir} is not empty (${present.slice(0, 3).join(', ')}${present.length > 3 ? ', …' : ''}); nothing was written. Import into a new or empty folder, or add --into-existing to add the pairs beside the files there.`,
    );
  const names = [MAPPING_FILE, ...plan.files.map((f) => f.name)].filter((name) => existsSync(path.join(out, name)));
  const { pairs } = inspect(out);
  const versions = new Set(plan.migrations.map((m) => BigInt(m.version)));
  const reused = pairs.filter((p) => versions.has(p.version)).map((p) => `${p.version} (${p.up.path})`);
  if (names.length > 0 || reused.length > 0)
    throw new ConfigError(
      `--dir ${request.outDir} already holds ${[...names, ...reused.map((r) => `version ${r}`)].join(', ')}; nothing was written. Move them away, or import into a new folder.`,
    );
}

/**
 * Moves the checked files into OUT_DIR: the folder itself when OUT_DIR is
 * new or empty, else file by file, each copied only where no file of that
 * name is (a file that appeared since the check is never overwritten). A
 * copy that fails removes the ones made before it: nothing is left half
 * written. @internal exported for its test.
 */
export function moveInto(temp: string, out: string): void {
  if (existsSync(out) && readdirSync(out).length === 0) rmdirSync(out);
  if (!existsSync(out)) return renameSync(temp, out);
  const copied: string[] = [];
  try {
    for (const name of readdirSync(temp)) {
      copyFileSync(path.join(temp, name), path.join(out, name), constants.COPYFILE_EXCL);
      copied.push(path.join(out, name));
    }
  } catch (err) {
    for (const file of copied) rmSync(file, { force: true });
    throw err;
  }
}

/** Runs a file-system write; its failure (EACCES, EROFS, ENOSPC) is a ConfigError naming --dir. */
function writable<T>(out: string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (!(err instanceof Error) || !('syscall' in err)) throw err;
    throw new ConfigError(`Cannot write into ${out}: ${err.message}. Nothing was written.`);
  }
}

/** Writes into a temporary folder beside OUT_DIR, checks it as `verify --offline` does, then moves it into place. */
function write(out: string, plan: ImportPlan, mapping: MappingFile): void {
  writable(out, () => mkdirSync(path.dirname(out), { recursive: true }));
  // mkdirSync, not mkdtempSync: the folder may become OUT_DIR itself, and must get the umask's mode, not 0700.
  const temp = path.join(path.dirname(out), `.${path.basename(out)}.tidemark-import-${process.pid}-${randomUUID()}`);
  writable(out, () => mkdirSync(temp));
  try {
    writable(out, () => {
      for (const file of plan.files) writeFileSync(path.join(temp, file.name), file.content);
      writeFileSync(path.join(temp, MAPPING_FILE), `${JSON.stringify(mapping, null, 2)}\n`);
    });
    const { pairs, problems } = inspect(temp);
    if (problems.length > 0) throw new ScanError(out, problems);
    throwTransactionProblems(
      pairs.flatMap((p) => [transactionProblems(p.up), transactionProblems(p.down)]).flat(),
      'verify',
    );
    writable(out, () => moveInto(temp, out));
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}
