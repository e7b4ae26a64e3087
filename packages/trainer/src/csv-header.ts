import { csvFileRecords } from './csv.ts';
import { TrainingDataError } from './errors.ts';

/** The header row of a CSV file, its cells trimmed, as the trainer reads it (so a retrain writes rows in its order). */
export function csvHeader(path: string): string[] {
  const records = csvFileRecords(path);
  try {
    const first = records.next();
    if (first.done) throw new TrainingDataError(`${path}: the data file is empty`);
    return first.value.cells.map((cell) => cell.trim());
  } finally {
    records.return(undefined); // closes the file
  }
}
