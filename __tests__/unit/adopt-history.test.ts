/** The pure half of `adopt`: how versions are matched, and the CLI's list of tools. */
import { adoptCommand } from '../../lib/cli/commands/adopt';
import { FOREIGN_TOOLS } from '../../lib/db/foreign-history/types';
import type { ForeignRow, ForeignTool } from '../../lib/db/foreign-history/types';
import { flywayParts } from '../../lib/import/flyway-versions';
import { decideAdoption, versionKey } from '../../lib/migrator/adopt-history';
import type { MappedMigration } from '../../lib/migrator/adopt-mapping';
import type { Pair } from '../../lib/types';

test('the CLI offers exactly the tools adopt reads', () => {
  expect(adoptCommand.options?.from.choices).toEqual([...FOREIGN_TOOLS]);
});

test.each([
  ['flyway', '1.2', '1.2.0'],
  ['flyway', '1_2', '1.2'],
  ['flyway', '01.02', '1.2'],
  ['golang-migrate', '000001', '1'],
  ['goose', '20240101120000', '020240101120000'],
  ['postgrator', '007', '7'],
  ['diesel', '2024-01-01-120000', '20240101120000'],
] as const)('%s: %s and %s are the same version', (tool, a, b) => {
  expect(versionKey(tool, a)).toBe(versionKey(tool, b));
});

test.each([
  ['flyway', '1.2', '1.20'],
  ['dbmate', '001', '1'],
  ['node-pg-migrate', '1704110400000_users', '1704110400000_Users'],
] as const)('%s: %s and %s are different versions', (tool, a, b) => {
  expect(versionKey(tool, a)).not.toBe(versionKey(tool, b));
});

test('Flyway versions compare as numbers, trailing zeros dropped', () => {
  expect(flywayParts('2.10.0')).toEqual([2n, 10n]);
  expect(flywayParts('0')).toEqual([0n]);
});

describe('decideAdoption', () => {
  const pair = (version: number, name: string) =>
    ({
      version: BigInt(version),
      name,
      label: `${version}_${name}`,
      up: { checksum: 'u' },
      down: { checksum: 'd' },
    }) as unknown as Pair;
  const mapped = (version: number, name: string, sourceVersion: string): MappedMigration => ({
    version: BigInt(version),
    name,
    sourceVersion,
    sourceFiles: [],
    checksum: null,
  });
  const row = (sourceVersion: string, kind: ForeignRow['kind'] = 'applied'): ForeignRow => ({
    sourceVersion,
    kind,
    checksum: null,
    appliedAt: null,
    durationMs: null,
    script: null,
  });
  const decide = (tool: ForeignTool, rows: ForeignRow[], unsupported: { file: string; reason: string }[] = []) =>
    decideAdoption(
      { tool, schema: 'public', table: 't', rows },
      { file: 'm.json', tool, source: '/src', migrations: [mapped(1, 'a', '1'), mapped(3, 'c', '3')], unsupported },
      [pair(1, 'a'), pair(3, 'c')],
    );

  test('a goose Go migration in the history, which import skipped, is named with its reason', () => {
    const d = decide(
      'goose',
      [row('0', 'bookkeeping'), row('1'), row('2'), row('3')],
      [{ file: 'db/00002_seed.go', reason: 'Go migration' }],
    );
    expect(d.problems.map((p) => p.message)).toEqual([
      expect.stringContaining(
        'goose ran 2, but no imported migration has that version. Import skipped db/00002_seed.go: Go migration.',
      ),
    ]);
  });

  test('goose: applied, rolled back, applied again counts as applied; rolled back last counts as not', () => {
    expect(
      decide('goose', [row('1'), row('3'), row('3', 'rolled-back'), row('3')]).adopted.map((a) => a.pair.label),
    ).toEqual(['1_a', '3_c']);
    const rolledBack = decide('goose', [row('1'), row('3'), row('3', 'rolled-back')]);
    expect(rolledBack.adopted.map((a) => a.pair.label)).toEqual(['1_a']);
    expect(rolledBack.pending.map((p) => p.label)).toEqual(['3_c']);
    expect(rolledBack.problems).toEqual([]);
  });

  test('a dirty or failed row is the only problem reported: nothing else can be trusted', () => {
    const d = decide('golang-migrate', [row('3', 'dirty')]);
    expect(d.problems).toEqual([{ kind: 'state', message: expect.stringContaining('force 3') }]);
    expect(d.adopted).toEqual([]);
  });

  test('an empty history is refused: nothing to adopt', () => {
    expect(decide('dbmate', []).problems).toEqual([
      { kind: 'history', message: expect.stringContaining('records no applied migration: there is nothing to adopt') },
    ]);
  });
});
