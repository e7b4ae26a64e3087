import type { CsvRecord } from '@glyco/contract';
import { TrainingDataError } from './errors.ts';

/**
 * Distinct texts a column may hold and still be read as categories (or class labels); beyond this a column can
 * only be numeric. Tracking stops there, so a column of a million distinct numbers costs no dictionary.
 */
export const MAX_DISTINCT_TEXTS = 200;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The distinct texts of a column, in first-seen order, and which one each row holds. */
export type ColumnTexts = {
  values: string[];
  /** Line of each value's first occurrence. */
  firstLines: number[];
  /** Row → index into `values`; -1 where the cell is empty. */
  codes: Int32Array;
};

/** One CSV column, read once into typed arrays: as numbers, and as texts while it has few distinct ones. */
export type RawColumn = {
  name: string;
  /** Each row's number: NaN where the cell is empty or not a number, ±Infinity where it is too large. */
  numbers: Float64Array;
  /** Undefined when the column has more than MAX_DISTINCT_TEXTS distinct texts. */
  texts: ColumnTexts | undefined;
  /** The first non-empty cell that is not a number. */
  firstText: { line: number; text: string } | undefined;
  /** Rows whose cell is empty, and the line of the first. */
  empty: number;
  firstEmptyLine: number | undefined;
};

export type RawTable = {
  header: string[];
  rows: number;
  /** The line each row starts on. */
  lines: Int32Array;
  columns: RawColumn[];
};

/**
 * Reads CSV records into columns. The header must name every column once; every row must have as many cells as
 * the header. Cells are trimmed; an empty cell is missing.
 */
export function readTable(records: Iterable<CsvRecord>): RawTable {
  const iterator = records[Symbol.iterator]();
  const first = iterator.next();
  if (first.done) throw new TrainingDataError('the data file is empty');
  const header = checkHeader(first.value);
  const builders = header.map((name) => new ColumnBuilder(name));
  let lines = new Int32Array(1024);
  let rows = 0;
  for (let next = iterator.next(); !next.done; next = iterator.next()) {
    const { line, cells } = next.value;
    if (cells.length !== header.length) {
      throw new TrainingDataError(
        `line ${line}: ${cells.length} cells, but the header has ${header.length} columns`,
      );
    }
    if (rows === lines.length) lines = grow(lines);
    lines[rows] = line;
    for (let column = 0; column < cells.length; column++) builders[column]!.add(rows, cells[column]!, line);
    rows++;
  }
  return {
    header,
    rows,
    lines: lines.slice(0, rows),
    columns: builders.map((builder) => builder.finish(rows)),
  };
}

function checkHeader({ line, cells }: CsvRecord): string[] {
  const header = cells.map((cell) => cell.trim());
  const blank = header.indexOf('');
  if (blank >= 0) throw new TrainingDataError(`line ${line}: column ${blank + 1} of the header has no name`);
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name))
      throw new TrainingDataError(`line ${line}: column "${name}" appears twice in the header`);
    seen.add(name);
  }
  return header;
}

class ColumnBuilder {
  readonly #name: string;
  #numbers = new Float64Array(1024);
  #codes: Int32Array | undefined = new Int32Array(1024);
  #dictionary: Map<string, number> | undefined = new Map();
  #values: string[] = [];
  #valueNumbers: number[] = [];
  #firstLines: number[] = [];
  #firstText: RawColumn['firstText'];
  #empty = 0;
  #firstEmptyLine: number | undefined;

  constructor(name: string) {
    this.#name = name;
  }

  add(row: number, cell: string, line: number): void {
    if (row === this.#numbers.length) {
      this.#numbers = grow(this.#numbers);
      if (this.#codes) this.#codes = grow(this.#codes);
    }
    const text = cell.trim();
    if (text === '') {
      this.#numbers[row] = Number.NaN;
      if (this.#codes) this.#codes[row] = -1;
      this.#empty++;
      this.#firstEmptyLine ??= line;
      return;
    }
    if (this.#dictionary) {
      let code = this.#dictionary.get(text);
      if (code === undefined) {
        code = this.#values.length;
        this.#dictionary.set(text, code);
        this.#values.push(text);
        this.#valueNumbers.push(this.#parse(text, line));
        this.#firstLines.push(line);
        if (this.#values.length > MAX_DISTINCT_TEXTS) {
          this.#numbers[row] = this.#valueNumbers[code]!;
          this.#forgetTexts();
          return;
        }
      }
      this.#numbers[row] = this.#valueNumbers[code]!;
      this.#codes![row] = code;
      return;
    }
    this.#numbers[row] = this.#parse(text, line);
  }

  finish(rows: number): RawColumn {
    return {
      name: this.#name,
      numbers: this.#numbers.slice(0, rows),
      texts: this.#codes && {
        values: this.#values,
        firstLines: this.#firstLines,
        codes: this.#codes.slice(0, rows),
      },
      firstText: this.#firstText,
      empty: this.#empty,
      firstEmptyLine: this.#firstEmptyLine,
    };
  }

  #parse(text: string, line: number): number {
    if (NUMBER.test(text)) return Number(text);
    this.#firstText ??= { line, text };
    return Number.NaN;
  }

  #forgetTexts(): void {
    this.#dictionary = undefined;
    this.#codes = undefined;
    this.#values = [];
    this.#valueNumbers = [];
    this.#firstLines = [];
  }
}

function grow<T extends Float64Array | Int32Array>(array: T): T {
  const grown = new (array.constructor as new (length: number) => T)(array.length * 2);
  grown.set(array);
  return grown;
}
