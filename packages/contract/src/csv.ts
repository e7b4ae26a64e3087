/** A CSV text that is not well formed; the message starts with the line it is on. */
export class CsvSyntaxError extends Error {
  override name = 'CsvSyntaxError';
}

/**
 * One data record: its cells, the 1-based line it starts on (for error messages a user can jump to), and its
 * text as written, without its line end (to copy a record to an output unchanged).
 */
export type CsvRecord = { line: number; cells: string[]; text: string };

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;

/**
 * Parses RFC 4180 CSV incrementally: comma-separated, optional double quotes ("" escapes a quote, quoted cells
 * may hold commas and line breaks), LF or CRLF line ends, a leading byte-order mark ignored. Blank lines are
 * skipped. Text is fed in chunks of any size (a record may span chunks), so a file is never held whole in memory.
 */
export class CsvParser {
  #pending = '';
  /** Line number of the first character of `#pending`. */
  #line = 1;
  #started = false;

  /** Parses the complete records in `text` (after what is pending) and keeps the incomplete rest. */
  *push(text: string): Generator<CsvRecord> {
    let input = this.#pending + text;
    if (!this.#started && input.length > 0) {
      this.#started = true;
      if (input.charCodeAt(0) === 0xfeff) input = input.slice(1);
    }
    yield* this.#records(input, false);
  }

  /** Parses what is left at the end of the input. */
  *end(): Generator<CsvRecord> {
    yield* this.#records(this.#pending, true);
  }

  *#records(text: string, final: boolean): Generator<CsvRecord> {
    let position = 0;
    let line = this.#line;
    while (position < text.length) {
      const record = parseRecord(text, position, line, final);
      if (!record) break;
      const start = position;
      position = record.next;
      line = record.nextLine;
      if (record.cells) yield { line: record.line, cells: record.cells, text: text.slice(start, record.end) };
    }
    this.#pending = text.slice(position);
    this.#line = line;
  }
}

/** `end` is where the record's text ends (its line end excluded), `next` where the next record starts. */
type Parsed = { cells: string[] | undefined; line: number; end: number; next: number; nextLine: number };

/**
 * Parses the record starting at `start`. Undefined when the text ends before the record does and more may come;
 * `cells` undefined for a blank line.
 */
function parseRecord(text: string, start: number, line: number, final: boolean): Parsed | undefined {
  const cells: string[] = [];
  let position = start;
  let currentLine = line;
  let quoted = false;
  const length = text.length;
  for (;;) {
    const opening = skipSpaces(text, position);
    if (opening >= length && !final) return undefined;
    if (text.charCodeAt(opening) === QUOTE) {
      quoted = true;
      position = opening;
      // A quoted cell: up to the closing quote, "" standing for one quote.
      let piece = position + 1;
      let value = '';
      for (;;) {
        const quote = text.indexOf('"', piece);
        if (quote < 0) {
          if (!final) return undefined;
          throw new CsvSyntaxError(`line ${line}: a quoted cell is never closed`);
        }
        if (quote + 1 >= length && !final) return undefined;
        value += text.slice(piece, quote);
        if (text.charCodeAt(quote + 1) === QUOTE) {
          value += '"';
          piece = quote + 2;
          continue;
        }
        position = quote + 1;
        break;
      }
      currentLine += countLineFeeds(value);
      // Spaces may surround a quoted cell; anything else is an error.
      position = skipSpaces(text, position);
      if (position >= length && !final) return undefined;
      const next = text.charCodeAt(position);
      if (position < length && next !== COMMA && next !== LF && next !== CR) {
        throw new CsvSyntaxError(`line ${currentLine}: text after the closing quote of a cell`);
      }
      cells.push(value);
    } else {
      let end = position;
      while (end < length) {
        const code = text.charCodeAt(end);
        if (code === COMMA || code === LF || code === CR) break;
        if (code === QUOTE) throw new CsvSyntaxError(`line ${currentLine}: a quote inside an unquoted cell`);
        end++;
      }
      if (end >= length && !final) return undefined;
      cells.push(text.slice(position, end));
      position = end;
    }
    if (position >= length) {
      if (!final) return undefined;
      return {
        cells: blank(cells, quoted) ? undefined : cells,
        line,
        end: position,
        next: position,
        nextLine: currentLine,
      };
    }
    const code = text.charCodeAt(position);
    if (code === COMMA) {
      position++;
      if (position >= length && !final) return undefined;
      continue;
    }
    // A line end: CRLF, or LF, or CR alone.
    const end = position;
    if (code === CR) {
      if (position + 1 >= length && !final) return undefined;
      position += text.charCodeAt(position + 1) === LF ? 2 : 1;
    } else {
      position++;
    }
    return {
      cells: blank(cells, quoted) ? undefined : cells,
      line,
      end,
      next: position,
      nextLine: currentLine + 1,
    };
  }
}

/** A line with nothing on it (a quoted empty cell is a value, not a blank line). */
function blank(cells: string[], quoted: boolean): boolean {
  return !quoted && cells.length === 1 && cells[0] === '';
}

function skipSpaces(text: string, from: number): number {
  let position = from;
  for (let code = text.charCodeAt(position); code === 32 || code === 9; code = text.charCodeAt(position))
    position++;
  return position;
}

function countLineFeeds(text: string): number {
  let count = 0;
  for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1)) count++;
  return count;
}

/** Every record of a CSV text (tests, small inputs). */
export function* csvRecords(text: string): Generator<CsvRecord> {
  const parser = new CsvParser();
  yield* parser.push(text);
  yield* parser.end();
}
