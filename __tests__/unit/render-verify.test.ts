/**
 * The diffs of edited scripts and verify's three report formats, on plain
 * values (no database).
 */
import { discrepancyDiffs, firstChangedLine } from '../../lib/cli/diff';
import { renderGithub, renderVerify, verifyDocument } from '../../lib/cli/render-verify';
import type { VerifyReport } from '../../lib/migrator';
import type { BranchConflict } from '../../lib/plan/branches';
import type { Discrepancy } from '../../lib/types';
import { pair } from '../helpers/pairs';

describe('firstChangedLine', () => {
  it.each([
    ['a changed line', 'a\nb\nc\n', 'a\nB\nc\n', 2],
    ['an inserted line', 'a\nb\nc\n', 'a\nb\nx\nc\n', 3],
    ['a deleted middle line: the line that now follows it', 'a\nb\nc\n', 'a\nc\n', 2],
    ['a deleted first line', 'a\nb\nc\n', 'b\nc\n', 1],
    ['a deleted last line: the last line left', 'a\nb\nc\n', 'a\nb\n', 2],
    ['a line appended', 'a\n', 'a\nb\n', 2],
    ['everything deleted', 'a\nb\n', '', 1],
    ['no change', 'a\nb\n', 'a\nb\n', 1],
  ])('%s', (_label, before, after, line) => {
    expect(firstChangedLine(before, after)).toBe(line);
  });
});

const APPLIED_UP = 'CREATE TABLE t (\n  id int,\n  name text\n);\n';
const p1 = pair(1, 'tables', { up: 'CREATE TABLE t (\n  id int,\n  label text\n);\n' });
const edited: Discrepancy = {
  kind: 'edited',
  version: 1n,
  name: 'tables',
  scripts: ['up'],
  paths: [p1.up.path, p1.down.path],
  applied: { up: APPLIED_UP },
};

describe('discrepancyDiffs', () => {
  it('gives a unified diff of the applied text against the file, and the first changed line', () => {
    const [diff] = discrepancyDiffs(edited, p1);
    expect(diff.path).toBe('001_tables.up.sql');
    expect(diff.firstChangedLine).toBe(3);
    const lines = (diff.patch as string).split('\n');
    expect(lines.slice(0, 2)).toEqual(['--- 001_tables.up.sql (applied)', '+++ 001_tables.up.sql (on disk)']);
    expect(lines.filter((l) => /^[-+](?![-+]{2} )/.test(l))).toEqual(['-  name text', '+  label text']);
  });

  it('has a null patch when the ledger kept only the checksum', () => {
    expect(discrepancyDiffs({ ...edited, applied: { up: null } }, p1)).toEqual([
      { path: '001_tables.up.sql', patch: null, firstChangedLine: 1 },
    ]);
    const noText: Discrepancy = {
      kind: 'edited',
      version: 1n,
      name: 'tables',
      scripts: ['up'],
      paths: [p1.up.path, p1.down.path],
    };
    expect(discrepancyDiffs(noText, p1)[0].patch).toBeNull();
  });

  it('shows only the real change when the script was applied from a CRLF checkout', () => {
    const [diff] = discrepancyDiffs({ ...edited, applied: { up: APPLIED_UP.replace(/\n/g, '\r\n') } }, p1);
    expect((diff.patch as string).split('\n').filter((l) => /^[-+](?![-+]{2} )/.test(l))).toEqual([
      '-  name text',
      '+  label text',
    ]);
    expect(diff.firstChangedLine).toBe(3);
  });

  it('gives one diff per changed script, and none for other kinds', () => {
    const both = pair(2, 'both', { up: 'SELECT 20;\n', down: 'SELECT -20;\n' });
    const d: Discrepancy = {
      kind: 'edited',
      version: 2n,
      name: 'both',
      scripts: ['up', 'down'],
      paths: [both.up.path, both.down.path],
      applied: { up: 'SELECT 2;\n', down: 'SELECT -2;\n' },
    };
    expect(discrepancyDiffs(d, both).map((x) => x.path)).toEqual(['002_both.up.sql', '002_both.down.sql']);
    expect(discrepancyDiffs({ kind: 'missing', version: 2n, name: 'both' }, both)).toEqual([]);
  });
});

const cosmeticPair = pair(2, 'comments', { up: '-- reworded\nSELECT 2;\n' });
const cosmetic: Discrepancy = {
  kind: 'cosmetic',
  version: 2n,
  name: 'comments',
  scripts: ['up'],
  paths: [cosmeticPair.up.path, cosmeticPair.down.path],
  applied: { up: '-- note\nSELECT 2;\n' },
};
const conflict: BranchConflict = {
  ref: 'main',
  version: 3n,
  name: 'late',
  path: 'sub/003_late.up.sql',
  existing: { version: 4n, path: '004_early.up.sql' },
  suggestedVersion: '005',
};

