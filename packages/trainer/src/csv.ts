import { TrainingDataError } from './errors.ts';

export type CsvTable = {
  header: string[];
  /** Data rows with the 1-based line number each starts on, for error messages a user can jump to. */
  rows: { line: number; cells: string[] }[];
};

/**
 * Parses RFC 4180 CSV: comma-separated, optional double quotes ("" escapes a quote, quoted cells may hold commas
 * and line breaks), LF or CRLF line ends. Blank lines are skipped. Every row must have as many cells as the header.
 */
export function parseCsv(text: string): CsvTable {
  const records = splitRecords(text.startsWith('\uFEFF') ? text.slice(1) : text);
  const first = records.shift();
  if (!first) throw new TrainingDataError('the data file is empty');
  const header = first.cells.map((cell) => cell.trim());
  const blank = header.indexOf('');
  if (blank >= 0)
    throw new TrainingDataError(`line ${first.line}: column ${blank + 1} of the header has no name`);
  const duplicate = header.find((name, index) => header.indexOf(name) !== index);
  if (duplicate)
    throw new TrainingDataError(`line ${first.line}: column "${duplicate}" appears twice in the header`);
  for (const record of records) {
    if (record.cells.length !== header.length) {
      throw new TrainingDataError(
        `line ${record.line}: ${record.cells.length} cells, but the header has ${header.length} columns`,
      );
    }
  }
  return { header, rows: records };
}

function splitRecords(text: string): { line: number; cells: string[] }[] {
  const records: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let cellStarted = false;
  let afterClosingQuote = false;
  const endRecord = () => {
    cells.push(cell);
    const blankLine = cells.length === 1 && cells[0] === '' && !cellStarted;
    if (!blankLine) records.push({ line: recordLine, cells });
    cells = [];
    cell = '';
    cellStarted = false;
    afterClosingQuote = false;
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') {
        quoted = false;
        afterClosingQuote = true;
      } else {
        if (char === '\n') line++;
        cell += char;
      }
    } else if (char === '"') {
      if (cell.trim() !== '') throw new TrainingDataError(`line ${line}: a quote inside an unquoted cell`);
      quoted = true;
      cellStarted = true;
    } else if (char === ',') {
      cells.push(cell);
      cell = '';
      cellStarted = true;
      afterClosingQuote = false;
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      if (afterClosingQuote && char.trim() !== '') {
        throw new TrainingDataError(`line ${line}: text after the closing quote of a cell`);
      }
      cell += char;
      cellStarted = true;
    }
  }
  if (quoted) throw new TrainingDataError(`line ${recordLine}: a quoted cell is never closed`);
  if (cell !== '' || cells.length > 0 || cellStarted) endRecord();
  return records;
}
