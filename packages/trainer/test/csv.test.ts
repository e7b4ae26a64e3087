import { describe, expect, it } from 'vitest';
import { parseCsv } from '../src/csv.ts';

describe('parseCsv', () => {
  it('reads quoted cells with commas, escaped quotes and line breaks', () => {
    const table = parseCsv('a,"b"\n"1,5","say ""hi"""\n2,"two\nlines"\n');
    expect(table.header).toEqual(['a', 'b']);
    expect(table.rows).toEqual([
      { line: 2, cells: ['1,5', 'say "hi"'] },
      { line: 3, cells: ['2', 'two\nlines'] },
    ]);
  });

  it('accepts CRLF, a byte-order mark, blank lines and a missing final newline', () => {
    const table = parseCsv('\uFEFFx,y\r\n1,2\r\n\r\n3,\r\n4,5');
    expect(table.header).toEqual(['x', 'y']);
    expect(table.rows.map((row) => [row.line, ...row.cells])).toEqual([
      [2, '1', '2'],
      [4, '3', ''],
      [5, '4', '5'],
    ]);
  });

  it('names the line whose cell count differs from the header', () => {
    expect(() => parseCsv('a,b\n1,2\n3\n')).toThrow('line 3: 1 cells, but the header has 2 columns');
  });

  it('rejects an empty file, a nameless or repeated column, and an unclosed quote', () => {
    expect(() => parseCsv('')).toThrow('the data file is empty');
    expect(() => parseCsv('\n\n')).toThrow('the data file is empty');
    expect(() => parseCsv('a,,c\n')).toThrow('column 2 of the header has no name');
    expect(() => parseCsv('a,a\n')).toThrow('column "a" appears twice');
    expect(() => parseCsv('a\n"open\n')).toThrow('line 2: a quoted cell is never closed');
    expect(() => parseCsv('a,b\n"1"2,3\n')).toThrow('line 2: text after the closing quote of a cell');
    expect(() => parseCsv('a,b\n1"2",3\n')).toThrow('line 2: a quote inside an unquoted cell');
  });
});
