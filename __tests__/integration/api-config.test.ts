/** The library API and config files: read only when named (`config`), never ./tidemark.config.json implicitly. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { apply, ConfigError, status } from '../../lib/index';
import { useTestDatabase } from '../helpers/db';
import { removeDir, tempDir, useMigrationsDir } from '../helpers/files';

const db = useTestDatabase();
const migrations = useMigrationsDir();
let dir: string;
let project: string;
const cwd = process.cwd();
beforeEach(async () => {
  dir = migrations({ '1_a.up.sql': 'CREATE TABLE a (id int);', '1_a.down.sql': 'DROP TABLE a;' });
  project = tempDir();
});
afterEach(async () => {
  process.chdir(cwd);
  removeDir(project);
});

test('config: a file and environment, as the CLI reads them', async () => {
  const file = path.join(project, 'tidemark.json');
  writeFileSync(file, JSON.stringify({ dir, environments: { production: { url: db.url, table: 'prod_history' } } }));
  const result = await apply({ config: file, environment: 'production' });
  expect(result.completed).toHaveLength(1);
  expect(await db.query('SELECT version::text, environment FROM prod_history')).toEqual([
    { version: '1', environment: 'production' },
  ]);
});

test('config errors are typed ConfigErrors naming the file and the key', async () => {
  const file = path.join(project, 'tidemark.json');
  writeFileSync(file, JSON.stringify({ lockWait: 'soon' }));
  await expect(status({ config: file, url: db.url, dir })).rejects.toThrow(ConfigError);
  await expect(status({ config: file, url: db.url, dir })).rejects.toMatchObject({ facts: { file, key: 'lockWait' } });
});

test('./tidemark.config.json is not read unless named', async () => {
  writeFileSync(
    path.join(project, 'tidemark.config.json'),
    JSON.stringify({ table: 'not_this_one', lockWait: 'invalid' }),
  );
  process.chdir(project);
  await apply({ url: db.url, dir });
  expect(await db.query("SELECT to_regclass('public.tidemark_migrations') IS NOT NULL AS ok")).toEqual([{ ok: true }]);
});
