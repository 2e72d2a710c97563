/**
 * The platform package's install script makes the libraries' symlinks
 * (`libicui18n.so.60 -> libicui18n.so.60.2`) from its own list,
 * native/pg-symlinks.json. npm 11 and pnpm 10 do not run install scripts
 * unless approved, so without them `postgres` fails on a missing library.
 * Instead of writing into node_modules (which may be read-only), the links
 * are made in a cache folder, beside a link to every library the package
 * has, which goes on LD_LIBRARY_PATH
 * (DYLD_FALLBACK_LIBRARY_PATH on macOS).
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import type { Binaries } from './platform';

interface Link {
  /** The real file, relative to the package: native/lib/libicui18n.so.60.2. */
  readonly source: string;
  /** The link the install script would have made: native/lib/libicui18n.so.60. */
  readonly target: string;
}

export function packageLinks(binaries: Binaries): Link[] {
  try {
    return JSON.parse(readFileSync(path.join(binaries.root, 'native', 'pg-symlinks.json'), 'utf8')) as Link[];
  } catch {
    return [];
  }
}

function present(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/** The links the install script would have made and that are not there. */
export function missingLinks(binaries: Binaries): Link[] {
  return packageLinks(binaries).filter((link) => !present(path.join(binaries.root, link.target)));
}

/**
 * Makes the missing links in `<cache>/lib` (built aside and renamed, so two
 * runs at once never see half of it) and returns the extra environment the
 * binaries need; nothing when the install script ran.
 */
export function hydrate(binaries: Binaries, cache: string): NodeJS.ProcessEnv {
  const missing = missingLinks(binaries);
  if (missing.length === 0) return {};
  const lib = path.join(cache, 'lib');
  const complete = missing.every((link) => present(path.join(lib, path.basename(link.target))));
  if (!complete) {
    const building = `${lib}.${process.pid}.tmp`;
    rmSync(building, { recursive: true, force: true });
    mkdirSync(building, { recursive: true });
    // A library found here has $ORIGIN here: its own dependencies (libpq's libssl) must be here too.
    const native = path.join(binaries.root, 'native', 'lib');
    for (const name of readdirSync(native)) symlinkSync(path.join(native, name), path.join(building, name));
    for (const link of missing)
      symlinkSync(path.join(binaries.root, link.source), path.join(building, path.basename(link.target)));
    rmSync(lib, { recursive: true, force: true });
    try {
      renameSync(building, lib);
    } catch (err) {
      rmSync(building, { recursive: true, force: true });
      if (!existsSync(lib)) throw err;
    }
  }
  const variable = process.platform === 'darwin' ? 'DYLD_FALLBACK_LIBRARY_PATH' : 'LD_LIBRARY_PATH';
  const rest = process.env[variable];
  return { [variable]: rest ? `${lib}${path.delimiter}${rest}` : lib };
}
