import { columns, table } from '../../../lib/cli/columns';

test('pads each column to its widest cell, two spaces apart, the last one not padded', () => {
  expect(
    table(
      ['name', 'n'],
      [
        ['a', '1'],
        ['longer', '22'],
      ],
    ),
  ).toEqual(['name    n', 'a       1', 'longer  22']);
});

test('a missing cell is empty, and no line ends in spaces', () => {
  expect(columns([['a', 'b', 'c'], ['xx'], ['y', '', '']])).toEqual(['a   b  c', 'xx', 'y']);
});

test('with rule: dashes under the header, as wide as each column', () => {
  expect(
    columns(
      [
        ['v', 'name'],
        ['10', 'x'],
      ],
      { rule: true },
    ),
  ).toEqual(['v   name', '--  ----', '10  x']);
});
