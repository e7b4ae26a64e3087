import { describe, expect, it } from 'vitest';
import { CsvParser, csvRecords } from '../src/csv.ts';

const records = (text: string) => [...csvRecords(text)];
/** The same text fed one character at a time: every record must come out the same. */
const trickled = (text: string) => {
  const parser = new CsvParser();
  const out = [...text].flatMap((char) => [...parser.push(char)]);
  return [...out, ...parser.end()];
};

describe('the CSV parser', () => {
  const quoted = 'a,"b"\n"1,5","say ""hi"""\n2,"two\nlines"\n';

  it('reads quoted cells with commas, escaped quotes and line breaks, and keeps each record as written', () => {
    expect(records(quoted)).toEqual([
      { line: 1, cells: ['a', 'b'], text: 'a,"b"' },
      { line: 2, cells: ['1,5', 'say "hi"'], text: '"1,5","say ""hi"""' },
      { line: 3, cells: ['2', 'two\nlines'], text: '2,"two\nlines"' },
    ]);
  });

  it('gives the same records however the text is cut into chunks', () => {
    const text = `\uFEFF${quoted}x,\r\n\r\n"",5\r\n7,"end"`;
    expect(trickled(text)).toEqual(records(text));
    expect(trickled(text).map((record) => record.line)).toEqual([1, 2, 3, 5, 7, 8]);
  });

  it('accepts CRLF, a byte-order mark, blank lines, spaces around quoted cells and a missing final newline', () => {
    expect(
      records('\uFEFFx,y\r\n1,2\r\n\r\n3, "q" \r\n4,5').map((r) => [r.line, r.text, ...r.cells]),
    ).toEqual([
      [1, 'x,y', 'x', 'y'],
      [2, '1,2', '1', '2'],
      [4, '3, "q" ', '3', 'q'],
      [5, '4,5', '4', '5'],
    ]);
  });

  it('keeps a quoted empty cell as a value rather than a blank line', () => {
    expect(records('a\n""\n\n1\n')).toEqual([
      { line: 1, cells: ['a'], text: 'a' },
      { line: 2, cells: [''], text: '""' },
      { line: 4, cells: ['1'], text: '1' },
    ]);
  });

  it('names the line of a broken quote', () => {
    expect(() => records('a\n"open\n')).toThrow('line 2: a quoted cell is never closed');
    expect(() => records('a,b\n"1"2,3\n')).toThrow('line 2: text after the closing quote of a cell');
    expect(() => records('a,b\n1"2",3\n')).toThrow('line 2: a quote inside an unquoted cell');
  });
});
