/**
 * As root, the server runs as `nobody`, who must be able to read the
 * binaries. A project under /root (mode 700) shuts it out: the package is
 * then copied once into /var/cache/tidemark/pg-<version>/ (root's own,
 * mode 755, a folder no other user can write), and run from there.
 */
import { cpSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { closedFolder, type RunAs } from './owner';
import { exe, type Binaries } from './platform';

export const SYSTEM_CACHE = '/var/cache/tidemark';

/** The binaries `who` can run: these, or a copy in the system cache. */
export function reachableBinaries(binaries: Binaries, who: RunAs | undefined, base = SYSTEM_CACHE): Binaries {
  if (!who || closedFolder(binaries.bin) === undefined) return binaries;
  const root = path.join(base, `pg-${binaries.version}`, 'package');
  if (!existsSync(path.join(root, 'native', 'bin', exe('postgres')))) {
    mkdirSync(path.dirname(root), { recursive: true, mode: 0o755 });
    const building = `${root}.${process.pid}.tmp`;
    rmSync(building, { recursive: true, force: true });
    cpSync(binaries.root, building, { recursive: true, verbatimSymlinks: true });
    try {
      renameSync(building, root);
    } catch (err) {
      rmSync(building, { recursive: true, force: true });
      if (!existsSync(root)) throw err;
    }
  }
  // Another user must not be able to change what root hands to nobody.
  if ((statSync(path.dirname(root)).mode & 0o022) !== 0) return binaries;
  return { ...binaries, root, bin: path.join(root, 'native', 'bin') };
}
