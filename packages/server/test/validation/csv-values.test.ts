import { describe, expect, it } from 'vitest';
import { csvCell, csvCellValue } from '../../src/validation/csv-values.ts';

describe('a CSV cell as a JSON body would have carried it', () => {
  it.each([
    ['', false, null],
    ['0', false, 0],
    ['148', false, 148],
    ['-0.627', false, -0.627],
    ['1e3', false, 1000],
    ['  ', false, '  '],
    ['high', false, 'high'],
    ['', true, null],
    ['1', true, '1'],
    ['African American', true, 'African American'],
  ])('%j (categorical: %s) is %j', (cell, categorical, value) => {
    expect(csvCellValue(cell, categorical)).toEqual(value);
  });

  it('quotes a written value only when it holds a comma, a quote or a line break', () => {
    expect(['pos', 'b,2', 'say "hi"', 'two\nlines'].map(csvCell)).toEqual([
      'pos',
      '"b,2"',
      '"say ""hi"""',
      '"two\nlines"',
    ]);
  });
});
