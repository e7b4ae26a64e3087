import { csvFileRecords } from './csv.ts';
import { TrainingDataError } from './errors.ts';

/**
 * A CSV file's header (cells trimmed) and its number of data rows, read by the trainer's own parser (quoted line
 * breaks included), so that a retrain writes rows in its columns and counts them as training will.
 */
export function csvShape(path: string): { header: string[]; rows: number } {
  const records = csvFileRecords(path);
  const first = records.next();
  if (first.done) throw new TrainingDataError(`${path}: the data file is empty`);
  let rows = 0;
  for (let next = records.next(); !next.done; next = records.next()) rows++;
  return { header: first.value.cells.map((cell) => cell.trim()), rows };
}
