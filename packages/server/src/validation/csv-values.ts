/**
 * A CSV cell as a JSON body would have carried it, so that CSV rows are validated exactly as JSON ones: an empty
 * cell is a missing value (null); a categorical feature's cell is its text, whatever it looks like; otherwise a
 * number is a number and anything else stays text (refused, named, where a number is expected).
 */
export function csvCellValue(cell: string, categorical: boolean): unknown {
  if (cell === '') return null;
  if (categorical) return cell;
  const number = Number(cell);
  if (Number.isNaN(number)) return cell;
  // Number() reads blanks as 0: a cell of spaces is text, not a zero.
  return number === 0 && cell.trim() === '' ? cell : number;
}

const NEEDS_QUOTES = /[",\r\n]/;

/** A value as an RFC 4180 cell: quoted when it holds a comma, a quote or a line break. */
export function csvCell(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
