/**
 * The example migrations in sql/ lint clean: every up script, in order, as
 * a new project's CI would lint them (no database). A finding here means a
 * rule fires on ordinary, safe migrations (a false alarm to fix in the
 * rule), or an example that needs a reasoned `-- tidemark:lint-ignore`.
 */
import path from 'node:path';
import { runInProcess } from '../helpers/in-process';

const SQL = path.resolve(__dirname, '..', '..', 'sql');

test('sql/ has no finding at any severity', async () => {
  const { code, stdout, stderr } = await runInProcess(['lint', '--dir', SQL, '--json']);
  const doc = JSON.parse(stdout);
  expect({ code, stderr, findings: doc.findings }).toEqual({ code: 0, stderr: '', findings: [] });
  expect(doc.files).toHaveLength(8);
});