function report(
  discrepancies: Discrepancy[],
  branchConflicts: BranchConflict[] = [],
  failing = discrepancies.filter((d) => d.kind !== 'cosmetic').length + branchConflicts.length,
): VerifyReport {
  return { online: true, strict: false, pairs: [p1, cosmeticPair], discrepancies, branchConflicts, mixed: [], failing };
}

describe('renderVerify', () => {
  it('groups by kind, edits first and cosmetic last, with the diff under each edit', () => {
    const text = renderVerify(report([edited, cosmetic]));
    const lines = text.split('\n');
    const editedAt = lines.indexOf('modified — changed after they were applied (1):');
    const cosmeticAt = lines.indexOf('cosmetic — only comments or whitespace changed (warning) (1):');
    expect(editedAt).toBeGreaterThanOrEqual(0);
    expect(cosmeticAt).toBeGreaterThan(editedAt);
    expect(lines.indexOf('    -  name text')).toBeGreaterThan(editedAt);
    expect(lines.indexOf('    +  label text')).toBeLessThan(cosmeticAt);
    expect(lines.indexOf('    +-- reworded')).toBeGreaterThan(cosmeticAt);
    expect(lines[lines.length - 1]).toMatch(/^verify: FAILED/);
  });

  it('says so instead of a diff when the ledger kept only the checksum', () => {
    expect(renderVerify(report([{ ...edited, applied: { up: null } }]))).toContain('no diff can be shown');
  });
});

describe('verifyDocument', () => {
  it('carries the verdict, each discrepancy with its diffs, and the branch conflicts', () => {
    const doc = JSON.parse(JSON.stringify(verifyDocument(report([edited, cosmetic], [conflict]))));
    expect(doc).toMatchObject({ ok: false, online: true, migrations: 2, failing: 2 });
    expect(doc.discrepancies.map((d: { kind: string; version: string }) => [d.kind, d.version])).toEqual([
      ['edited', '1'],
      ['cosmetic', '2'],
    ]);
    expect(doc.discrepancies[0].paths).toEqual(['001_tables.up.sql', '001_tables.down.sql']);
    expect(doc.discrepancies[0].diffs).toEqual([
      { path: '001_tables.up.sql', first_changed_line: 3, patch: expect.stringContaining('+  label text') },
    ]);
    expect(doc.branch_conflicts).toEqual([
      {
        version: '3',
        name: 'late',
        path: 'sub/003_late.up.sql',
        existing: { version: '4', path: '004_early.up.sql' },
        suggested_version: '005',
        message: expect.any(String),
      },
    ]);
  });

  it('is ok with cosmetic edits only', () => {
    expect(verifyDocument(report([cosmetic]))).toMatchObject({ ok: true, failing: 0 });
  });
});

describe('renderGithub', () => {
  const commands = (text: string) => text.split('\n').filter((l) => l.startsWith('::'));

  it('prints one annotation per problem on the file and first changed line, paths under --dir', () => {
    const lines = commands(renderGithub(report([edited, cosmetic], [conflict]), 'db/migrations'));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^::error file=db\/migrations\/001_tables\.up\.sql,line=3,title=tidemark%3A modified migration::/,
    );
    expect(lines[1]).toMatch(/^::warning file=db\/migrations\/002_comments\.up\.sql,line=1,title=[^:]+::/);
    expect(lines[2]).toMatch(/^::error file=db\/migrations\/sub\/003_late\.up\.sql,line=1,title=[^:]+::/);
  });

  it('keeps each annotation on one line: newlines become %0A and % becomes %25', () => {
    const pct = pair(1, 'tables', { up: "SELECT '100%';\n" });
    const d: Discrepancy = { ...edited, applied: { up: "SELECT '50%';\n" } };
    const [line] = commands(renderGithub({ ...report([d]), pairs: [pct] }, 'sql'));
    const message = line.slice(line.indexOf('::', 2) + 2);
    expect(message).not.toMatch(/[\r\n]/);
    expect(message).toContain("%0A+SELECT '100%25';");
    expect(message).toContain("%0A-SELECT '50%25';");
  });

  it('annotates line 1 when no diff can be shown', () => {
    const [line] = commands(renderGithub(report([{ ...edited, applied: { up: null } }]), 'sql'));
    expect(line).toMatch(/^::error file=sql\/001_tables\.up\.sql,line=1,/);
  });

  it('prints no annotation when clean, only the verdict', () => {
    const text = renderGithub(report([]), 'sql');
    expect(commands(text)).toEqual([]);
    expect(text).toMatch(/^verify: OK/);
  });
});

describe('--strict', () => {
  it('turns a cosmetic edit into an error annotation and says so in the human report', () => {
    const strict = { ...report([cosmetic], [], 1), strict: true };
    expect(renderGithub(strict, 'sql').split('\n')[0]).toMatch(/^::error file=sql\/002_comments\.up\.sql,line=1,/);
    expect(renderVerify(strict)).toContain(
      'cosmetic — only comments or whitespace changed (failing under --strict) (1):',
    );
    expect(renderGithub(report([cosmetic]), 'sql').split('\n')[0]).toMatch(/^::warning /);
  });
});
