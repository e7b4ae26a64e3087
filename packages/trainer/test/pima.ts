import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCsv } from '../src/csv.ts';
import { buildDataset } from '../src/dataset.ts';
import { readFeatureSchema } from '../src/feature-schema.ts';

/** The bundled Pima data, as the tests read it. */
export const DATA_DIR = fileURLToPath(new URL('../../../data/', import.meta.url));
export const PIMA_CSV = `${DATA_DIR}pima-indians-diabetes.csv`;
export const PIMA_NA_CSV = `${DATA_DIR}pima-indians-diabetes-na.csv`;

export function loadPima(file = PIMA_CSV) {
  const table = parseCsv(readFileSync(file, 'utf8'));
  const schema = readFeatureSchema(`${DATA_DIR}pima-indians-diabetes.schema.json`, true);
  const dataset = buildDataset(table, { target: 'diabetes', positive: 'pos', schema });
  /** The cells exactly as a client would send them: zeros kept, empty cells as NaN. */
  const rawRows = table.rows.map(({ cells }) =>
    cells.slice(0, 8).map((cell) => (cell === '' ? Number.NaN : Number(cell))),
  );
  return { dataset, rawRows };
}
