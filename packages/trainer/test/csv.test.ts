import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvRecords } from '@glyco/contract';
import { afterAll, describe, expect, it } from 'vitest';
import { csvFileRecords } from '../src/csv.ts';
import { readTable } from '../src/table.ts';

describe('reading a CSV file', () => {
  const work = mkdtempSync(join(tmpdir(), 'glyco-csv-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('streams records across chunk boundaries (a file larger than one 1 MiB chunk)', () => {
    const path = join(work, 'large.csv');
    const rows = Array.from({ length: 40_000 }, (_, i) => `${i},"text, ${i}",${i % 7 ? i * 0.5 : ''}`);
    writeFileSync(path, `id,note,value\n${rows.join('\n')}\n`);
    const all = [...csvFileRecords(path)];
    expect(all).toHaveLength(40_001);
    expect(all[40_000]).toMatchObject({ line: 40_001, cells: ['39999', 'text, 39999', '19999.5'] });
    expect(readTable(csvFileRecords(path)).rows).toBe(40_000);
  });
});

describe('readTable', () => {
  const table = (text: string) => readTable(csvRecords(text));

  it('reads every column as numbers, and as texts while it has few distinct ones', () => {
    const { header, rows, lines, columns } = table('x,kind\n1.5,a\n,b\n3,a\n');
    expect(header).toEqual(['x', 'kind']);
    expect(rows).toBe(3);
    expect(Array.from(lines)).toEqual([2, 3, 4]);
    expect(Array.from(columns[0]!.numbers)).toEqual([1.5, Number.NaN, 3]);
    expect(columns[0]!.empty).toBe(1);
    expect(columns[0]!.firstEmptyLine).toBe(3);
    expect(columns[1]!.texts!.values).toEqual(['a', 'b']);
    expect(Array.from(columns[1]!.texts!.codes)).toEqual([0, 1, 0]);
    expect(columns[1]!.firstText).toEqual({ line: 2, text: 'a' });
  });

  it('stops tracking texts of a column with more distinct values than a category column could have', () => {
    const values = Array.from({ length: 300 }, (_, i) => String(i / 10));
    const { columns } = table(`x\n${values.join('\n')}\n`);
    expect(columns[0]!.texts).toBeUndefined();
    expect(columns[0]!.numbers[299]).toBe(29.9);
  });

  it('rejects an empty file, a nameless or repeated column, and a row of the wrong width', () => {
    expect(() => table('')).toThrow('the data file is empty');
    expect(() => table('\n\n')).toThrow('the data file is empty');
    expect(() => table('a,,c\n')).toThrow('column 2 of the header has no name');
    expect(() => table('a,a\n')).toThrow('column "a" appears twice');
    expect(() => table('a,b\n1,2\n3\n')).toThrow('line 3: 1 cells, but the header has 2 columns');
  });
});
