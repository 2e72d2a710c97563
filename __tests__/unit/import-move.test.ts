/**
 * import --into-existing puts the checked files beside the ones already in
 * OUT_DIR: never over a file that appeared since the check, and never half
 * (a failed copy takes back the ones before it).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { moveInto } from '../../lib/migrator/import';
import { removeDir, tempDir } from '../helpers/files';

let temp: string;
let out: string;
beforeEach(() => {
  temp = tempDir('tidemark-import-temp-');
  out = tempDir('tidemark-import-out-');
  for (const name of ['001_a.up.sql', '001_a.down.sql', '002_b.up.sql', '002_b.down.sql'])
    writeFileSync(path.join(temp, name), `-- new ${name}\n`);
  writeFileSync(path.join(out, '000_old.up.sql'), '-- old\n');
});
afterEach(() => {
  removeDir(temp);
  removeDir(out);
});

test('into a folder holding other files: every new file beside them', () => {
  moveInto(temp, out);
  expect(readdirSync(out).sort()).toEqual([
    '000_old.up.sql',
    '001_a.down.sql',
    '001_a.up.sql',
    '002_b.down.sql',
    '002_b.up.sql',
  ]);
});

test('a file of the same name appeared since the check: it is kept, and none of the new files is left', () => {
  writeFileSync(path.join(out, '002_b.up.sql'), '-- written meanwhile\n');
  expect(() => moveInto(temp, out)).toThrow(/EEXIST/);
  expect(readdirSync(out).sort()).toEqual(['000_old.up.sql', '002_b.up.sql']);
  expect(readFileSync(path.join(out, '002_b.up.sql'), 'utf8')).toBe('-- written meanwhile\n');
});
