import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { csvRecords } from '@glyco/contract';
import { csvFileRecords } from '../src/csv.ts';
import { buildDataset, type Dataset, type DatasetOptions } from '../src/dataset.ts';
import { readFeatureSchema, schemaPathBeside } from '../src/feature-schema.ts';
import { readTable } from '../src/table.ts';

/** The bundled data, as the tests read it. */
export const DATA_DIR = fileURLToPath(new URL('../../../data/', import.meta.url));
export const MODELS_DIR = fileURLToPath(new URL('../../../models/', import.meta.url));
export const PIMA_CSV = `${DATA_DIR}pima-indians-diabetes.csv`;
export const PIMA_NA_CSV = `${DATA_DIR}pima-indians-diabetes-na.csv`;

/** A bundled data file with the schema beside it, as `glyco train` reads it. */
export function loadDataset(file: string, target: string, options: Partial<DatasetOptions> = {}): Dataset {
  const path = `${DATA_DIR}${file}`;
  const schemaPath = schemaPathBeside(path).replace('-na.schema', '.schema');
  return buildDataset(readTable(csvFileRecords(path)), {
    target,
    schema: readFeatureSchema(schemaPath, false),
    ...options,
  });
}

export function loadPima(file = PIMA_CSV) {
  const dataset = loadDataset(file.slice(DATA_DIR.length), 'diabetes');
  /** The cells exactly as a client would send them: zeros kept, empty cells as NaN. */
  const rawRows = [...csvRecords(readFileSync(file, 'utf8'))]
    .slice(1)
    .map(({ cells }) => cells.slice(0, 8).map((cell) => (cell === '' ? Number.NaN : Number(cell))));
  return { dataset, rawRows };
}

/** A dataset from CSV text, for small made-up cases. */
export function datasetOf(csv: string, options: DatasetOptions): Dataset {
  return buildDataset(readTable(csvRecords(csv)), options);
}
