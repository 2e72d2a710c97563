/** The pure half of `adopt`: how versions are matched, and the CLI's list of tools. */
import { adoptCommand } from '../../lib/cli/commands/adopt';
import { FOREIGN_TOOLS } from '../../lib/db/foreign-history/types';
import { flywayParts, versionKey } from '../../lib/migrator/adopt-history';

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
